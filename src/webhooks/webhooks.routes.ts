// Merchant webhook routes: thin, each one line into the webhooks service.
import { z } from 'zod';
import { defineRoute, type Merchant } from '../http/route.ts';
import type { WebhooksService } from './webhooks.service.ts';
import { webhookEvents } from './webhook.events.ts';

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
      responses: { 200: { description: 'Endpoints', schema: z.object({ data: z.array(endpointSchema) }) } },
      handler: async ({ merchant }) => ({ status: 200, body: await webhooks.list(owner(merchant)) }),
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
      summary: 'The delivery log of an endpoint, newest first (page with ?before=<cursor>)',
      tags: ['webhooks'],
      auth: 'merchant',
      params: idParams,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        before: z.coerce.number().int().min(1).optional(),
      }),
      responses: { 200: { description: 'Delivery attempts' } },
      handler: async ({ merchant, params, query }) => ({
        status: 200,
        body: await webhooks.deliveries(owner(merchant), params.id, {
          limit: query.limit,
          before: query.before ?? null,
        }),
      }),
    }),
  ];
}
