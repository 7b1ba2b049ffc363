// Follows the facts other server processes commit: reads the history past a low-water mark and applies it (PostgreSQL).
import type { Database } from '../../storage/database.ts';
import { historyMark, readHistory } from '../../storage/history.reader.ts';
import { listenFor } from '../../storage/notifications.ts';
import type { HistoryEvent } from '../engine.ts';

export interface HistoryTailDependencies {
  readonly database: Database;
  /** The engine's record: applying a fact twice changes nothing, so re-reading a window is safe. */
  readonly record: (event: HistoryEvent) => Promise<void>;
  /** The fallback poll, for a notification lost while the listening connection reconnects. */
  readonly pollMilliseconds: number;
  readonly log: (details: object, message: string) => void;
}

/** A history number read at some moment, and the first transaction id not yet handed out just after. */
interface Checkpoint {
  readonly mark: number;
  readonly xmax: bigint;
}

interface Horizon {
  readonly xmin: bigint;
  readonly xmax: bigint;
}

/** The snapshot's oldest transaction still running (xmin) and the next id to be assigned (xmax). */
async function horizon(database: Database): Promise<Horizon> {
  const [row] = await database.query<{ xmin: string; xmax: string }>(
    'SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() s',
  );
  return { xmin: BigInt(row?.xmin ?? '0'), xmax: BigInt(row?.xmax ?? '0') };
}

/**
 * History numbers are drawn before commit, so a fact numbered lower may commit after one numbered higher: a tail that
 * kept "the highest number seen" would skip it. This one keeps a low-water mark below which every fact is applied, and
 * re-reads everything above it each round. The mark moves up to a checkpoint once every transaction that could hold a
 * number up to it has ended: migration 170 makes a transaction take its id before its number, so a number read
 * before a snapshot belongs to a transaction with an id below that snapshot's xmax, and once a later snapshot's
 * xmin has passed that xmax, all of them are over.
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

  async function checkpoint(): Promise<Horizon> {
    // The number first, then the snapshot: a transaction holding a number up to `mark` had its id before the snapshot.
    const mark = await historyMark(database);
    const now = await horizon(database);
    const last = checkpoints[checkpoints.length - 1];
    if (last !== undefined && last.xmax === now.xmax) checkpoints[checkpoints.length - 1] = { mark, xmax: now.xmax };
    else checkpoints.push({ mark, xmax: now.xmax });
    return now;
  }

  async function round(): Promise<void> {
    const { xmin } = await checkpoint();
    // Checkpoints whose transactions had all ended before this round's reads began: everything up to them is read below.
    let settled = lowWater;
    while (checkpoints.length > 0 && checkpoints[0]!.xmax <= xmin)
      settled = Math.max(settled, checkpoints.shift()!.mark);
    for await (const event of readHistory(database, { afterSequence: lowWater })) {
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
    const { xmax } = await horizon(database);
    const deadline = Date.now() + waitMilliseconds;
    while (Date.now() < deadline) {
      if ((await horizon(database)).xmin >= xmax) return mark;
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
