// Storage of review queue items: SQL only, no business rules.
import type { SqlExecutor } from '../storage/database.ts';

export const reviewStatuses = ['pending', 'approved', 'declined'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

export interface ReviewItemRow {
  seq: string | number;
  id: string;
  session_id: string;
  merchant_id: string;
  merchant_name: string;
  decision_id: string;
  amount: number;
  currency: string;
  score: number | null;
  status: ReviewStatus;
  opened_at: Date;
  due_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_source: 'analyst' | 'deadline' | null;
  resolution_note: string | null;
  resolution_decision_id: string | null;
  order_id: string | null;
}

const select = `SELECT r.seq, r.id, r.session_id, r.merchant_id, m.name AS merchant_name, r.decision_id, r.amount,
  r.currency, r.score, r.status, r.opened_at, r.due_at, r.resolved_at, r.resolved_by, r.resolution_source,
  r.resolution_note, r.resolution_decision_id, r.order_id
  FROM review_items r JOIN merchants m ON m.id = r.merchant_id`;

export async function insertReviewItem(
  db: SqlExecutor,
  row: Pick<
    ReviewItemRow,
    'id' | 'session_id' | 'merchant_id' | 'decision_id' | 'amount' | 'currency' | 'score' | 'opened_at' | 'due_at'
  >,
): Promise<void> {
  await db.query(
    `INSERT INTO review_items (id, session_id, merchant_id, decision_id, amount, currency, score, status, opened_at, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
    [
      row.id,
      row.session_id,
      row.merchant_id,
      row.decision_id,
      row.amount,
      row.currency,
      row.score,
      row.opened_at,
      row.due_at,
    ],
  );
}

export async function findReviewItem(db: SqlExecutor, id: string): Promise<ReviewItemRow | null> {
  const rows = await db.query<ReviewItemRow>(`${select} WHERE r.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Pending items first by deadline; resolved ones newest first. Cursor: the last item's seq. */
export async function listReviewItems(
  db: SqlExecutor,
  options: { status: ReviewStatus | undefined; after: number | undefined; limit: number },
): Promise<ReviewItemRow[]> {
  return db.query<ReviewItemRow>(
    `${select} WHERE ($1::text IS NULL OR r.status = $1) AND ($2::bigint IS NULL OR r.seq > $2)
     ORDER BY r.seq LIMIT $3`,
    [options.status ?? null, options.after ?? null, options.limit],
  );
}

export async function pendingPastDeadline(db: SqlExecutor, at: Date, limit: number): Promise<ReviewItemRow[]> {
  return db.query<ReviewItemRow>(`${select} WHERE r.status = 'pending' AND r.due_at < $1 ORDER BY r.due_at LIMIT $2`, [
    at,
    limit,
  ]);
}

/** Closes a pending item; false when it was no longer pending (settled concurrently). */
export async function resolveReviewItem(
  db: SqlExecutor,
  row: {
    id: string;
    status: 'approved' | 'declined';
    resolved_at: Date;
    resolved_by: string;
    resolution_source: 'analyst' | 'deadline';
    resolution_note: string | null;
    resolution_decision_id: string;
    order_id: string | null;
  },
): Promise<boolean> {
  const updated = await db.query(
    `UPDATE review_items SET status = $2, resolved_at = $3, resolved_by = $4, resolution_source = $5,
       resolution_note = $6, resolution_decision_id = $7, order_id = $8
     WHERE id = $1 AND status = 'pending' RETURNING id`,
    [
      row.id,
      row.status,
      row.resolved_at,
      row.resolved_by,
      row.resolution_source,
      row.resolution_note,
      row.resolution_decision_id,
      row.order_id,
    ],
  );
  return updated.length === 1;
}
