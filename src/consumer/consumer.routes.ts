// Consumer routes: passwordless sign-in for the portal, and account security (passkeys, "always verify my purchases").
import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { defineRoute, type Consumer } from '../http/route.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';
import { consumerCookieName } from './consumer-sessions.ts';
import type { AccountSecurityService } from './account-security.service.ts';
import type { SignInService } from './sign-in.service.ts';

const signInBody = z
  .object({
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number such as +31612345678')
      .optional(),
  })
  .refine((body) => (body.email === undefined) !== (body.phone === undefined), 'give either email or phone');
const verifyBody = z.object({
  sign_in_id: z.string().regex(/^sgn_[0-9a-z]{1,40}$/, 'the sign_in_id from POST /v1/me/sign-in'),
  code: z
    .string()
    .trim()
    .regex(/^[0-9 -]{4,12}$/, 'the code from the message, digits only'),
});
const credentialSchema = z.looseObject({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string() }),
});
const ceremonyBody = z.object({ ceremony_id: z.string().regex(/^wac_[0-9a-z]{1,40}$/), response: credentialSchema });
const securityBody = z.object({ always_verify: z.boolean() });
const passkeyParams = z.object({ id: z.string().regex(/^pky_[0-9a-z]{1,40}$/) });
const tokenView = z.object({ token: z.string(), expires_at: z.string() });
const signInStartedView = z.object({ sign_in_id: z.string(), expires_at: z.string() });
/** WebAuthn options as @simplewebauthn builds them, handed to the browser unchanged. */
const ceremonyView = z.object({ ceremony_id: z.string(), options: z.record(z.string(), z.unknown()) });
const passkeyView = z.object({ id: z.string(), created_at: z.string(), last_used_at: z.string().nullable() });
const securityView = z.object({ always_verify: z.boolean(), passkeys: z.array(passkeyView) });

const signedIn = (consumer: Consumer | null) => consumer as Consumer;

