// Consumers' requests for a human review, seen from the desk: due times, overdue first, and how often a review changed the decision.
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { decodeCursor, toPage } from '../http/list-envelope.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

/** A review "changes the decision" when the desk agreed with the consumer; `rejected` means the decision stands. */
export const overturningResolutions = ['claim_upheld', 'fraud_confirmed'] as const;
const overturning = `resolution IN (${overturningResolutions.map((resolution) => `'${resolution}'`).join(', ')})`;

export type ReviewAnswer = 'decision_changed' | 'decision_stands';
export const answerOf = (resolution: string | null): ReviewAnswer | null =>
  resolution === null
    ? null
    : (overturningResolutions as readonly string[]).includes(resolution)
      ? 'decision_changed'
      : 'decision_stands';

interface ReviewRequestRow {
  id: string;
  decision_id: string;
  account_id: string;
  merchant_id: string | null;
  status: 'open' | 'resolved';
  message: string | null;
  decision_outcome: string | null;
  resolution: string | null;
  opened_at: Date;
  answer_due_at: Date;
  resolved_at: Date | null;
}

const cursorSchema = z.tuple([z.number().int().min(0).max(1), cursorInstantSchema, z.string().max(100)]);

export function makeReviewRequestsService(dependencies: { database: SqlExecutor; clock: Clock }) {
  const { database, clock } = dependencies;

  /**
   * GET /v1/admin/review-requests: open requests by due time (so overdue ones come first), then answered ones.
   * The cursor carries (answered, due, id), the same order the index walks.
   */
  async function list(page: { limit: number; cursor?: string | undefined; status?: 'open' | 'resolved' | undefined }) {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor, cursorSchema);
    const now = new Date(clock.now());
    const rows = await database.query<ReviewRequestRow & { answered: number }>(
      `SELECT id, decision_id, account_id, merchant_id, status, evidence->>'message' AS message,
         evidence->'decision'->>'outcome' AS decision_outcome, resolution, opened_at, answer_due_at, resolved_at,
         CASE WHEN status = 'open' THEN 0 ELSE 1 END AS answered
       FROM cases WHERE kind = 'review_request' AND answer_due_at IS NOT NULL
         AND ($1::text IS NULL OR status = $1)
         AND ($2::int IS NULL OR (CASE WHEN status = 'open' THEN 0 ELSE 1 END, answer_due_at, id) > ($2, $3::timestamptz, $4))
       ORDER BY answered, answer_due_at, id LIMIT $5`,
      [page.status ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, page.limit + 1],
    );
    return toPage(
      rows,
      page.limit,
      (row) => [Number(row.answered), row.answer_due_at.toISOString(), row.id],
      (row) => ({
        case_id: row.id,
        decision_id: row.decision_id,
        decision_outcome: row.decision_outcome,
        account_id: row.account_id,
        merchant_id: row.merchant_id,
        message: row.message,
        status: row.status,
        requested_at: row.opened_at.toISOString(),
        answer_due_at: row.answer_due_at.toISOString(),
        overdue: row.status === 'open' && row.answer_due_at <= now,
        answered_at: row.resolved_at?.toISOString() ?? null,
        answer: answerOf(row.resolution),
      }),
    );
  }

  /** The figures /metrics reports: answered, of which the decision changed, and open ones past their due time. */
  async function figures() {
    const [row] = await database.query<{ answered: string; overturned: string; overdue: string; open: string }>(
      `SELECT count(*) FILTER (WHERE status = 'resolved') AS answered,
         count(*) FILTER (WHERE status = 'resolved' AND ${overturning}) AS overturned,
         count(*) FILTER (WHERE status = 'open' AND answer_due_at <= $1) AS overdue,
         count(*) FILTER (WHERE status = 'open') AS open
       FROM cases WHERE kind = 'review_request'`,
      [new Date(clock.now())],
    );
    const answered = Number(row?.answered ?? 0);
    const overturned = Number(row?.overturned ?? 0);
    return {
      answered,
      overturned,
      overdue: Number(row?.overdue ?? 0),
      open: Number(row?.open ?? 0),
      // No answered reviews yet: no rate rather than a misleading 0.
      overturnRate: answered === 0 ? null : overturned / answered,
    };
  }

  return { list, figures };
}

export type ReviewRequestsService = ReturnType<typeof makeReviewRequestsService>;
