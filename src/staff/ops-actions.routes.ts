// What signed-in staff do on /v1/ops/*: work review items, resolve cases, activate rulesets, confirm four-eyes
// requests. Every action lands in the audit trail with the state before and after.
import { z } from 'zod';
import { defineStaffRoute } from './staff.route.ts';
import type { Ids } from '../shared/ids.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { ReviewService } from '../review/review.service.ts';
import type { WorkQueue } from '../desk/work-queue.service.ts';
import { reviewStatuses } from '../review/review.repository.ts';
import type { CasesService } from '../protection/cases.service.ts';
import { caseResolutions } from '../protection/protection.repository.ts';
import type { RulesetsService } from '../ops/rulesets.service.ts';
import { approvalViewSchema, type ApprovalsService } from './approvals.service.ts';
import { listEnvelope } from '../http/list-envelope.ts';
import { reviewItemSchema } from '../review/review.routes.ts';
import { caseDetailSchema } from '../protection/cases.routes.ts';
import { makeStaffAudit } from './audit.ts';
import { ApiError } from '../shared/errors.ts';

const reviewParams = z.object({ id: z.string().regex(/^rvw_[0-9a-z]{1,40}$/) });
const caseParams = z.object({ id: z.string().regex(/^cas_[0-9a-z]{1,40}$/) });
const approvalParams = z.object({ id: z.string().regex(/^apr_[0-9a-z]{1,40}$/) });
const note = z.string().trim().min(1).max(5000);
const page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.coerce.number().int().min(0).optional(),
});

export function opsActionRoutes(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  reviews: ReviewService;
  queue: WorkQueue;
  cases: CasesService;
  rulesets: RulesetsService;
  approvals: ApprovalsService;
}) {
  const { reviews, queue, cases, rulesets, approvals } = dependencies;
  const audit = makeStaffAudit(dependencies);

  const settleReview = (verdict: 'approve' | 'decline') =>
    defineStaffRoute({
      method: 'POST',
      url: `/v1/ops/reviews/:id/${verdict}`,
      summary: `${verdict === 'approve' ? 'Approve' : 'Decline'} a held session (analyst role; audited; 409 item_locked when a colleague works it)`,
      tags: ['ops'],
      params: reviewParams,
      body: z.object({ note: note.optional() }),
      responses: { 200: { description: 'The settled review item', schema: reviewItemSchema } },
      handler: async ({ staff: member, params, body }) => {
        return { status: 200, body: await queue.settleReview(member, params.id, verdict, body.note) };
      },
    });

  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/reviews',
      summary: 'Review queue items (filter: status)',
      tags: ['ops'],
      query: page.extend({ status: z.enum(reviewStatuses).optional() }),
      responses: { 200: { description: 'A page of review items', schema: listEnvelope(reviewItemSchema) } },
      handler: async ({ query }) => {
        return {
          status: 200,
          body: await reviews.list({ status: query.status, after: query.cursor, limit: query.limit }),
        };
      },
    }),
    settleReview('approve'),
    settleReview('decline'),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/cases/:id/resolve',
      summary:
        'Resolve a case (analyst role). fraud_confirmed needs a second person: it opens a pending approval (202)',
      tags: ['ops'],
      params: caseParams,
      body: z.object({ outcome: z.enum(caseResolutions), note }),
      responses: {
        200: { description: 'The resolved case', schema: caseDetailSchema },
        202: { description: 'The pending approval', schema: approvalViewSchema },
      },
      handler: async ({ staff: member, params, body }) => {
        await queue.assertWorkable(member, params.id);
        const before = await cases.get(params.id);
        if (body.outcome === 'fraud_confirmed') {
          if (before.status !== 'open') throw new ApiError(409, 'case_resolved', 'this case is already resolved');
          return {
            status: 202,
            body: await approvals.request(member, 'case.confirm_fraud', params.id, {
              outcome: body.outcome,
              note: body.note,
            }),
          };
        }
        const after = await cases.resolve(params.id, { ...body, actor: member.name });
        await audit(
          member,
          'case.resolve',
          params.id,
          { status: before.status },
          { status: after.status, outcome: body.outcome },
        );
        return { status: 200, body: after };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/:version/activate',
      summary: 'Ask to activate a ruleset version (lead role); a second lead or admin confirms it (202)',
      tags: ['ops'],
      staffRole: 'lead',
      params: z.object({ version: z.string().min(1).max(100) }),
      responses: { 202: { description: 'The pending approval', schema: approvalViewSchema } },
      handler: async ({ staff: member, params }) => {
        await rulesets.get(params.version);
        return {
          status: 202,
          body: await approvals.request(member, 'ruleset.activate', params.version, {
            previous: rulesets.current().version,
          }),
        };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/approvals',
      summary: 'Four-eyes requests (filter: status)',
      tags: ['ops'],
      query: page.extend({ status: z.enum(['pending', 'confirmed', 'rejected']).optional() }),
      responses: { 200: { description: 'A page of four-eyes requests', schema: listEnvelope(approvalViewSchema) } },
      handler: async ({ query }) => {
        return {
          status: 200,
          body: await approvals.list({ status: query.status, after: query.cursor, limit: query.limit }),
        };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/approvals/:id/confirm',
      summary: "Confirm another staff member's request; the action happens now (never by the requester)",
      tags: ['ops'],
      params: approvalParams,
      responses: {
        200: {
          description: 'The approval and the result of its action (the state after, as the audit trail records it)',
          schema: z.object({ approval: approvalViewSchema, result: z.unknown() }),
        },
      },
      handler: async ({ staff: member, params }) => {
        return { status: 200, body: await approvals.confirm(member, params.id) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/approvals/:id/reject',
      summary: 'Reject (or, as the requester, withdraw) a pending request',
      tags: ['ops'],
      params: approvalParams,
      responses: { 200: { description: 'The rejected approval', schema: approvalViewSchema } },
      handler: async ({ staff: member, params }) => {
        return { status: 200, body: await approvals.reject(member, params.id) };
      },
    }),
  ];
}
