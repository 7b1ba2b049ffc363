// Follows the facts other server processes commit: reads the history past a low-water mark and applies it (PostgreSQL).
import type { Database } from '../../storage/database.ts';
import { historyMark, readHistory, type HistoryRange } from '../../storage/history.reader.ts';
import { listenFor } from '../../storage/notifications.ts';
import type { HistoryEvent } from '../engine.ts';

const maximumCheckpoints = 64;
/**
 * Longer than a transaction of this process runs before a lost answer to it is known (the client gives up on a
 * statement 16 s after sending it): after a connection failure, its own facts of this long are read back once.
 */
const uncertainWindowMilliseconds = 120_000;
/** Events a round applies between two yields to the event loop. */
const eventsPerSlice = 32;

export interface HistoryTailDependencies {
  readonly database: Database;
  /** The engine's record: applying a fact twice changes nothing, so re-reading a window is safe. */
  readonly record: (event: HistoryEvent) => Promise<void>;
  /**
   * How often the tail checks for what notifications cannot tell it: a connection failure (its own facts to read
   * back), or no subscription at all (then every check is a round).
   */
  readonly pollMilliseconds: number;
  /**
   * While subscribed, the least time between rounds the poll starts (notifications start the others): a round is a
   * commit and a burst of reads, and a burst a second landed beside requests (the authorize p99 of issue 16).
   */
  readonly subscribedPollMilliseconds?: number;
  readonly log: (details: object, message: string) => void;
  /** Least time between the starts of two rounds under steady foreign commits (propagation stays within ~2x this). */
  readonly roundSpacingMilliseconds?: number;
  /** Opens a live order's sealed session input (the encrypted store); without it such orders replay person-free. */
  readonly openInput?: HistoryRange['openInput'];
}

/** A history number read at some moment, and a transaction id handed out just after it. */
interface Checkpoint {
  readonly mark: number;
  readonly after: bigint;
}

/** A 32-bit transaction id (as pg_stat_activity shows it) widened to the 64-bit id space of `reference`'s epoch. */
function widen(shortId: bigint, reference: bigint): bigint {
  const wide = (reference & ~0xffff_ffffn) | shortId;
  return wide > reference ? wide - 0x1_0000_0000n : wide;
}

/**
 * A fresh transaction id (this statement's own, so later than every id handed out before) and the oldest transaction
 * of THIS database still running. Not the snapshot's xmin: that counts every database on the server, so one long
 * transaction elsewhere (an import, a test, another application) held every checkpoint back, and each round re-read
 * the whole history since that transaction began — the regression of issue 16. History numbers are this database's,
 * so only its own transactions can hold one. (Prepared transactions are not listed; Rearguard does not use them.)
 */
async function stamp(database: Database): Promise<{ own: bigint; oldestRunning: bigint }> {
  const [row] = await database.query<{ own: string; running: string[] | null }>(
    `SELECT pg_current_xact_id()::text AS own,
       (SELECT array_agg(backend_xid::text) FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()) AS running`,
  );
  const own = BigInt(row?.own ?? '0');
  let oldestRunning = own;
  for (const id of row?.running ?? []) {
    const wide = widen(BigInt(id), own);
    if (wide < oldestRunning) oldestRunning = wide;
  }
  return { own, oldestRunning };
}

/**
 * History numbers are drawn before commit, so a fact numbered lower may commit after one numbered higher: a tail that
 * kept "the highest number seen" would skip it. This one keeps a low-water mark below which every fact is applied, and
 * re-reads everything above it each round. The mark moves up to a checkpoint once every transaction that could hold a
 * number up to it has ended: migration 170 makes a transaction take its id before its number, so a number read before
 * a fresh id is handed out belongs to a transaction with a lower id, and once this database's oldest running
 * transaction is past that id, all of them are over. Each round spends one transaction id.
 *
 * Rounds are what cost (two statements, then every source past the mark), so they are few: a wake-up caused by this
 * process's own commit is skipped (it recorded those facts when they committed; the notification names the writer),
 * and while other processes commit steadily rounds start at most every `roundSpacingMilliseconds`. A round reads only
 * other writers' facts (each row names its writer, migration 100): every path of this process that writes a fact
 * records it in the online state once committed, so the mark is about numbers, while the rows read are others'.
 */
