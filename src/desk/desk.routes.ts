// The case view, remediation actions and decision search on /v1/ops: each action audited under the signed-in analyst.
import type { PersonalData } from '../privacy/personal-data.ts';
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import { listEnvelope } from '../http/list-envelope.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { decisionOutcomes } from '../checkout/session.schema.ts';
import { caseViewSchema, type CaseViewService } from './case-view.service.ts';
import { decisionExplanationSchema } from './decision.explanation.ts';
import { searchDecisions } from './decision-search.repository.ts';
import { contactAnswers, remediationResultSchema, type Remediation } from './remediation.service.ts';
import { queueItemParams } from './work-queue.routes.ts';
import { instantSchema } from '../http/instant.schema.ts';

const orderParams = z.object({ id: z.string().regex(/^ord_[0-9a-z]{1,40}$/) });
const accountParams = z.object({ id: z.string().min(1).max(100) });
const note = z.string().trim().min(1).max(5000);
const done = { 200: { description: 'What changed (as the audit trail records it)', schema: remediationResultSchema } };

const decisionSummary = z.object({
  id: z.string(),
  session_id: z.string(),
  merchant: z.object({ id: z.string(), name: z.string() }),
  account_id: z.string().nullable(),
  customer_name: z.string().nullable(),
  amount: z.object({ value: z.number(), currency: z.string() }).nullable(),
  outcome: z.string(),
  score: z.number().nullable(),
  decided_at: z.string(),
  reasons: z.array(z.string()),
  rule_hits: z.array(z.string()),
});

export function deskRoutes(dependencies: {
  database: Database;
  caseView: CaseViewService;
  remediation: Remediation;
  personalData: PersonalData;
}) {
  const { caseView, remediation } = dependencies;
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/queue/:id/case',
      summary:
        'The case view of a queue item: decision explained, claim vs account, identity timeline, linked entities',
      tags: ['ops'],
      params: queueItemParams,
      responses: { 200: { description: 'The case view', schema: caseViewSchema } },
      handler: async ({ staff: member, params }) => {
        return { status: 200, body: await caseView.get(member, params.id) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/orders/:id/hold-shipment',
      summary: 'Tell the merchant to hold the shipment (webhook order.hold_shipment); audited',
      tags: ['ops'],
      params: orderParams,
      body: z.object({ note }),
      responses: done,
      handler: async ({ staff, params, body }) => ({
        status: 200,
        body: await remediation.holdShipment(staff, params.id, body.note),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/orders/:id/pause-invoice',
      summary: 'Pause collection of the order’s invoice (no reminders, no fees); audited',
      tags: ['ops'],
      params: orderParams,
      responses: done,
      handler: async ({ staff, params }) => ({
        status: 200,
        body: await remediation.pause(staff, params.id),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/orders/:id/write-off',
      summary: 'Write off the order’s invoice and refund what was already paid (lead role); audited',
      tags: ['ops'],
      staffRole: 'lead',
      params: orderParams,
      body: z.object({ note }),
      responses: done,
      handler: async ({ staff, params, body }) => ({
        status: 200,
        body: await remediation.writeOff(staff, params.id, body.note),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/accounts/:id/unlink',
      summary: 'Unlink a device or delivery address from the account (as the consumer’s "not mine"); audited',
      tags: ['ops'],
      params: accountParams,
      body: z.object({ kind: z.enum(['device', 'address']), value: z.string().min(1).max(500) }),
      responses: done,
      handler: async ({ staff, params, body }) => ({
        status: 200,
        body: await remediation.unlink(staff, params.id, body.kind, body.value),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/accounts/:id/contact',
      summary: 'Ask the account holder about an order through their verified channel (Notifier); audited',
      tags: ['ops'],
      params: accountParams,
      body: z.object({ order_id: orderParams.shape.id, question: z.string().trim().min(1).max(1000) }),
      responses: done,
      handler: async ({ staff, params, body }) => ({
        status: 200,
        body: await remediation.contact(staff, params.id, {
          orderId: body.order_id,
          question: body.question,
        }),
      }),
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/contacts/:id/answer',
      summary: 'Record the customer’s answer; it becomes a label (legit or fraud_third_party) known from now; audited',
      tags: ['ops'],
      params: z.object({ id: z.string().regex(/^dct_[0-9a-z]{1,40}$/) }),
      body: z.object({ answer: z.enum(contactAnswers) }),
      responses: done,
      handler: async ({ staff, params, body }) => ({
        status: 200,
        body: await remediation.answer(staff, params.id, body.answer),
      }),
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/decisions',
      summary:
        'Search decision records, newest first: time range, outcome, merchant, rule hit, score range, identifier',
      tags: ['ops'],
      query: z
        .object({
          from: instantSchema.optional(),
          to: instantSchema.optional(),
          outcome: z.enum(decisionOutcomes).optional(),
          merchant_id: z.string().min(1).max(100).optional(),
          rule: z.string().min(1).max(100).optional(),
          score_min: z.coerce.number().min(0).max(1).optional(),
          score_max: z.coerce.number().min(0).max(1).optional(),
          identifier: z.string().trim().min(1).max(320).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.coerce.number().int().min(0).optional(),
        })
        .refine(
          (query) =>
            query.score_min === undefined || query.score_max === undefined || query.score_min <= query.score_max,
          {
            message: 'score_min must not exceed score_max',
            path: ['score_min'],
          },
        ),
      responses: { 200: { description: 'A page of decisions, newest first', schema: listEnvelope(decisionSummary) } },
      handler: async ({ query }) => {
        const rows = await searchDecisions(
          dependencies.database,
          {
            from: query.from ? new Date(query.from) : undefined,
            to: query.to ? new Date(query.to) : undefined,
            outcome: query.outcome,
            merchantId: query.merchant_id,
            ruleHit: query.rule,
            scoreMin: query.score_min,
            scoreMax: query.score_max,
            identifier: query.identifier,
            before: query.cursor,
            limit: query.limit,
          },
          dependencies.personalData,
        );
        const page = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        return {
          status: 200,
          body: {
            data: page.map((row) => ({
              id: row.id,
              session_id: row.session_id,
              merchant: { id: row.merchant_id, name: row.merchant_name },
              account_id: row.account_id,
              customer_name: row.customer_name,
              amount:
                row.amount === null || row.currency === null
                  ? null
                  : { value: Number(row.amount), currency: row.currency },
              outcome: row.outcome,
              score: row.score,
              decided_at: row.decided_at.toISOString(),
              reasons: row.reasons.map((reason) => reason.code),
              rule_hits: row.rule_hits ?? [],
            })),
            next_cursor: hasMore ? String(page.at(-1)!.seq) : null,
            has_more: hasMore,
          },
        };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/decisions/:id',
      summary: 'One decision explained as the consumer sees it and as an analyst sees it',
      tags: ['ops'],
      params: z.object({ id: z.string().regex(/^dec_[0-9a-z]{1,40}$/) }),
      responses: { 200: { description: 'Both explanations', schema: decisionExplanationSchema } },
      handler: async ({ params }) => {
        const explained = await caseView.decision(params.id);
        if (!explained) throw new ApiError(404, 'not_found', 'decision not found');
        return { status: 200, body: explained };
      },
    }),
  ];
}
