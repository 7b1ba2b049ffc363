// The work queue on /v1/ops/queue: ranked items with their SLA clocks and locks, next item, lock, release, bulk.
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import { listEnvelope } from '../http/list-envelope.ts';
import { bulkResultSchema, queueItemSchema, reviewVerdicts, type WorkQueue } from './work-queue.service.ts';

export const queueItemParams = z.object({ id: z.string().regex(/^(rvw|cas)_[0-9a-z]{1,40}$/) });

export function workQueueRoutes(dependencies: { queue: WorkQueue }) {
  const { queue } = dependencies;
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/queue',
      summary:
        'Pending reviews and open claims, ranked: about to ship first, then by expected loss (score x amount); the cursor is a position in the ranking, which moves as items come and go',
      tags: ['ops'],
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.coerce.number().int().min(0).optional(),
      }),
      responses: { 200: { description: 'A page of the ranked queue', schema: listEnvelope(queueItemSchema) } },
      handler: async ({ staff: member, query }) => {
        const ranked = await queue.ranked(member);
        const start = query.cursor ?? 0;
        const end = start + query.limit;
        const hasMore = ranked.length > end;
        return {
          status: 200,
          body: { data: ranked.slice(start, end), next_cursor: hasMore ? String(end) : null, has_more: hasMore },
        };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/queue/next',
      summary: 'The item to work next, locked to the caller (their own locked item first); item null when none is free',
      tags: ['ops'],
      responses: {
        200: { description: 'The next item, locked', schema: z.object({ item: queueItemSchema.nullable() }) },
      },
      handler: async ({ staff: member }) => {
        return { status: 200, body: { item: await queue.next(member) } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/queue/:id/lock',
      summary: "Lock (or renew) an item; take_over moves a colleague's lock to the caller (lead role, audited)",
      tags: ['ops'],
      params: queueItemParams,
      body: z.object({ take_over: z.boolean().default(false) }),
      responses: {
        200: { description: 'The item, locked to the caller', schema: queueItemSchema },
        409: { description: 'A colleague works this item (item_locked)' },
      },
      handler: async ({ staff: member, params, body }) => {
        return { status: 200, body: await queue.lock(member, params.id, { steal: body.take_over }) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/queue/:id/release',
      summary: 'Release the caller’s lock on an item',
      tags: ['ops'],
      params: queueItemParams,
      responses: { 204: { description: 'Released (or was not held)' } },
      handler: async ({ staff: member, params }) => {
        await queue.release(member, params.id);
        return { status: 204, body: null };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/queue/bulk',
      summary: 'Approve or decline several review items; each is settled, audited and answered on its own',
      tags: ['ops'],
      body: z.object({
        verdict: z.enum(reviewVerdicts),
        ids: z
          .array(z.string().regex(/^rvw_[0-9a-z]{1,40}$/))
          .min(1)
          .max(100),
        note: z.string().trim().min(1).max(5000).optional(),
      }),
      responses: { 200: { description: 'One result per item', schema: bulkResultSchema } },
      handler: async ({ staff: member, body }) => {
        return { status: 200, body: await queue.bulk(member, body) };
      },
    }),
  ];
}
