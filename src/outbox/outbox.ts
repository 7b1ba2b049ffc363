// The transactional outbox: enqueue inside the transaction that makes a fact true; deliver later, at least once.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';

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
): Promise<string> {
  const id = ids.next('out');
  await tx.query(
    `INSERT INTO outbox (id, topic, recipient, payload, status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [id, message.topic, message.recipient, JSON.stringify(message.payload), message.status ?? 'pending', message.at],
  );
  return id;
}

export async function listOutbox(
  database: SqlExecutor,
  filter: { recipient?: string; topic?: string; limit: number },
): Promise<OutboxRow[]> {
  return database.query<OutboxRow>(
    `SELECT seq, id, topic, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at
     FROM outbox WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR topic = $2)
     ORDER BY seq DESC LIMIT $3`,
    [filter.recipient ?? null, filter.topic ?? null, filter.limit],
  );
}

export interface OutboxWorkerOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly handlers: Readonly<Record<string, OutboxHandler>>;
  readonly batchSize?: number;
  readonly maxAttempts?: number;
  /** How long a leased message is hidden from other workers while it is being delivered. */
  readonly leaseMilliseconds?: number;
  readonly onError?: (message: OutboxMessage, error: unknown) => void;
}

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s ... capped at one hour. */
export const retryDelayMilliseconds = (attempts: number) =>
  Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempts - 1));

export function makeOutboxWorker(options: OutboxWorkerOptions) {
  const { database, clock, handlers } = options;
  const batchSize = options.batchSize ?? 50;
  const maxAttempts = options.maxAttempts ?? 12;
  const leaseMilliseconds = options.leaseMilliseconds ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  /** Leases due messages in a short transaction, so delivery (slow, remote) holds no database lock. */
  async function lease(now: Date): Promise<OutboxRow[]> {
    return database.transaction(async (tx) => {
      const rows = await tx.query<OutboxRow>(
        `SELECT seq, id, topic, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at
         FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
           AND topic = ANY($2::text[])
         ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [now, Object.keys(handlers), batchSize],
      );
      if (rows.length > 0) {
        await tx.query('UPDATE outbox SET leased_until = $2 WHERE id = ANY($1::text[])', [
          rows.map((row) => row.id),
          new Date(now.getTime() + leaseMilliseconds),
        ]);
      }
      return rows;
    });
  }

  async function deliver(row: OutboxRow): Promise<void> {
    const message: OutboxMessage = {
      id: row.id,
      topic: row.topic,
      recipient: row.recipient,
      payload: row.payload,
      attempts: row.attempts,
      createdAt: row.created_at,
    };
    const handler = handlers[row.topic];
    try {
      if (!handler) throw new Error(`no handler for topic ${row.topic}`);
      await handler(message);
      await database.query(
        `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, leased_until = NULL, last_error = NULL WHERE id = $1`,
        [row.id, new Date(clock.now())],
      );
    } catch (error) {
      options.onError?.(message, error);
      const attempts = row.attempts + 1;
      const status = attempts >= maxAttempts ? 'failed' : 'pending';
      await database.query(
        `UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, leased_until = NULL, last_error = $5 WHERE id = $1`,
        [
          row.id,
          status,
          attempts,
          new Date(clock.now() + retryDelayMilliseconds(attempts)),
          String((error as Error)?.message ?? error).slice(0, 500),
        ],
      );
    }
  }

  /** Delivers every message due now; returns how many were attempted. */
  async function drainOnce(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const rows = await lease(new Date(clock.now()));
      for (const row of rows) await deliver(row);
      attempted += rows.length;
      if (rows.length < batchSize) return attempted;
    }
  }

  return {
    drainOnce: () => {
      // One drain at a time per worker: a tick that finds one running waits for it instead of overlapping.
      running ??= drainOnce().finally(() => {
        running = null;
      });
      return running;
    },
    start(intervalMilliseconds = 1000) {
      timer ??= setInterval(() => {
        void this.drainOnce().catch(() => {});
      }, intervalMilliseconds);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type OutboxWorker = ReturnType<typeof makeOutboxWorker>;
