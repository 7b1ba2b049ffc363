// One topic's delivery lane: leases due messages as slots free up, delivers them concurrently, renews their leases.
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import type { OutboxHandler, OutboxMessage, OutboxRow } from './outbox.ts';

export interface OutboxLaneLimits {
  /** Deliveries in flight at once on one lane. */
  readonly concurrency: number;
  /** Deliveries in flight at once to one recipient (a webhook endpoint, a phone number). */
  readonly perRecipient: number;
  /** While deliveries run, how often the lane looks for newly due messages. */
  readonly pollMilliseconds: number;
}

export interface OutboxLaneOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly topic: string;
  readonly handler: OutboxHandler;
  readonly limits: OutboxLaneLimits;
  readonly maxAttempts: number;
  readonly leaseMilliseconds: number;
  readonly retryDelayMilliseconds: (attempts: number) => number;
  readonly onError?: (message: OutboxMessage, error: unknown) => void;
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

/** A message due at `$1`: pending, its next attempt reached, and no live lease on it (the lease and the wake's probe). */
export const dueAtFirstParameter =
  "status = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)";

export function makeOutboxLane(options: OutboxLaneOptions) {
  const { database, clock, topic, handler, limits } = options;
  /** In-flight deliveries by message id, with their recipient (for the per-recipient cap). */
  const inFlight = new Map<string, { recipient: string | null; done: Promise<void> }>();
  let draining: Promise<number> | null = null;
  // A wake while a drain runs may come after its last look: it earns one more drain.
  let wokenWhileDraining = false;
  const marks = makeDeliveredMarks(database);

  /**
   * Leases up to `free` due messages in one statement (delivery, slow and remote, holds no lock; a statement on its
   * own is its own transaction: no BEGIN, no COMMIT, one round trip). More candidates than slots are locked so that a
   * recipient with a long queue cannot fill the lane on its own: a candidate is picked while its recipient's
   * deliveries (in flight here plus picked before it) stay within `perRecipient`.
   */
  async function lease(free: number): Promise<{ rows: OutboxRow[]; waiting: boolean }> {
    const now = new Date(clock.now());
    const busy = new Map<string, number>();
    for (const { recipient } of inFlight.values())
      if (recipient !== null) busy.set(recipient, (busy.get(recipient) ?? 0) + 1);
    const full = [...busy].filter(([, count]) => count >= limits.perRecipient).map(([recipient]) => recipient);
    // One row even when nothing is leased (id null), carrying how many candidates were locked.
    const rows = await database.query<OutboxRow & { candidates: number }>(
      `WITH candidates AS (
         SELECT id, recipient, next_attempt_at, seq FROM outbox
         WHERE ${dueAtFirstParameter}
           AND topic = $2 AND (recipient IS NULL OR NOT (recipient = ANY($3::text[])))
         ORDER BY next_attempt_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED
       ), ranked AS (
         SELECT c.id, c.next_attempt_at, c.seq,
           c.recipient IS NULL
             OR row_number() OVER (PARTITION BY c.recipient ORDER BY c.next_attempt_at, c.seq) + COALESCE(b.busy, 0) <= $6
             AS fits
         FROM candidates c LEFT JOIN unnest($7::text[], $8::int[]) AS b (recipient, busy) ON b.recipient = c.recipient
       ), picked AS (
         SELECT id FROM ranked WHERE fits ORDER BY next_attempt_at, seq LIMIT $5
       ), leased AS (
         UPDATE outbox o SET leased_until = $9 FROM picked p WHERE o.id = p.id
         RETURNING o.seq, o.id, o.topic, o.recipient, o.payload, o.status, o.attempts, o.next_attempt_at, o.last_error,
           o.created_at, o.delivered_at
       )
       SELECT l.seq, l.id, l.topic, l.recipient, l.payload, l.status, l.attempts, l.next_attempt_at, l.last_error,
         l.created_at, l.delivered_at, (SELECT count(*) FROM candidates)::int AS candidates
       FROM (SELECT 1) AS one LEFT JOIN leased l ON true`,
      [
        now,
        topic,
        full,
        free * 4,
        free,
        limits.perRecipient,
        [...busy.keys()],
        [...busy.values()],
        new Date(now.getTime() + options.leaseMilliseconds),
      ],
    );
    const leased = rows.filter((row) => row.id !== null);
    const candidates = rows[0]?.candidates ?? 0;
    return {
      // RETURNING has no order: deliveries start oldest first, as they were picked.
      rows: leased.sort(
        (a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || Number(a.seq) - Number(b.seq),
      ),
      // Due messages left for now: over a recipient's cap (locked but not picked, or its recipient already full).
      waiting: candidates > leased.length || full.length > 0,
    };
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
    try {
      await handler(message);
    } catch (error) {
      options.onError?.(message, error);
      const attempts = row.attempts + 1;
      await database.query(
        `UPDATE outbox SET status = $2, attempts = $3, next_attempt_at = $4, leased_until = NULL, last_error = $5 WHERE id = $1`,
        [
          row.id,
          attempts >= options.maxAttempts ? 'failed' : 'pending',
          attempts,
          new Date(clock.now() + options.retryDelayMilliseconds(attempts)),
          String((error as Error)?.message ?? error).slice(0, 500),
        ],
      );
      return;
    }
    await marks.delivered(row.id, new Date(clock.now()));
  }

  function start(row: OutboxRow) {
    const done = deliver(row)
      .catch(() => {}) // the database refused the status update: the lease expires and the message is retried
      .finally(() => inFlight.delete(row.id));
    inFlight.set(row.id, { recipient: row.recipient, done });
  }

  /** Keeps the leases of running deliveries ahead of the clock, so no other worker takes them over mid-delivery. */
  async function renewLeases(): Promise<void> {
    if (inFlight.size === 0) return;
    await database.query(`UPDATE outbox SET leased_until = $2 WHERE id = ANY($1::text[]) AND status = 'pending'`, [
      [...inFlight.keys()],
      new Date(clock.now() + options.leaseMilliseconds),
    ]);
  }

  /**
   * Runs until nothing is due and nothing is in flight. It leases again only when that may find something: a wake or
   * a poll tick came meanwhile (new or newly due messages), or a delivery ended while messages waited on their
   * recipient's cap. A lease that found everything due does not repeat itself just to find nothing (each is a
   * statement: a drain of one message used to cost three leases).
   */
  async function drainLoop(): Promise<number> {
    let attempted = 0;
    let lastRenewal = clock.now();
    let look = true;
    let waitingOnCap = false;
    for (;;) {
      if (wokenWhileDraining) {
        wokenWhileDraining = false;
        look = true;
      }
      const free = limits.concurrency - inFlight.size;
      if (free > 0 && look) {
        const { rows, waiting } = await lease(free);
        for (const row of rows) start(row);
        attempted += rows.length;
        look = false;
        waitingOnCap = waiting;
      }
      if (inFlight.size === 0) {
        if (!look) return attempted;
        continue;
      }
      const ticked = await Promise.race([
        ...[...inFlight.values()].map((entry) => entry.done.then(() => false)),
        sleep(limits.pollMilliseconds).then(() => true),
      ]);
      if (ticked || waitingOnCap) look = true;
      if (clock.now() - lastRenewal > options.leaseMilliseconds / 3) {
        lastRenewal = clock.now();
        await renewLeases().catch(() => {});
      }
    }
  }

  /** One drain at a time per lane: a poll or wake that finds one running joins it instead of overlapping. */
  function drain(): Promise<number> {
    if (draining) {
      wokenWhileDraining = true;
      return draining;
    }
    const run: Promise<number> = drainLoop().finally(() => {
      draining = null;
      if (wokenWhileDraining) {
        wokenWhileDraining = false;
        void drain().catch(() => {});
      }
    });
    draining = run;
    return run;
  }

  return {
    topic,
    drain,
    async idle(): Promise<void> {
      await draining?.catch(() => {});
    },
  };
}

/**
 * Marks successful deliveries in batches: one UPDATE for every delivery that finished while the previous one ran.
 * Each delivery's promise settles once its own mark is written (or failed: the lease then expires, it is retried).
 */
function makeDeliveredMarks(database: Database) {
  let pending: { id: string; at: Date; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing: Promise<void> | null = null;

  async function writeAll(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await database.query(
          `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, leased_until = NULL,
             last_error = NULL WHERE id = ANY($1::text[])`,
          [batch.map((mark) => mark.id), batch[batch.length - 1]!.at],
        );
        for (const mark of batch) mark.resolve();
      } catch (error) {
        for (const mark of batch) mark.reject(error);
      }
    }
  }

  function start() {
    // The first write waits one turn of the event loop: deliveries of one lease that finish together (the dev outbox,
    // a quick receiver) share it. Each write is a commit with its fsync, and one landing beside a request's commit
    // doubles that request's wait for the disk (the authorize latency tail at one connection, issue 16).
    writing = new Promise<void>((resolve) => setImmediate(resolve)).then(writeAll).finally(() => {
      writing = null;
      if (pending.length > 0) start();
    });
  }

  return {
    delivered(id: string, at: Date): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        pending.push({ id, at, resolve, reject });
        if (!writing) start();
      });
    },
  };
}