export function makeHistoryTail(dependencies: HistoryTailDependencies) {
  const { database, record, pollMilliseconds, log } = dependencies;
  const spacing = dependencies.roundSpacingMilliseconds ?? 20;
  let lowWater = 0;
  const checkpoints: Checkpoint[] = [];
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let applied = 0;
  let rounds = 0;
  let ownWakeUpsSkipped = 0;
  /** Low-water marks of the past (about one a second), to find one older than a transaction that may have committed. */
  let pastMarks: { at: number; lowWater: number }[] = [];
  let failuresSeen = 0;
  let lastRoundBegan = 0;
  /** When the listener last said it lost its connection (null): commits meanwhile went unheard. */
  let lastListenerGap = 0;
  /** Set after a connection failure: the next round reads every writer's facts past this mark, its own included. */
  let rereadFrom: number | null = null;
  let ownRereads = 0;

  /**
   * A write of this process whose commit's answer was lost (the connection failed) may have committed without being
   * recorded in the online state: the tail, which otherwise leaves this process's facts out, reads them back once.
   */
  function noteConnectionFailures(): void {
    const now = Date.now();
    const failures = database.connectionFailures?.() ?? 0;
    if (failures !== failuresSeen) {
      failuresSeen = failures;
      const cutoff = now - uncertainWindowMilliseconds;
      // The newest mark from before the window; the first one (the start's) when the window reaches past it.
      const before = pastMarks.filter((past) => past.at <= cutoff).pop() ?? pastMarks[0];
      const from = Math.min(before?.lowWater ?? 0, lowWater);
      rereadFrom = rereadFrom === null ? from : Math.min(rereadFrom, from);
    }
    if (pastMarks.length === 0 || now - pastMarks[pastMarks.length - 1]!.at >= 1_000) {
      pastMarks.push({ at: now, lowWater });
      const cutoff = now - uncertainWindowMilliseconds;
      // Kept: every mark inside the window, and the newest one before it.
      const firstInside = pastMarks.findIndex((past) => past.at > cutoff);
      if (firstInside > 1) pastMarks = pastMarks.slice(firstInside - 1);
    }
  }

  /** Null when nothing can be unread (every number handed out is at or below the low-water mark): no round needed. */
  async function checkpoint(): Promise<bigint | null> {
    // The number first, then the id: a transaction holding a number up to `mark` took its id before this one.
    const mark = await historyMark(database);
    if (mark <= lowWater) return null;
    const { own, oldestRunning } = await stamp(database);
    checkpoints.push({ mark, after: own });
    // A long transaction here holds every checkpoint back; dropping all but the newest few only settles later.
    if (checkpoints.length > maximumCheckpoints) checkpoints.splice(0, checkpoints.length - maximumCheckpoints);
    return oldestRunning;
  }

  async function round(): Promise<void> {
    noteConnectionFailures();
    const oldestRunning = await checkpoint();
    const reread = rereadFrom;
    // A quiet database costs a poll one statement.
    if (oldestRunning === null && reread === null) return;
    rounds += 1;
    // Checkpoints whose transactions had all ended before this round's reads began: everything up to them is read below.
    let settled = lowWater;
    while (oldestRunning !== null && checkpoints.length > 0 && checkpoints[0]!.after < oldestRunning)
      settled = Math.max(settled, checkpoints.shift()!.mark);
    for await (const event of readHistory(database, {
      afterSequence: reread === null ? lowWater : Math.min(lowWater, reread),
      forState: true,
      // This process recorded its own facts when they committed: each round re-read (and opened) a second of them.
      ...(database.writer === undefined || reread !== null ? {} : { excludeWriter: database.writer }),
      ...(dependencies.openInput ? { openInput: dependencies.openInput } : {}),
    })) {
      await record(event);
      applied += 1;
      // In slices, so a request arriving meanwhile waits for one slice, not for the whole round (a burst of other
      // processes' facts, or a first round after a start that could not wait).
      if (applied % eventsPerSlice === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    lowWater = settled;
    // Failures are noted at a round's start only: one seen during this round asks the next round for its own read.
    if (reread !== null) {
      ownRereads += 1;
      rereadFrom = null;
    }
  }

  /** One round at a time; a wake-up during a round asks for one more after it, no sooner than `spacing` after. */
  function wake(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        const began = Date.now();
        lastRoundBegan = began;
        try {
          await round();
        } catch (error) {
          log({ error: String(error) }, 'history tail round failed; retrying on the next wake-up');
          return;
        }
        // Wake-ups during the pause join the next round: under load one round serves many commits.
        const pause = spacing - (Date.now() - began);
        if (again && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
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
      if ((await stamp(database)).oldestRunning > own) return mark;
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
      failuresSeen = database.connectionFailures?.() ?? 0;
      pastMarks = [{ at: Date.now(), lowWater: fromMark }];
      stopped = false;
      const writer = database.writer;
      unlisten = await listenFor(database, 'rearguard_history', (payload) => {
        // null: the listener reconnected and may have missed anything; '' or another name: someone else's commit.
        if (payload === null) lastListenerGap = Date.now();
        if (payload !== null && writer !== undefined && payload === writer) {
          ownWakeUpsSkipped += 1;
          return;
        }
        void wake();
      });
      // A subscribed tail hears every other writer's commit: its poll is a slow safety net. Every check is a round
      // without a subscription, and while the listener is down or just back (it says so with null every retry, not
      // on its return: commits in between went unheard); a connection failure of its own is read back at once.
      const subscribedPoll = dependencies.subscribedPollMilliseconds ?? 10_000;
      timer = setInterval(() => {
        const now = Date.now();
        const failureUnseen = (database.connectionFailures?.() ?? 0) !== failuresSeen;
        const listenerGap = now - lastListenerGap < subscribedPoll;
        if (unlisten === null || failureUnseen || listenerGap || now - lastRoundBegan >= subscribedPoll) void wake();
      }, pollMilliseconds);
      timer.unref();
      await wake();
    },
    /** Reads once now (tests, and a caller that must see everything committed before it). */
    catchUp: wake,
    figures: () => ({
      lowWater,
      pendingCheckpoints: checkpoints.length,
      applied,
      rounds,
      ownWakeUpsSkipped,
      ownRereads,
    }),
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
