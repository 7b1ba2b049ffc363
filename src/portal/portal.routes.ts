// The consumer portal's data routes under /v1/me (signed-in consumer): thin, one call into the portal service each.
import { z } from 'zod';
import { defineRoute, type Consumer } from '../http/route.ts';
import type { PortalService } from './portal.service.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';
import {
  addressViewSchema,
  decisionViewSchema,
  deviceViewSchema,
  invoiceViewSchema,
  purchaseViewSchema,
} from './portal.schemas.ts';

const profileView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  always_verify: z.boolean(),
  channels: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['email', 'phone']),
      masked: z.string(),
      verified: z.boolean(),
      verified_at: z.string().nullable(),
    }),
  ),
});
const removedView = z.object({ removed: z.literal(true), kind: z.enum(['device', 'address']), value: z.string() });

const signedIn = (consumer: Consumer | null) => (consumer as Consumer).accountId;

/** A list under /v1/me: the signed-in account's items, one page of the list envelope at a time. */
const list = (
  url: string,
  summary: string,
  item: z.ZodType,
  handler: (accountId: string, page: z.infer<typeof listQuery>, acceptLanguage: string | undefined) => Promise<unknown>,
) =>
  defineRoute({
    method: 'GET',
    url,
    summary,
    tags: ['portal'],
    auth: 'consumer',
    query: listQuery,
    responses: { 200: { description: summary, schema: listEnvelope(item) } },
    handler: async ({ consumer, query, request }) => ({
      status: 200,
      body: await handler(signedIn(consumer), query, request.headers['accept-language']),
    }),
  });

export function portalRoutes(portal: PortalService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/me/profile',
      summary: 'The account: name, verified channels (masked), "always verify my purchases"',
      tags: ['portal'],
      auth: 'consumer',
      responses: { 200: { description: 'The signed-in account', schema: profileView } },
      handler: async ({ consumer }) => ({ status: 200, body: await portal.profile(signedIn(consumer)) }),
    }),
    list(
      '/v1/me/purchases',
      'Orders placed in this account’s name, with invoice, delivery address and claims; newest first',
      purchaseViewSchema,
      portal.purchases,
    ),
    list(
      '/v1/me/invoices',
      'Invoices with status, due date, what is outstanding and how to pay it (IBAN, reference, pay link, EPC QR text); newest first',
      invoiceViewSchema,
      portal.invoices,
    ),
    list(
      '/v1/me/decisions',
      'Every decision about this account’s purchases, with the reasons in plain language; newest first',
      decisionViewSchema,
      portal.decisions,
    ),
    list(
      '/v1/me/devices',
      'Devices this account’s identity was used from; most recently seen first',
      deviceViewSchema,
      portal.devices,
    ),
    list(
      '/v1/me/addresses',
      'Billing and delivery addresses used in this account’s name; most recently used first',
      addressViewSchema,
      portal.addresses,
    ),
    defineRoute({
      method: 'POST',
      url: '/v1/me/devices/not-mine',
      summary: 'Remove a device: "this was not me" (hidden here, flagged for the risk engine)',
      tags: ['portal'],
      auth: 'consumer',
      idempotent: true,
      body: z.object({ device_id: z.string().trim().min(1).max(200) }),
      responses: { 200: { description: 'Removed', schema: removedView } },
      handler: async ({ consumer, body }) => ({
        status: 200,
        body: await portal.disownEntity(signedIn(consumer), 'device', body.device_id),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/addresses/not-mine',
      summary: 'Remove an address: "this was not me" (hidden here, flagged for the risk engine)',
      tags: ['portal'],
      auth: 'consumer',
      idempotent: true,
      body: z.object({ address_key: z.string().trim().min(1).max(200) }),
      responses: { 200: { description: 'Removed', schema: removedView } },
      handler: async ({ consumer, body }) => ({
        status: 200,
        body: await portal.disownEntity(signedIn(consumer), 'address', body.address_key),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/me/reviews',
      summary: 'Ask for a human review of a decision about one of your purchases',
      tags: ['portal'],
      auth: 'consumer',
      idempotent: true,
      body: z.object({
        decision_id: z.string().regex(/^dec_[0-9a-z]{1,40}$/, 'a decision id (dec_...)'),
        message: z.string().trim().min(1).max(2000),
      }),
      responses: {
        201: {
          description: 'Review case opened',
          schema: z.object({
            case_id: z.string(),
            status: z.literal('open'),
            first_response_due_at: z.string(),
            answer_due_at: z.string(),
          }),
        },
      },
      handler: async ({ consumer, body }) => ({
        status: 201,
        body: await portal.requestReview(signedIn(consumer), { decisionId: body.decision_id, message: body.message }),
      }),
    }),
  ];
}
