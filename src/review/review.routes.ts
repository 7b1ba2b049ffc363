// Review queue routes for machines and the desk (admin key): list, read, approve, decline.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import type { ReviewService } from './review.service.ts';
import { reviewStatuses } from './review.repository.ts';

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
      responses: { 200: { description: '{data, next_cursor, has_more}' } },
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
      responses: { 200: { description: 'The review item' } },
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
      responses: { 200: { description: 'The settled review item' }, 409: { description: 'Already settled' } },
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
      responses: { 200: { description: 'The settled review item' }, 409: { description: 'Already settled' } },
      handler: async ({ params, body }) => ({ status: 200, body: await reviews.decline(params.id, body) }),
    }),
  ];
}
