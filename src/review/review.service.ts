// The review queue: a `review` decision opens an item with a deadline; an analyst approves or declines it, or the
// deadline applies the configured default and raises an alert. The merchant hears by webhook either way.
import type { z } from 'zod';
import type { reviewItemSchema } from './review.routes.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { CheckoutService, DecisionHook } from '../checkout/checkout.service.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { enqueue } from '../outbox/outbox.ts';
import { opsAlertTopic } from '../protection/case.sla.ts';
import * as repository from './review.repository.ts';

export interface ReviewDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly checkout: CheckoutService;
  readonly deadlineMinutes: number;
  readonly defaultOutcome: 'approved' | 'declined';
}

export type ReviewOutcome = 'approved' | 'declined';

/** What the shopper and merchant read: no analyst names, no internal notes. */
const reasons = {
  approved: { code: 'review_approved', message: 'Approved after a check by our team.' },
  declined: { code: 'review_declined', message: 'Declined after a check by our team.' },
} as const;

const notPending = () => new ApiError(409, 'review_not_pending', 'this review item has already been settled');

export function makeReviewService(dependencies: ReviewDependencies) {
  const { database, clock, ids, checkout } = dependencies;

  /** Decision hook: a `review` outcome opens its queue item in the decision's transaction. */
  const openingHook: DecisionHook = async (tx, context) => {
    if (context.decision.outcome !== 'review') return {};
    const input = context.session.input;
    await repository.insertReviewItem(tx, {
      id: ids.next('rvw'),
      session_id: context.session.id,
      merchant_id: context.merchant.id,
      decision_id: context.decisionId,
      amount: input.amount.value,
      currency: input.amount.currency,
      score: context.decision.score,
      opened_at: context.at,
      due_at: new Date(context.at.getTime() + dependencies.deadlineMinutes * 60_000),
    });
    return {};
  };

  async function settle(
    itemId: string,
    resolution: { outcome: ReviewOutcome; actor: string; note: string | null; source: 'analyst' | 'deadline' },
  ) {
    const item = await repository.findReviewItem(database, itemId);
    if (!item) throw notFound('review item');
    if (item.status !== 'pending') throw notPending();
    const view = await checkout.completeReview({ id: item.merchant_id, name: item.merchant_name }, item.session_id, {
      outcome: resolution.outcome,
      reason: reasons[resolution.outcome],
      settle: async (tx, context) => {
        // A fresh hard decline (a list hit since the review opened) wins over an approval.
        const outcome: ReviewOutcome = context.decision.outcome === 'approved' ? 'approved' : 'declined';
        const closed = await repository.resolveReviewItem(tx, {
          id: item.id,
          status: outcome,
          resolved_at: context.at,
          resolved_by: resolution.actor,
          resolution_source: resolution.source,
          resolution_note: resolution.note,
          resolution_decision_id: context.decisionId,
          order_id: context.orderId,
        });
        if (!closed) throw notPending();
        await enqueueWebhook(tx, ids, {
          merchantId: item.merchant_id,
          event: outcome === 'approved' ? 'session.review_approved' : 'session.review_declined',
          payload: {
            session_id: item.session_id,
            decision_id: context.decisionId,
            order_id: context.orderId,
            merchant_reference: context.session.input.merchant_reference,
            status: outcome,
            settled_by: resolution.source,
          },
          at: context.at,
        });
        if (resolution.source === 'deadline') await raiseDeadlineAlert(tx, item, outcome, context.at);
        return {};
      },
    });
    if (view === null) throw notPending();
    return present((await repository.findReviewItem(database, item.id))!);
  }

  async function raiseDeadlineAlert(tx: SqlExecutor, item: repository.ReviewItemRow, outcome: string, at: Date) {
    const message = `review ${item.id} (session ${item.session_id}) passed its deadline ${item.due_at.toISOString()}; ${outcome} by default`;
    await tx.query(
      `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ($1, 'review_deadline_passed', $2, $3, $4)
       ON CONFLICT (kind, subject_id) DO NOTHING`,
      [ids.next('alr'), item.id, message, at],
    );
    await enqueue(tx, ids, {
      topic: opsAlertTopic,
      recipient: null,
      payload: { kind: 'review_deadline_passed', review_id: item.id, message },
      at,
    });
  }

  /** Scheduled: every pending item past its deadline takes the default outcome. Returns how many were settled. */
  async function settleOverdue(): Promise<number> {
    const overdue = await repository.pendingPastDeadline(database, new Date(clock.now()), 200);
    let settled = 0;
    for (const item of overdue) {
      try {
        await settle(item.id, {
          outcome: dependencies.defaultOutcome,
          actor: 'system',
          note: null,
          source: 'deadline',
        });
        settled += 1;
      } catch (error) {
        // An analyst settled it in the meantime: nothing left to do.
        if (!(error instanceof ApiError && error.code === 'review_not_pending')) throw error;
      }
    }
    return settled;
  }

  function present(row: repository.ReviewItemRow): z.infer<typeof reviewItemSchema> {
    const now = clock.now();
    return {
      id: row.id,
      session_id: row.session_id,
      merchant: { id: row.merchant_id, name: row.merchant_name },
      decision_id: row.decision_id,
      amount: { value: Number(row.amount), currency: row.currency },
      score: row.score,
      status: row.status,
      opened_at: row.opened_at.toISOString(),
      due_at: row.due_at.toISOString(),
      seconds_remaining: row.status === 'pending' ? Math.round((row.due_at.getTime() - now) / 1000) : null,
      resolution:
        row.status === 'pending'
          ? null
          : {
              outcome: row.status,
              by: row.resolved_by,
              source: row.resolution_source,
              note: row.resolution_note,
              at: row.resolved_at?.toISOString() ?? null,
              decision_id: row.resolution_decision_id,
              order_id: row.order_id,
            },
    };
  }

  async function list(query: {
    status?: repository.ReviewStatus | undefined;
    after?: number | undefined;
    limit: number;
  }) {
    const rows = await repository.listReviewItems(database, {
      status: query.status,
      after: query.after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const hasMore = rows.length > query.limit;
    return {
      data: page.map(present),
      next_cursor: hasMore ? String(page.at(-1)!.seq) : null,
      has_more: hasMore,
    };
  }

  async function get(itemId: string) {
    const row = await repository.findReviewItem(database, itemId);
    if (!row) throw notFound('review item');
    return present(row);
  }

  return {
    openingHook,
    list,
    get,
    approve: (itemId: string, by: { actor: string; note?: string | undefined }) =>
      settle(itemId, { outcome: 'approved', actor: by.actor, note: by.note ?? null, source: 'analyst' }),
    decline: (itemId: string, by: { actor: string; note?: string | undefined }) =>
      settle(itemId, { outcome: 'declined', actor: by.actor, note: by.note ?? null, source: 'analyst' }),
    settleOverdue,
  };
}

export type ReviewService = ReturnType<typeof makeReviewService>;