export function consumerRoutes(dependencies: {
  signIn: SignInService;
  security: AccountSecurityService;
  signOut: (sessionId: string) => Promise<void>;
  secureCookie: boolean;
}) {
  const { signIn, security } = dependencies;
  /** The token goes back in the body (for API clients) and as an HttpOnly cookie (for the portal). */
  const withCookie = (issued: { token: string; expiresAt: Date }) => ({
    status: 200,
    body: { token: issued.token, expires_at: issued.expiresAt.toISOString() },
    headers: {
      'set-cookie': `${consumerCookieName}=${issued.token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=${Math.floor(
        (issued.expiresAt.getTime() - Date.now()) / 1000,
      )}${dependencies.secureCookie ? '; Secure' : ''}`,
    },
  });
  const tags = ['consumer'];
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/me/sign-in',
      summary:
        'Send a sign-in code to the verified e-mail/phone on file; the answer is the same whether or not it exists',
      tags,
      auth: 'none',
      idempotent: true,
      body: signInBody,
      responses: {
        202: { description: 'A code is on its way if the address is on file', schema: signInStartedView },
        429: { description: 'too_many_sends (per e-mail/phone however spelled, per account, per client address)' },
      },
      handler: async ({ body, request }) => ({
        status: 202,
        body: await signIn.start(body, {
          ip: request.ip,
          acceptLanguage: request.headers['accept-language'],
        }),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/sign-in/verify',
      summary: 'Exchange the code for a consumer token (also set as the HttpOnly cookie rg_consumer)',
      tags,
      auth: 'none',
      idempotent: true,
      body: verifyBody,
      responses: {
        200: { description: 'Signed in', schema: tokenView },
        409: { description: 'sign_in_expired' },
        422: { description: 'invalid_code' },
        429: { description: 'too_many_attempts (account-wide lockout with back-off, and per client address)' },
      },
      handler: async ({ body, request }) =>
        withCookie(await signIn.verify(body.sign_in_id, body.code, { ip: request.ip })),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/sign-in/passkey/options',
      summary: 'WebAuthn options for signing in with a passkey (discoverable credential)',
      tags,
      auth: 'none',
      responses: { 200: { description: 'WebAuthn request options', schema: ceremonyView } },
      handler: async () => ({ status: 200, body: await signIn.passkeyOptions() }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/sign-in/passkey/verify',
      summary: 'Sign in with the passkey assertion',
      tags,
      auth: 'none',
      idempotent: true,
      body: ceremonyBody,
      responses: { 200: { description: 'Signed in', schema: tokenView }, 401: { description: 'invalid_passkey' } },
      handler: async ({ body }) =>
        withCookie(
          await signIn.passkeyVerify(body.ceremony_id, body.response as unknown as AuthenticationResponseJSON),
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/sign-out',
      summary: 'End this consumer session and clear the cookie',
      tags,
      auth: 'consumer',
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ consumer }) => {
        await dependencies.signOut(signedIn(consumer).sessionId);
        return {
          status: 204,
          body: null,
          headers: { 'set-cookie': `${consumerCookieName}=; HttpOnly; Path=/; Max-Age=0` },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/me/security',
      summary: 'Passkeys and "always verify my purchases"',
      tags,
      auth: 'consumer',
      responses: { 200: { description: 'Security settings', schema: securityView } },
      handler: async ({ consumer }) => ({ status: 200, body: await security.security(signedIn(consumer).accountId) }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/me/security',
      summary:
        'Choose "always verify my purchases" (every purchase in this name then needs a step-up); a change needs a sign-in from the last 5 minutes and is notified to every verified channel',
      tags,
      auth: 'consumer',
      body: securityBody,
      responses: {
        200: { description: 'Security settings', schema: securityView },
        403: { description: 'fresh_proof_required' },
      },
      handler: async ({ consumer, body }) => ({
        status: 200,
        body: await security.setAlwaysVerify(signedIn(consumer), body.always_verify),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/me/passkeys',
      summary: 'Registered passkeys',
      tags,
      auth: 'consumer',
      query: listQuery,
      responses: { 200: { description: 'Passkeys, oldest first', schema: listEnvelope(passkeyView) } },
      handler: async ({ consumer, query }) => ({
        status: 200,
        body: await security.passkeyPage(signedIn(consumer).accountId, query),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/passkeys/options',
      summary: 'WebAuthn registration options for a new passkey (needs a sign-in from the last 5 minutes)',
      tags,
      auth: 'consumer',
      responses: {
        200: { description: 'WebAuthn creation options', schema: ceremonyView },
        403: { description: 'fresh_proof_required' },
      },
      handler: async ({ consumer }) => ({
        status: 200,
        body: await security.registrationOptions(signedIn(consumer)),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/passkeys',
      summary: 'Register the passkey the browser created',
      tags,
      auth: 'consumer',
      idempotent: true,
      body: ceremonyBody,
      responses: {
        201: {
          description: 'Registered; a notice goes to every verified channel',
          schema: z.object({ id: z.string(), created_at: z.string() }),
        },
        403: { description: 'fresh_proof_required' },
        409: { description: 'ceremony_expired' },
        422: { description: 'invalid_passkey' },
      },
      handler: async ({ consumer, body }) => ({
        status: 201,
        body: await security.register(
          signedIn(consumer),
          body.ceremony_id,
          body.response as unknown as RegistrationResponseJSON,
        ),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/me/passkeys/:id',
      summary: 'Remove a passkey',
      tags,
      auth: 'consumer',
      params: passkeyParams,
      responses: {
        204: { description: 'Removed; a notice goes to every verified channel' },
        403: { description: 'fresh_proof_required' },
        404: { description: 'not_found' },
      },
      handler: async ({ consumer, params }) => {
        await security.removePasskey(signedIn(consumer), params.id);
        return { status: 204, body: null };
      },
    }),
  ];
}
