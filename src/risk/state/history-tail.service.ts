// Follows the facts other server processes commit: reads the history past a low-water mark and applies it (PostgreSQL).
import type { Database } from '../../storage/database.ts';
import { historyMark, readHistory, type HistoryRange } from '../../storage/history.reader.ts';
import { listenFor } from '../../storage/notifications.ts';
import type { HistoryEvent } from '../engine.ts';

const maximumCheckpoints = 64;

export interface HistoryTailDependencies {
  readonly database: Database;
  /** The engine's record: applying a fact twice changes nothing, so re-reading a window is safe. */
  readonly record: (event: HistoryEvent) => Promise<void>;
  /** The fallback poll, for a notification lost while the listening connection reconnects. */
  readonly pollMilliseconds: number;
  readonly log: (details: object, message: string) => void;
  /** Opens a live order's sealed session input (the encrypted store); without it such orders replay person-free. */
  readonly openInput?: HistoryRange['openInput'];
}

/** A history number read at some moment, and a transaction id handed out just after it. */
interface Checkpoint {
  readonly mark: number;
  readonly after: bigint;
}

/**
 * A fresh transaction id (this statement's own, so later than every id handed out before) and the oldest transaction
 * still running in the statement's snapshot. Not the snapshot's xmax: since PostgreSQL 14 that is the latest completed
 * id plus one, and a running transaction may hold a higher id.
 */
async function stamp(database: Database): Promise<{ own: bigint; xmin: bigint }> {
  const [row] = await database.query<{ own: string; xmin: string }>(
    'SELECT pg_current_xact_id()::text AS own, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
  );
  return { own: BigInt(row?.own ?? '0'), xmin: BigInt(row?.xmin ?? '0') };
}

/**
 * History numbers are drawn before commit, so a fact numbered lower may commit after one numbered higher: a tail that
 * kept "the highest number seen" would skip it. This one keeps a low-water mark below which every fact is applied, and
 * re-reads everything above it each round. The mark moves up to a checkpoint once every transaction that could hold a
 * number up to it has ended: migration 170 makes a transaction take its id before its number, so a number read before
 * a fresh id is handed out belongs to a transaction with a lower id, and once a later snapshot's oldest running
 * transaction is past that id, all of them are over. Each round spends one transaction id.
 */
export function makeHistoryTail(dependencies: HistoryTailDependencies) {
  const { database, record, pollMilliseconds, log } = dependencies;
  let lowWater = 0;
  const checkpoints: Checkpoint[] = [];
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let applied = 0;

  async function checkpoint(): Promise<bigint> {
    // The number first, then the id: a transaction holding a number up to `mark` took its id before this one.
    const mark = await historyMark(database);
    const { own, xmin } = await stamp(database);
    checkpoints.push({ mark, after: own });
    // A long transaction anywhere holds every checkpoint back; dropping all but the newest few only settles later.
    if (checkpoints.length > maximumCheckpoints) checkpoints.splice(0, checkpoints.length - maximumCheckpoints);
    return xmin;
  }

  async function round(): Promise<void> {
    const xmin = await checkpoint();
    // Checkpoints whose transactions had all ended before this round's reads began: everything up to them is read below.
    let settled = lowWater;
    while (checkpoints.length > 0 && checkpoints[0]!.after < xmin)
      settled = Math.max(settled, checkpoints.shift()!.mark);
    for await (const event of readHistory(database, {
      afterSequence: lowWater,
      forState: true,
      ...(dependencies.openInput ? { openInput: dependencies.openInput } : {}),
    })) {
      await record(event);
      applied += 1;
    }
    lowWater = settled;
  }

  /** One round at a time; a wake-up during a round asks for one more after it. */
  function wake(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
        } catch (error) {
          log({ error: String(error) }, 'history tail round failed; retrying on the next wake-up');
          return;
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  /**
   * Before the online state reads the database on start: a mark below which that read will see every fact. It waits
   * (briefly) for the transactions in flight now to end; a start that cannot wait re-reads from 0 in its first round.
   */
  async function settledMark(waitMilliseconds = 5_000): Promise<number> {
    const mark = await historyMark(database);
    const { own } = await stamp(database);
    const deadline = Date.now() + waitMilliseconds;
    while (Date.now() < deadline) {
      if ((await stamp(database)).xmin > own) return mark;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    log({ mark }, 'history tail: transactions still running at start; the first round re-reads the whole history');
    return 0;
  }

  return {
    settledMark,
    /** Starts tailing past `fromMark` (from settledMark, taken before the start read). */
    async start(fromMark: number): Promise<void> {
      lowWater = fromMark;
      stopped = false;
      unlisten = await listenFor(database, 'rearguard_history', () => void wake());
      timer = setInterval(() => void wake(), pollMilliseconds);
      timer.unref();
      await wake();
    },
    /** Reads once now (tests, and a caller that must see everything committed before it). */
    catchUp: wake,
    figures: () => ({ lowWater, pendingCheckpoints: checkpoints.length, applied }),
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await unlisten?.();
      unlisten = null;
      await running;
    },
  };
}

export type HistoryTail = ReturnType<typeof makeHistoryTail>;
