// The transactional outbox: enqueue inside the transaction that makes a fact true; deliver later, at least once.
import { keysetSql } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database, SqlExecutor, SqlValue } from '../storage/database.ts';
import { dueAtFirstParameter, makeOutboxLane, type OutboxLaneLimits } from './outbox.lane.ts';
import { listenFor } from '../storage/notifications.ts';
import { renumbered } from '../storage/deferred-writes.ts';

export interface OutboxMessage {
  readonly id: string;
  readonly topic: string;
  readonly recipient: string | null;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly createdAt: Date;
}

export interface OutboxRow {
  seq: number;
  id: string;
  topic: string;
  recipient: string | null;
  payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed' | 'held';
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** Delivers one message; throwing means "try again later". */
export type OutboxHandler = (message: OutboxMessage) => Promise<void>;

export async function enqueue(
  tx: SqlExecutor,
  ids: Ids,
  message: {
    topic: string;
    recipient: string | null;
    payload: Record<string, unknown>;
    at: Date;
    status?: 'pending' | 'held';
  },
  /**
   * Enqueued only if this condition holds when the insert runs (its parameters are numbered from $1 in `sql`), so
   * that a message goes out exactly when the write it announces is made under the same condition.
   */
  onlyIf?: { readonly sql: string; readonly params: readonly SqlValue[] },
): Promise<string> {
  const id = ids.next('out');
  const values = [
    id,
    message.topic,
    message.recipient,
    JSON.stringify(message.payload),
    message.status ?? 'pending',
    message.at,
  ];
  const columns = 'INSERT INTO outbox (id, topic, recipient, payload, status, next_attempt_at, created_at)';
  if (!onlyIf) {
    await tx.query(`${columns} VALUES ($1, $2, $3, $4, $5, $6, $6)`, values);
    return id;
  }
  const condition = renumbered(onlyIf.sql, values.length);
  await tx.query(`${columns} SELECT $1, $2, $3, $4::jsonb, $5, $6::timestamptz, $6::timestamptz WHERE ${condition}`, [
    ...values,
    ...onlyIf.params,
  ]);
  return id;
}

export async function listOutbox(
  database: SqlExecutor,
  filter: { recipient?: string; topic?: string; limit: number; after?: readonly [number] | null },
): Promise<OutboxRow[]> {
  // Newest first, one keyset page: limit+1 rows, the extra one saying there is more.
  const keyset = keysetSql(
    { columns: ['seq'], direction: 'desc' },
    { limit: filter.limit, after: filter.after ?? null },
    3,
  );
  return database.query<OutboxRow>(
    `SELECT seq, id, topic, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at
     FROM outbox WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR topic = $2)
       AND ${keyset.where} ${keyset.orderBy}`,
    [filter.recipient ?? null, filter.topic ?? null, ...keyset.params],
  );
}

/**
 * Of the topics `$2`, those with a message due at `$1`: per topic, its oldest due message in the order of
 * outbox_due_by_topic, which the planner reads by an index scan that stops at the first (an EXISTS was planned, before
 * the outbox was analyzed, as one bitmap scan over every due entry of every topic).
 */
export const dueTopicsSql = `SELECT t.topic FROM unnest($2::text[]) AS t (topic)
  CROSS JOIN LATERAL (SELECT 1 FROM outbox WHERE topic = t.topic AND ${dueAtFirstParameter}
    ORDER BY next_attempt_at, seq LIMIT 1) AS oldest`;

export interface OutboxWorkerOptions extends Partial<OutboxLaneLimits> {
  readonly database: Database;
  readonly clock: Clock;
  readonly handlers: Readonly<Record<string, OutboxHandler>>;
  readonly maxAttempts?: number;
  /** How long a leased message is hidden from other workers; renewed while its delivery runs. */
  readonly leaseMilliseconds?: number;
  readonly onError?: (message: OutboxMessage, error: unknown) => void;
  /** With notifications, how often to look anyway (retries coming due, a missed notification). */
  readonly fallbackPollMilliseconds?: number;
  /** How long a notification waits for others before the lanes drain (they share one drain). */
  readonly wakeDelayMilliseconds?: number;
}

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s ... capped at one hour. */
export const retryDelayMilliseconds = (attempts: number) =>
  Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempts - 1));

