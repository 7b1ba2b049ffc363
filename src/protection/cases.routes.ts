// Case routes for the ops console (admin key): list, read with evidence, assign, comment, resolve; every action audited.
import { z } from 'zod';
import { decodeCursor, listEnvelope, listQuery } from '../http/list-envelope.ts';
import { defineRoute } from '../http/route.ts';
import type { CasesService } from './cases.service.ts';
import { caseResolutions } from './protection.repository.ts';

const caseParams = z.object({ id: z.string().regex(/^cas_[0-9a-z]{1,40}$/) });
/** Who did it: the admin key is shared by the desk, so each action names its analyst. */
const actor = z.string().trim().min(1).max(100);

const seqCursor = z.tuple([z.number().int().min(0)]);

export const caseSummarySchema = z.object({
  id: z.string(),
  kind: z.string(),
  claim_kind: z.string().nullable(),
  status: z.string(),
  order_id: z.string().nullable(),
  account_id: z.string().nullable(),
  assignee: z.string().nullable(),
  resolution: z.string().nullable(),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  sla: z.object({
    first_response_due_at: z.string(),
    first_responded_at: z.string().nullable(),
    breached: z.boolean(),
    seconds_remaining: z.number().nullable(),
  }),
});

/** One case in full, as GET /v1/admin/cases/:id and every case action answer it; the service is typed by it. */
export const caseDetailSchema = caseSummarySchema.extend({
  claim: z
    .object({
      id: z.string(),
      kind: z.string(),
      source: z.string(),
      message: z.string().nullable(),
      status: z.string(),
    })
    .nullable(),
  invoice: z.object({ id: z.string(), status: z.string(), due_at: z.string() }).nullable(),
  resolution_note: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  audit: z.array(
    z.object({ actor: z.string(), action: z.string(), details: z.record(z.string(), z.unknown()), at: z.string() }),
  ),
});

const alertSchema = z.object({
  id: z.string(),
  kind: z.string(),
  subject_id: z.string(),
  message: z.string(),
  created_at: z.string(),
});

export function casesRoutes(cases: CasesService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/cases',
      summary: 'List cases (filters: status, kind, assignee, breached SLA), oldest first',
      tags: ['cases'],
      auth: 'admin',
      query: listQuery.extend({
        status: z.enum(['open', 'resolved']).optional(),
        kind: z.enum(['claim', 'review_request']).optional(),
        assignee: z.string().max(100).optional(),
        breached: z
          .enum(['true', 'false'])
          .transform((value) => value === 'true')
          .optional(),
      }),
      responses: { 200: { description: 'Cases with their SLA timers', schema: listEnvelope(caseSummarySchema) } },
      handler: async ({ query }) => ({
        status: 200,
        body: await cases.list({
          ...query,
          after: query.cursor === undefined ? null : decodeCursor(query.cursor, seqCursor),
        }),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/cases/:id',
      summary: 'A case with its evidence, claim, invoice, SLA and audit trail',
      tags: ['cases'],
      auth: 'admin',
      params: caseParams,
      responses: { 200: { description: 'The case', schema: caseDetailSchema } },
      handler: async ({ params }) => ({ status: 200, body: await cases.get(params.id) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/assign',
      summary: 'Assign a case to an analyst',
      tags: ['cases'],
      auth: 'admin',
      params: caseParams,
      body: z.object({ assignee: actor, actor }),
      responses: { 200: { description: 'The case', schema: caseDetailSchema } },
      handler: async ({ params, body }) => ({ status: 200, body: await cases.assign(params.id, body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/comments',
      summary: 'Add an analyst comment',
      tags: ['cases'],
      auth: 'admin',
      idempotent: true,
      params: caseParams,
      body: z.object({ text: z.string().trim().min(1).max(5000), actor }),
      responses: { 201: { description: 'The case', schema: caseDetailSchema } },
      handler: async ({ params, body }) => ({ status: 201, body: await cases.comment(params.id, body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/resolve',
      summary:
        'Resolve: fraud_confirmed (write off, label, flag), claim_upheld (write off) or rejected (resume, explain)',
      tags: ['cases'],
      auth: 'admin',
      idempotent: true,
      params: caseParams,
      body: z.object({ outcome: z.enum(caseResolutions), note: z.string().trim().min(1).max(5000), actor }),
      responses: { 200: { description: 'The resolved case', schema: caseDetailSchema } },
      handler: async ({ params, body }) => ({ status: 200, body: await cases.resolve(params.id, body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/case-alerts',
      summary: 'Alerts raised by buyer protection (case SLA breaches), newest first',
      tags: ['cases'],
      auth: 'admin',
      query: listQuery,
      responses: { 200: { description: 'Alerts, newest first', schema: listEnvelope(alertSchema) } },
      handler: async ({ query }) => ({
        status: 200,
        body: await cases.alerts({
          limit: query.limit,
          after: query.cursor === undefined ? null : decodeCursor(query.cursor, seqCursor),
        }),
      }),
    }),
  ];
}
