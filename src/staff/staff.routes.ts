// Staff identity routes: the admin key bootstraps accounts (enrolment link); staff enrol a passkey, sign in, sign out.
import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { defineRoute } from '../http/route.ts';
import { defineStaffRoute } from './staff.route.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';
import type { StaffAuth } from './staff-auth.service.ts';
import { listAudit } from './audit.ts';
import { staffRoles } from './staff.repository.ts';
import type { Database } from '../storage/database.ts';
import type { StaffSignInLimit } from './sign-in.rate-limit.ts';

const newStaff = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(staffRoles) });
const enrolmentToken = z.string().regex(/^rge_[A-Za-z0-9_-]{20,100}$/);
const ceremonyId = z.string().regex(/^wac_[0-9a-z]{1,40}$/);
/** The browser's WebAuthn answer: its inner fields are checked by SimpleWebAuthn, not here. */
const credential = z.looseObject({
  id: z.string().min(1).max(1024),
  type: z.literal('public-key'),
  response: z.looseObject({}),
});
const staffView = z.object({ id: z.string(), name: z.string(), role: z.enum(staffRoles), created_at: z.string() });
const staffCreated = z.object({
  staff: staffView,
  enrolment_url: z.string(),
  enrolment_token: z.string(),
  expires_at: z.string(),
});
/** WebAuthn options as @simplewebauthn builds them, handed to the browser unchanged. */
const ceremonyView = z.object({ ceremony_id: z.string(), options: z.looseObject({ challenge: z.string() }) });
const signedInView = z.object({ staff: staffView });
const memberView = z.object({ id: z.string(), name: z.string(), role: z.enum(staffRoles) });
const auditEntry = z.object({
  id: z.string(),
  staff_id: z.string().nullable(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  at: z.string(),
});
type Shape<Schema extends z.ZodType> = z.infer<Schema>;

const page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.coerce.number().int().min(0).optional(),
});

export function staffRoutes(auth: StaffAuth, database: Database, limitSignIn: StaffSignInLimit) {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/admin/staff',
      summary: 'Create a staff account (machines and the first admin): returns its one-time enrolment link',
      tags: ['staff'],
      auth: 'admin',
      body: newStaff,
      responses: { 201: { description: 'The account and its enrolment link (shown once)', schema: staffCreated } },
      handler: async ({ body }) => ({
        status: 201,
        body: await auth.create(body, { staffId: null, actor: 'admin-key' }),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/staff',
      summary: 'Create a staff account (admin role): returns its one-time enrolment link',
      tags: ['staff'],
      staffRole: 'admin',
      body: newStaff,
      responses: { 201: { description: 'The account and its enrolment link (shown once)', schema: staffCreated } },
      handler: async ({ staff: member, body }) => {
        const created: Shape<typeof staffCreated> = await auth.create(body, { staffId: member.id, actor: member.name });
        return { status: 201, body: created };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/staff',
      summary: 'Staff accounts (lead role)',
      tags: ['staff'],
      staffRole: 'lead',
      query: listQuery,
      responses: { 200: { description: 'Staff accounts', schema: listEnvelope(staffView) } },
      handler: async ({ query }) => {
        const body: Shape<ReturnType<typeof listEnvelope<typeof staffView>>> = await auth.list(query);
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/ops/enrolment/options',
      summary: 'Passkey registration options for the holder of an enrolment link',
      tags: ['staff'],
      auth: 'none',
      body: z.object({ token: enrolmentToken }),
      responses: {
        200: { description: 'ceremony_id and WebAuthn options', schema: ceremonyView },
        429: { description: 'Too many sign-in attempts from this address (too_many_sign_in_attempts)' },
      },
      handler: async ({ body, request }) => {
        await limitSignIn(request);
        return { status: 200, body: await auth.enrolmentOptions(body.token) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/ops/enrolment/verify',
      summary: 'Register the passkey, use up the link, and sign in (HttpOnly SameSite=Strict cookie rg_staff)',
      tags: ['staff'],
      auth: 'none',
      body: z.object({ token: enrolmentToken, ceremony_id: ceremonyId, response: credential }),
      responses: {
        200: { description: 'The signed-in staff member', schema: signedInView },
        429: { description: 'Too many sign-in attempts from this address (too_many_sign_in_attempts)' },
      },
      handler: async ({ body, request }) => {
        await limitSignIn(request);
        const session = await auth.enrol(
          body.token,
          body.ceremony_id,
          body.response as unknown as RegistrationResponseJSON,
        );
        const view: Shape<typeof signedInView> = { staff: session.staff };
        return { status: 200, body: view, headers: { 'set-cookie': session.cookie } };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/ops/sign-in/options',
      summary: 'Passkey sign-in options (discoverable credentials: nobody types a name)',
      tags: ['staff'],
      auth: 'none',
      responses: {
        200: { description: 'ceremony_id and WebAuthn options', schema: ceremonyView },
        429: { description: 'Too many sign-in attempts from this address (too_many_sign_in_attempts)' },
      },
      handler: async ({ request }) => {
        await limitSignIn(request);
        return { status: 200, body: await auth.signInOptions() };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/ops/sign-in/verify',
      summary: 'Verify the passkey and sign in (HttpOnly SameSite=Strict cookie rg_staff)',
      tags: ['staff'],
      auth: 'none',
      body: z.object({ ceremony_id: ceremonyId, response: credential }),
      responses: {
        200: { description: 'The signed-in staff member', schema: signedInView },
        429: { description: 'Too many sign-in attempts from this address (too_many_sign_in_attempts)' },
      },
      handler: async ({ body, request }) => {
        await limitSignIn(request);
        const session = await auth.signIn(body.ceremony_id, body.response as unknown as AuthenticationResponseJSON);
        const view: Shape<typeof signedInView> = { staff: session.staff };
        return { status: 200, body: view, headers: { 'set-cookie': session.cookie } };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/me',
      summary: 'The signed-in staff member',
      tags: ['staff'],
      responses: { 200: { description: 'id, name, role', schema: memberView } },
      handler: async ({ staff }) => {
        const { sessionId: _session, ...member } = staff;
        const body: Shape<typeof memberView> = member;
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/sign-out',
      summary: 'End this staff session and clear the cookie',
      tags: ['staff'],
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ staff: member }) => {
        return { status: 204, body: null, headers: { 'set-cookie': await auth.signOut(member) } };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/audit',
      summary: 'The staff audit trail (lead role): who, what, when, before/after; filter by subject',
      tags: ['staff'],
      staffRole: 'lead',
      query: page.extend({ subject: z.string().min(1).max(100).optional() }),
      responses: { 200: { description: 'Audit entries, oldest first', schema: listEnvelope(auditEntry) } },
      handler: async ({ query }) => {
        const body: Shape<ReturnType<typeof listEnvelope<typeof auditEntry>>> = await listAudit(database, {
          subject: query.subject,
          after: query.cursor,
          limit: query.limit,
        });
        return { status: 200, body };
      },
    }),
  ];
}