/**
 * One delivery lane per topic, each with its own bounded concurrency and a cap per recipient: a one-time code
 * never waits behind a webhook, and one silent webhook endpoint holds at most `perRecipient` slots of its lane.
 */
export function makeOutboxWorker(options: OutboxWorkerOptions) {
  const limits: OutboxLaneLimits = {
    concurrency: options.concurrency ?? 16,
    perRecipient: options.perRecipient ?? 2,
    pollMilliseconds: options.pollMilliseconds ?? 250,
  };
  const lanes = Object.entries(options.handlers).map(([topic, handler]) =>
    makeOutboxLane({
      database: options.database,
      clock: options.clock,
      topic,
      handler,
      limits,
      maxAttempts: options.maxAttempts ?? 12,
      leaseMilliseconds: options.leaseMilliseconds ?? 60_000,
      retryDelayMilliseconds,
      ...(options.onError ? { onError: options.onError } : {}),
    }),
  );
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let stopped = false;
  const topics = lanes.map((lane) => lane.topic);
  /**
   * One look for the topics with due messages, then only their lanes: an idle lane costs no round trip of its own.
   * Asked per lane's topic, each an index scan (outbox_due_by_topic) that stops at its first due message; DISTINCT over
   * all due rows was a bitmap scan that read a table page for every entry of the index, delivered rows' included.
   */
  const drainAll = () => {
    const now = new Date(options.clock.now());
    void options.database
      .query<{ topic: string }>(dueTopicsSql, [now, topics])
      .then((rows) => {
        const due = new Set(rows.map((row) => row.topic));
        for (const lane of lanes) if (due.has(lane.topic)) void lane.drain().catch(() => {});
      })
      .catch(() => {}); // the next wake or poll looks again
  };
  // Commits come in bursts (every approval enqueues): one drain per short window, not one per commit.
  let wakeTimer: NodeJS.Timeout | null = null;
  const wake = () => {
    wakeTimer ??= setTimeout(() => {
      wakeTimer = null;
      drainAll();
    }, options.wakeDelayMilliseconds ?? 50);
    wakeTimer.unref();
  };
  const poll = (milliseconds: number) => {
    if (timer) clearInterval(timer);
    timer = setInterval(drainAll, milliseconds);
    timer.unref();
  };

  /** Delivers every message due now on every lane; returns how many were attempted. */
  async function drainOnce(): Promise<number> {
    const counts = await Promise.all(lanes.map((lane) => lane.drain()));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  return {
    drainOnce,
    /**
     * Wakes on the database's notification of committed messages (then polls only slowly, for retries coming due);
     * polls every `intervalMilliseconds` until subscribed, or for good where notifications are not available.
     * Each lane drains on its own: a lane busy with a slow receiver does not hold the others back.
     */
    start(intervalMilliseconds = limits.pollMilliseconds) {
      if (timer) return;
      stopped = false;
      poll(intervalMilliseconds);
      void listenFor(options.database, 'rearguard_outbox', wake).then(async (subscription) => {
        if (stopped) return subscription?.();
        unlisten = subscription;
        if (subscription) poll(Math.max(intervalMilliseconds, options.fallbackPollMilliseconds ?? 2_000));
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (wakeTimer) clearTimeout(wakeTimer);
      wakeTimer = null;
      timer = null;
      await unlisten?.().catch(() => {});
      unlisten = null;
      await Promise.all(lanes.map((lane) => lane.idle()));
    },
  };
}

export type OutboxWorker = ReturnType<typeof makeOutboxWorker>;
