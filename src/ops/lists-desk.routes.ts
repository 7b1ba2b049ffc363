// Block and allow lists on the desk (/v1/ops, staff cookie): list, add with reason and expiry, remove. Audited.
import { z } from 'zod';
import { decodeCursor, listEnvelope, listQuery, toPage } from '../http/list-envelope.ts';
import { defineStaffRoute } from '../staff/staff.route.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { listKinds } from '../risk/policy/list.view.ts';
import { makeStaffAudit } from '../staff/audit.ts';
import type { ListEntryRow, ListsService } from './lists.service.ts';
import { listEntryInput } from './ops.routes.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

const deskEntryView = z.object({
  id: z.string(),
  list: z.string(),
  kind: z.string(),
  value: z.string(),
  reason: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  expired: z.boolean().describe('Past its expiry: kept for the record, no longer applied to decisions'),
});

const createdCursor = z.tuple([cursorInstantSchema, z.string().max(200)]);

export function listsDeskRoutes(dependencies: { database: Database; clock: Clock; ids: Ids; lists: ListsService }) {
  const { lists, clock } = dependencies;
  const present = (row: ListEntryRow): z.infer<typeof deskEntryView> => ({
    ...row,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    expired: row.expires_at !== null && row.expires_at.getTime() <= clock.now(),
  });
  const audit = makeStaffAudit(dependencies);

  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/lists',
      summary: 'Block and allow list entries, newest first (expired ones flagged)',
      tags: ['ops'],
      query: listQuery.extend({ list: z.enum(['block', 'allow']).optional(), kind: z.enum(listKinds).optional() }),
      responses: { 200: { description: 'Entries, newest first', schema: listEnvelope(deskEntryView) } },
      handler: async ({ query }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor, createdCursor);
        const rows = await lists.list({ ...query, after });
        const body: z.infer<ReturnType<typeof listEnvelope<typeof deskEntryView>>> = toPage(
          rows,
          query.limit,
          (row) => [row.created_at.toISOString(), row.id],
          present,
        );
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/lists',
      summary: 'Put an entity on the block or allow list with a reason and optional expiry (audited)',
      tags: ['ops'],
      body: listEntryInput,
      responses: { 201: { description: 'Listed (value normalised as the engine sees it)', schema: deskEntryView } },
      handler: async ({ staff: member, body }) => {
        const expiresAt = body.expires_at ? new Date(body.expires_at) : undefined;
        const common = { list: body.list, reason: body.reason, expiresAt };
        const row =
          body.kind === 'address'
            ? await lists.add({ kind: 'address', address: body.address, ...common })
            : await lists.add({ kind: body.kind, value: body.value, ...common });
        const view = present(row);
        await audit(member, 'list.add', row.id, null, view);
        return { status: 201, body: view };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/lists/:id/remove',
      summary: 'Take an entry off its list (audited)',
      tags: ['ops'],
      params: z.object({ id: z.string().regex(/^lst_[0-9a-z]+$/) }),
      responses: { 200: { description: 'Removed', schema: z.object({ id: z.string(), removed: z.literal(true) }) } },
      handler: async ({ staff: member, params }) => {
        if (!(await lists.remove(params.id))) throw notFound('list entry');
        await audit(member, 'list.remove', params.id, { removed: false }, { removed: true });
        return { status: 200, body: { id: params.id, removed: true as const } };
      },
    }),
  ];
}
