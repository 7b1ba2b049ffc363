// Erasure routes: the signed-in person (after a fresh proof), the desk for requests by mail, and the receipt by id.
import { z } from 'zod';
import { defineRoute, type Consumer } from '../http/route.ts';
import { restrictedKinds } from './erasure.step.ts';
import type { ErasureService } from './erasure.service.ts';

export const erasureRequestSchema = z
  .object({
    id: z.string().describe('The receipt: GET /v1/erasure-requests/{id} shows the outcome'),
    status: z.enum(['pending', 'done', 'failed']),
    requested_at: z.string(),
    due_at: z.string().describe('The goal: one hour after the request'),
    limit_at: z.string().describe('The limit: 24 hours after the request'),
    finished_at: z.string().nullable(),
    erased: z
      .array(z.object({ store: z.string(), count: z.number().int() }))
      .describe('Per table or store, how many rows or entries were erased (or made anonymous)'),
    kept: z
      .array(
        z.object({
          kind: z.enum(restrictedKinds),
          count: z.number().int(),
          legal_basis: z.string(),
          keep_until: z.string(),
        }),
      )
      .describe('What the law requires us to keep, in restricted storage: why, and until when'),
  })
  .describe('An erasure request and, once done, what was erased and what was kept');

const identifiersSchema = z
  .object({
    reference: z.string().trim().min(1).max(200).describe('The letter or e-mail this request came in (idempotency)'),
    account_id: z.string().trim().min(1).max(100).optional(),
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number such as +31612345678')
      .optional(),
  })
  .refine((value) => value.account_id ?? value.email ?? value.phone, {
    message: 'name the person: account_id, email or phone',
    path: ['email'],
  });

export function erasureRoutes(erasure: ErasureService) {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/me/erasure',
      summary: 'Erase everything held about the signed-in person (needs a sign-in or verification in the last minutes)',
      tags: ['portal'],
      auth: 'consumer',
      responses: {
        200: { description: 'Erased: what was erased and what was kept', schema: erasureRequestSchema },
        202: { description: 'Accepted: finished within the hour (see due_at)', schema: erasureRequestSchema },
      },
      handler: async ({ consumer }) => {
        const { accountId, sessionId } = consumer as Consumer;
        const accepted = await erasure.requestForAccount(accountId, sessionId);
        // Accepted (committed) first; then done at once when possible, else by the worker within the hour.
        const answer = await erasure.workNow(accepted.id);
        return { status: answer.status === 'done' ? 200 : 202, body: answer };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/erasure-requests/:id',
      summary: 'The outcome of an erasure request; its id is the receipt (the person is signed out once erased)',
      tags: ['portal'],
      auth: 'none',
      params: z.object({ id: z.string().min(1).max(64) }),
      responses: { 200: { description: 'The request', schema: erasureRequestSchema } },
      handler: async ({ params }) => ({ status: 200, body: await erasure.get(params.id) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/erasure-requests',
      summary: 'Record an erasure request received by letter or e-mail; the same reference twice is the same request',
      tags: ['admin'],
      auth: 'admin',
      body: identifiersSchema,
      responses: {
        201: { description: 'Accepted', schema: erasureRequestSchema },
        200: { description: 'This reference was recorded before: that request', schema: erasureRequestSchema },
      },
      handler: async ({ body }) => {
        const { created, request } = await erasure.requestByIdentifiers(body.reference, {
          accountId: body.account_id,
          email: body.email,
          phone: body.phone,
        });
        return { status: created ? 201 : 200, body: request };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/erasure-requests/:id',
      summary: 'An erasure request and its outcome',
      tags: ['admin'],
      auth: 'admin',
      params: z.object({ id: z.string().min(1).max(64) }),
      responses: { 200: { description: 'The request', schema: erasureRequestSchema } },
      handler: async ({ params }) => ({ status: 200, body: await erasure.get(params.id) }),
    }),
  ];
}
