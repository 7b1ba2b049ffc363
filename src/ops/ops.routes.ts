// Admin routes for the analysts' levers: versioned rulesets and block/allow lists.
import { z } from 'zod';
import { decodeCursor, listEnvelope, listQuery, toPage } from '../http/list-envelope.ts';
import { defineRoute } from '../http/route.ts';
import { addressSchema } from '../checkout/session.schema.ts';
import { notFound } from '../shared/errors.ts';
import { listKinds } from '../risk/policy/list.view.ts';
import type { ListsService } from './lists.service.ts';
import type { RulesetsService } from './rulesets.service.ts';
import { cursorInstantSchema, instantSchema } from '../http/instant.schema.ts';

export const listEntryInput = z.discriminatedUnion('kind', [
  z.object({
    list: z.enum(['block', 'allow']),
    kind: z.enum(['email', 'phone', 'device', 'ip', 'iban']),
    value: z.string().trim().min(1).max(254),
    reason: z.string().trim().min(1).max(500),
    expires_at: instantSchema.optional(),
  }),
  z.object({
    list: z.enum(['block', 'allow']),
    kind: z.literal('address'),
    address: addressSchema,
    reason: z.string().trim().min(1).max(500),
    expires_at: instantSchema.optional(),
  }),
]);

const listEntryView = z.object({
  id: z.string(),
  list: z.string(),
  kind: z.string(),
  value: z.string(),
  reason: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
});

const rulesetVersionView = z.object({
  version: z.string(),
  active: z.boolean(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
  note: z.string().nullable(),
  rules: z.number(),
});

/** Newest-first lists page by (created_at, unique key). */
const createdCursor = z.tuple([cursorInstantSchema, z.string().max(200)]);

const presentEntry = (row: Awaited<ReturnType<ListsService['add']>>) => ({
  ...row,
  created_at: row.created_at.toISOString(),
  expires_at: row.expires_at?.toISOString() ?? null,
});

export function opsRoutes(dependencies: { lists: ListsService; rulesets: RulesetsService }) {
  const { lists, rulesets } = dependencies;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/admin/lists',
      summary: 'Put an e-mail, phone, device, address or IP on the block or allow list',
      tags: ['ops'],
      auth: 'admin',
      idempotent: true,
      body: listEntryInput,
      responses: { 201: { description: 'Listed (value normalised as the engine sees it)', schema: listEntryView } },
      handler: async ({ body }) => {
        const expiresAt = body.expires_at ? new Date(body.expires_at) : undefined;
        const row =
          body.kind === 'address'
            ? await lists.add({
                kind: 'address',
                address: body.address,
                list: body.list,
                reason: body.reason,
                expiresAt,
              })
            : await lists.add({ kind: body.kind, value: body.value, list: body.list, reason: body.reason, expiresAt });
        return { status: 201, body: presentEntry(row) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/lists',
      summary: 'List entries',
      tags: ['ops'],
      auth: 'admin',
      query: listQuery.extend({
        list: z.enum(['block', 'allow']).optional(),
        kind: z.enum(listKinds).optional(),
      }),
      responses: { 200: { description: 'Entries, newest first', schema: listEnvelope(listEntryView) } },
      handler: async ({ query }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor, createdCursor);
        const rows = await lists.list({ ...query, after });
        return {
          status: 200,
          body: toPage(rows, query.limit, (row) => [row.created_at.toISOString(), row.id], presentEntry),
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/admin/lists/:id',
      summary: 'Remove a list entry',
      tags: ['ops'],
      auth: 'admin',
      params: z.object({ id: z.string().regex(/^lst_[0-9a-z]+$/) }),
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params }) => {
        if (!(await lists.remove(params.id))) throw notFound('list entry');
        return { status: 204, body: null };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/rulesets',
      summary: 'Ruleset versions (one active)',
      tags: ['ops'],
      auth: 'admin',
      query: listQuery,
      responses: { 200: { description: 'Versions, newest first', schema: listEnvelope(rulesetVersionView) } },
      handler: async ({ query }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor, createdCursor);
        const rows = await rulesets.list({ limit: query.limit, after });
        return {
          status: 200,
          body: toPage(
            rows,
            query.limit,
            (row) => [row.created_at.toISOString(), row.version],
            (row) => ({
              ...row,
              rules: Number(row.rules),
              created_at: row.created_at.toISOString(),
              activated_at: row.activated_at?.toISOString() ?? null,
            }),
          ),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/rulesets/:version',
      summary: 'One ruleset version with its rules',
      tags: ['ops'],
      auth: 'admin',
      params: z.object({ version: z.string().min(1).max(100) }),
      responses: {
        200: {
          description: 'The ruleset',
          schema: z.object({
            version: z.string(),
            body: z.record(z.string(), z.unknown()).describe('The ruleset document as stored'),
            active: z.boolean(),
            created_at: z.string(),
            activated_at: z.string().nullable(),
            note: z.string().nullable(),
          }),
        },
      },
      handler: async ({ params }) => {
        const row = await rulesets.get(params.version);
        return {
          status: 200,
          body: {
            ...row,
            created_at: row.created_at.toISOString(),
            activated_at: row.activated_at?.toISOString() ?? null,
          },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/rulesets',
      summary:
        'Store a new ruleset version (validated against the schema and the feature catalogue); optionally activate',
      tags: ['ops'],
      auth: 'admin',
      idempotent: true,
      body: z.object({
        ruleset: z.unknown(),
        note: z.string().max(500).optional(),
        activate: z.boolean().default(false),
      }),
      responses: { 201: { description: 'Stored', schema: z.object({ version: z.string(), active: z.boolean() }) } },
      handler: async ({ body }) => {
        const ruleset = await rulesets.create(body.ruleset, { note: body.note, activate: body.activate });
        return {
          status: 201,
          body: { version: ruleset.version, active: rulesets.current().version === ruleset.version },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/rulesets/:version/activate',
      summary: 'Make a stored ruleset version the one decisions use',
      tags: ['ops'],
      auth: 'admin',
      params: z.object({ version: z.string().min(1).max(100) }),
      responses: { 200: { description: 'Active', schema: z.object({ version: z.string(), active: z.boolean() }) } },
      handler: async ({ params }) => {
        const ruleset = await rulesets.activate(params.version);
        return { status: 200, body: { version: ruleset.version, active: true } };
      },
    }),
  ];
}
