// Merchant webhook routes: thin, each one line into the webhooks service.
import { z } from 'zod';
import { decodeCursor, listEnvelope, listQuery } from '../http/list-envelope.ts';
import { defineRoute, type Merchant } from '../http/route.ts';
import type { WebhooksService } from './webhooks.service.ts';
import { webhookEvents } from './webhook.events.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

const idParams = z.object({ id: z.string().regex(/^whk_[0-9a-z]{1,40}$/) });
const owner = (merchant: Merchant | null) => merchant as Merchant;

export const registerWebhookSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).max(2000),
  events: z
    .array(z.enum(webhookEvents))
    .min(1)
    .max(webhookEvents.length * 2),
});

const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  created_at: z.string(),
});

const endpointCursor = z.tuple([cursorInstantSchema, z.string().max(60)]);
const deliveryCursor = z.tuple([z.number().int().min(0)]);

const deliverySchema = z.object({
  id: z.string(),
  event_id: z.string(),
  event: z.string(),
  attempt: z.number(),
  succeeded: z.boolean(),
  status_code: z.number().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().nullable(),
  attempted_at: z.string(),
});

export function webhooksRoutes(webhooks: WebhooksService) {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/webhooks',
      summary: 'Register a webhook endpoint; the signing secret is returned once',
      tags: ['webhooks'],
      auth: 'merchant',
      idempotent: true,
      body: registerWebhookSchema,
      responses: { 201: { description: 'Endpoint registered', schema: endpointSchema.extend({ secret: z.string() }) } },
      handler: async ({ merchant, body }) => ({ status: 201, body: await webhooks.register(owner(merchant), body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/webhooks',
      summary: 'List webhook endpoints (without secrets)',
      tags: ['webhooks'],
      auth: 'merchant',
      query: listQuery,
      responses: { 200: { description: 'Endpoints, oldest first', schema: listEnvelope(endpointSchema) } },
      handler: async ({ merchant, query }) => ({
        status: 200,
        body: await webhooks.list(owner(merchant), {
          limit: query.limit,
          after: query.cursor === undefined ? null : decodeCursor(query.cursor, endpointCursor),
        }),
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/webhooks/:id',
      summary: 'Delete a webhook endpoint; pending deliveries to it are dropped',
      tags: ['webhooks'],
      auth: 'merchant',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ merchant, params }) => {
        await webhooks.remove(owner(merchant), params.id);
        return { status: 204, body: null };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/webhooks/:id/deliveries',
      summary: 'The delivery log of an endpoint, newest first',
      tags: ['webhooks'],
      auth: 'merchant',
      params: idParams,
      query: listQuery,
      responses: { 200: { description: 'Delivery attempts', schema: listEnvelope(deliverySchema) } },
      handler: async ({ merchant, params, query }) => ({
        status: 200,
        body: await webhooks.deliveries(owner(merchant), params.id, {
          limit: query.limit,
          after: query.cursor === undefined ? null : decodeCursor(query.cursor, deliveryCursor),
        }),
      }),
    }),
  ];
}
