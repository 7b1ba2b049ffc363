// Storage of the desk's work queue: pending review items and open claim cases in one list, and the locks on them.
import type { SqlExecutor } from '../storage/database.ts';

export const queueItemKinds = ['review', 'claim'] as const;
export type QueueItemKind = (typeof queueItemKinds)[number];

export interface QueueRow {
  kind: QueueItemKind;
  id: string;
  session_id: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  decision_id: string | null;
  /** The decision's time (kept beside every reference to it): its read visits that month alone. */
  decision_decided_at: Date | null;
  order_id: string | null;
  account_id: string | null;
  claim_kind: string | null;
  amount: string | number;
  currency: string;
  score: number | null;
  opened_at: Date;
  due_at: Date;
  locked_by_id: string | null;
  locked_by: string | null;
  lock_expires_at: Date | null;
}

/**
 * Reviews are due when the merchant ships; a claim's clock is its first-response SLA. The score of a claim is the
 * score its order was approved with: what the engine thought of it then.
 */
const queueSql = `
  SELECT q.*, l.staff_id AS locked_by_id, l.staff_name AS locked_by, l.expires_at AS lock_expires_at FROM (
    SELECT 'review' AS kind, r.id, r.session_id, r.merchant_id, m.name AS merchant_name, r.decision_id,
      r.decision_decided_at, NULL::text AS order_id, d.account_id, NULL::text AS claim_kind, r.amount::bigint AS amount, r.currency, r.score,
      r.opened_at, r.due_at
    FROM review_items r JOIN merchants m ON m.id = r.merchant_id LEFT JOIN decisions d ON d.id = r.decision_id
    WHERE r.status = 'pending'
    UNION ALL
    SELECT 'claim', c.id, o.session_id, c.merchant_id, COALESCE(m.name, o.merchant_name), o.decision_id,
      o.decision_decided_at, c.order_id,
      c.account_id, cl.kind, o.amount, o.currency, d.score, c.opened_at, c.first_response_due_at
    FROM cases c JOIN orders o ON o.id = c.order_id LEFT JOIN merchants m ON m.id = c.merchant_id
      LEFT JOIN decisions d ON d.id = o.decision_id LEFT JOIN claims cl ON cl.id = c.claim_id
    WHERE c.status = 'open' AND c.kind = 'claim'
  ) q LEFT JOIN desk_locks l ON l.item_id = q.id AND l.expires_at > $1`;

/** Every open item (the desk's queue is hundreds, not millions: ranking happens in the service). */
export async function openItems(db: SqlExecutor, at: Date, limit: number): Promise<QueueRow[]> {
  return db.query<QueueRow>(`${queueSql} ORDER BY q.due_at LIMIT $2`, [at, limit]);
}

export async function findItem(db: SqlExecutor, id: string, at: Date): Promise<QueueRow | null> {
  const rows = await db.query<QueueRow>(`${queueSql} WHERE q.id = $2`, [at, id]);
  return rows[0] ?? null;
}

export interface LockHolder {
  staff_id: string;
  staff_name: string;
  expires_at: Date;
}

/**
 * Takes the lock when it is free, expired, already ours, or `steal` is set; otherwise returns the holder unchanged
 * (the caller tells whether it got it by comparing staff ids). One statement, so two analysts never both win.
 */
export async function takeLock(
  db: SqlExecutor,
  lock: { itemId: string; staffId: string; staffName: string; at: Date; expiresAt: Date; steal: boolean },
): Promise<{ holder: LockHolder; previous: LockHolder | null }> {
  const [previous] = await db.query<LockHolder>(
    'SELECT staff_id, staff_name, expires_at FROM desk_locks WHERE item_id = $1 AND expires_at > $2',
    [lock.itemId, lock.at],
  );
  await db.query(
    `INSERT INTO desk_locks (item_id, staff_id, staff_name, locked_at, expires_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (item_id) DO UPDATE SET staff_id = EXCLUDED.staff_id, staff_name = EXCLUDED.staff_name,
       locked_at = EXCLUDED.locked_at, expires_at = EXCLUDED.expires_at
     WHERE desk_locks.expires_at <= $4 OR desk_locks.staff_id = EXCLUDED.staff_id OR $6`,
    [lock.itemId, lock.staffId, lock.staffName, lock.at, lock.expiresAt, lock.steal],
  );
  const [holder] = await db.query<LockHolder>(
    'SELECT staff_id, staff_name, expires_at FROM desk_locks WHERE item_id = $1',
    [lock.itemId],
  );
  return { holder: holder!, previous: previous ?? null };
}

/** Releases the lock if this staff member holds it; true when there was one to release. */
export async function releaseLock(db: SqlExecutor, itemId: string, staffId: string): Promise<boolean> {
  const released = await db.query('DELETE FROM desk_locks WHERE item_id = $1 AND staff_id = $2 RETURNING item_id', [
    itemId,
    staffId,
  ]);
  return released.length === 1;
}

/** The current holder of an unexpired lock, if any. */
export async function lockHolder(db: SqlExecutor, itemId: string, at: Date): Promise<LockHolder | null> {
  const [holder] = await db.query<LockHolder>(
    'SELECT staff_id, staff_name, expires_at FROM desk_locks WHERE item_id = $1 AND expires_at > $2',
    [itemId, at],
  );
  return holder ?? null;
}
