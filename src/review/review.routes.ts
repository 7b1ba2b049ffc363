// Review queue routes for machines and the desk (admin key): list, read, approve, decline.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { listEnvelope } from '../http/list-envelope.ts';
import type { ReviewService } from './review.service.ts';
import { reviewStatuses } from './review.repository.ts';

/** A review item as every review route answers it; the service's present() is typed by it. */
export const reviewItemSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  merchant: z.object({ id: z.string(), name: z.string() }),
  decision_id: z.string(),
  amount: z.object({ value: z.number(), currency: z.string() }),
  score: z.number().nullable(),
  status: z.string(),
  opened_at: z.string(),
  due_at: z.string(),
  seconds_remaining: z.number().nullable(),
  resolution: z
    .object({
      outcome: z.string(),
      by: z.string().nullable(),
      source: z.string().nullable(),
      note: z.string().nullable(),
      at: z.string().nullable(),
      decision_id: z.string().nullable(),
      order_id: z.string().nullable(),
    })
    .nullable(),
});

const itemParams = z.object({ id: z.string().regex(/^rvw_[0-9a-z]{1,40}$/) });
/** The admin key is shared by the desk, so each action names its analyst. */
const settlement = z.object({
  actor: z.string().trim().min(1).max(100),
  note: z.string().trim().min(1).max(5000).optional(),
});

export function reviewRoutes(reviews: ReviewService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/reviews',
      summary: 'Review queue items (filter: status), oldest first; page with ?cursor=<next_cursor>',
      tags: ['reviews'],
      auth: 'admin',
      query: z.object({
        status: z.enum(reviewStatuses).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.coerce.number().int().min(0).optional(),
      }),
      responses: { 200: { description: 'A page of review items', schema: listEnvelope(reviewItemSchema) } },
      handler: async ({ query }) => ({
        status: 200,
        body: await reviews.list({ status: query.status, after: query.cursor, limit: query.limit }),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/reviews/:id',
      summary: 'One review item with its deadline and resolution',
      tags: ['reviews'],
      auth: 'admin',
      params: itemParams,
      responses: { 200: { description: 'The review item', schema: reviewItemSchema } },
      handler: async ({ params }) => ({ status: 200, body: await reviews.get(params.id) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/reviews/:id/approve',
      summary:
        'Approve a held session: order and invoice through the normal approval path; webhook session.review_approved',
      tags: ['reviews'],
      auth: 'admin',
      idempotent: true,
      params: itemParams,
      body: settlement,
      responses: {
        200: { description: 'The settled review item', schema: reviewItemSchema },
        409: { description: 'Already settled' },
      },
      handler: async ({ params, body }) => ({ status: 200, body: await reviews.approve(params.id, body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/reviews/:id/decline',
      summary: 'Decline a held session; webhook session.review_declined',
      tags: ['reviews'],
      auth: 'admin',
      idempotent: true,
      params: itemParams,
      body: settlement,
      responses: {
        200: { description: 'The settled review item', schema: reviewItemSchema },
        409: { description: 'Already settled' },
      },
      handler: async ({ params, body }) => ({ status: 200, body: await reviews.decline(params.id, body) }),
    }),
  ];
}
