// Claim routes: the signed-in consumer reports an order (portal), the ops desk files on a caller's behalf (admin).
import { z } from 'zod';
import { defineRoute, type Consumer } from '../http/route.ts';
import { claimFiledSchema, claimViewSchema, type ClaimsService } from './claims.service.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';
import { claimKinds } from './protection.repository.ts';

const claimBody = z.object({
  order_id: z.string().regex(/^ord_[0-9a-z]{1,40}$/, 'an order id (ord_...)'),
  kind: z.enum(claimKinds),
  message: z.string().trim().max(2000).optional(),
});

const signedIn = (consumer: Consumer | null) => consumer as Consumer;

export function claimsRoutes(claims: ClaimsService) {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/me/claims',
      summary:
        'Report an order: not_mine ("I did not order this"), not_received or returned; the invoice pauses at once',
      tags: ['portal'],
      auth: 'consumer',
      idempotent: true,
      body: claimBody,
      responses: {
        201: { description: 'Claim filed, case opened', schema: claimFiledSchema },
        200: { description: 'Already reported', schema: claimFiledSchema },
      },
      handler: async ({ consumer, body }) =>
        claims.file(
          {
            accountId: signedIn(consumer).accountId,
            orderId: body.order_id,
            kind: body.kind,
            message: body.message ?? null,
          },
          'portal',
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/me/claims',
      summary: "The signed-in consumer's claims",
      tags: ['portal'],
      auth: 'consumer',
      query: listQuery,
      responses: { 200: { description: 'Claims, newest first', schema: listEnvelope(claimViewSchema) } },
      handler: async ({ consumer, query }) => ({
        status: 200,
        body: await claims.listForAccount(signedIn(consumer).accountId, query),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/claims',
      summary: 'File a claim for the consumer who owns the order (ops desk, e.g. after a phone call)',
      tags: ['cases'],
      auth: 'admin',
      idempotent: true,
      body: claimBody,
      responses: {
        201: { description: 'Claim filed, case opened', schema: claimFiledSchema },
        200: { description: 'Already reported', schema: claimFiledSchema },
      },
      handler: async ({ body }) =>
        claims.fileForOrder({ orderId: body.order_id, kind: body.kind, message: body.message ?? null }),
    }),
  ];
}
