// Brings the online state up on start (snapshot plus newer facts, or a full rebuild) and snapshots it while running.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackgroundOpener } from '../../privacy/background-opener.ts';
import type { MasterKey } from '../../privacy/envelope.ts';
import { latestFinishedErasure } from '../../privacy/erasure.step.ts';
import type { Database } from '../../storage/database.ts';
import { historyMark, readHistoryBatches, type HistoryRange } from '../../storage/history.reader.ts';
import type { HistoryEvent } from '../engine.ts';
import { makeMemoryFeatureState, type MemoryFeatureState } from './memory.feature-state.ts';
import { readStateSnapshot, removeAbandonedSnapshotWrites, writeStateSnapshot } from './state-snapshot.file.ts';
import { fetchStateSnapshot, publishStateSnapshot, type Publishing } from './state-snapshot.shared.ts';

export interface OnlineStateDependencies {
  readonly database: Database;
  /** Opens the sealed session input of replayed orders (src/privacy/personal-data.ts). */
  readonly openInput?: HistoryRange['openInput'];
  /**
   * Starts a thread that opens with the same keys (src/privacy/background-opener.ts), for a full rebuild: it opens
   * each page's sealed values while the pages before are applied. Without it a rebuild opens on the event loop.
   */
  readonly startBackgroundOpener?: () => Promise<BackgroundOpener>;
  readonly state: MemoryFeatureState;
  /** How a fact reaches the state (the engine's record); applying one twice changes nothing. */
  readonly record: (event: HistoryEvent) => Promise<void>;
  /**
   * The same as `record` without a promise per fact, when the engine records straight into `state`: a start applies
   * millions of facts, and an awaited call each cost seconds of them.
   */
  readonly recordsIntoState?: boolean;
  /** The snapshot file; null: always rebuild from the database, never write one. */
  readonly snapshotPath: string | null;
  /** MASTER_KEYS: the first seals the snapshot, any of them opens one (one sealed before a rotation); none: no snapshot. */
  readonly masterKeys: readonly MasterKey[];
  /**
   * Shares the snapshot through the database (PostgreSQL, several processes): written snapshots are published there,
   * at most one every `minimumIntervalMilliseconds` across all processes, and a start without a usable file of its
   * own fetches the newest one. Absent: the file only.
   */
  readonly sharing?: { readonly minimumIntervalMilliseconds: number };
  readonly log: (details: object, message: string) => void;
}

export interface StartFigures {
  readonly fromSnapshot: boolean;
  /** Where the snapshot used came from: this process's file, or the database (published by a process before). */
  readonly snapshotSource: 'file' | 'database' | null;
  /** How long fetching it from the database took (null: not fetched). */
  readonly snapshotFetchMilliseconds: number | null;
  /** When the snapshot used was written (null: rebuilt). */
  readonly snapshotWrittenAt: number | null;
  /**
   * Every erasure finished up to this number had been purged from the state started with (the snapshot's, or taken
   * before the rebuild read the history): erasures finished after it may still be in it until the next rebuild.
   */
  readonly erasuresPurged: number;
  /** Facts read from the database and applied: all of them on a rebuild, only the newer ones after a snapshot. */
  readonly replayedEvents: number;
  readonly mark: number;
  readonly milliseconds: number;
}

async function databaseIdentity(database: Database): Promise<string> {
  const [row] = await database.query<{ id: string }>('SELECT id FROM database_identity LIMIT 1');
  return row?.id ?? 'unknown';
}

export interface SnapshotFigures {
  readonly bytes: number;
  /** From the start of the write until the file was on disk under its name. */
  readonly milliseconds: number;
  /** How long taking the cut held the event loop (it copies nothing: rows are copied as they change). */
  readonly cutMilliseconds: number;
  /** The longest the event loop was held making one frame of the cut (the writer thread serialises it). */
  readonly longestFrameMilliseconds: number;
  /** The longest stall of the event loop, at most: the cut and the longest frame (the rest ran between requests). */
  readonly blockedMilliseconds: number;
  /** Whether it was shared through the database (and if not, why); absent when not sharing. */
  readonly publishing?: Publishing;
}

export function makeOnlineStateService(dependencies: OnlineStateDependencies) {
  const { database, state, record, snapshotPath, log } = dependencies;
  if (snapshotPath !== null && dependencies.masterKeys.length === 0)
    throw new Error('a state snapshot needs a master key to seal it');
  let databaseId = '';
  /** The state holds every fact numbered at most this (and possibly some later ones, applied live). */
  let completeUpTo = 0;
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  let lastWritten: SnapshotFigures | null = null;
  /** The start rebuilt the state from the whole history: the schedule writes it at once. */
  let rebuiltOnStart = false;
  /** Erasures purged from the state up to this finished_seq (see StartFigures), written into each snapshot. */
  let erasuresPurged = 0;

  /** A full read (no sequence: a rebuild) opens on the background thread, if there is one; a catch-up is short. */
  async function rangeFor(afterSequence: number | undefined): Promise<HistoryRange> {
    const openInput = dependencies.openInput;
    let background: BackgroundOpener | undefined;
    if (afterSequence === undefined && openInput !== undefined && dependencies.startBackgroundOpener !== undefined)
      background = await dependencies.startBackgroundOpener().catch((error: unknown) => {
        // Slower, not wrong: the event loop opens as it always could.
        log({ error: String(error) }, 'opening thread not started: the rebuild opens on the event loop');
        return undefined;
      });
    return {
      ...(afterSequence === undefined ? {} : { afterSequence }),
      forState: true,
      ...(openInput ? { openInput } : {}),
      ...(background ? { background } : {}),
    };
  }

  /** Reads the facts after `afterSequence` (all: undefined) a batch at a time into `apply`; how many there were. */
  async function readFacts(
    afterSequence: number | undefined,
    apply: (batch: HistoryEvent[]) => Promise<void> | void,
  ): Promise<number> {
    let events = 0;
    const range = await rangeFor(afterSequence);
    try {
      for await (const batch of readHistoryBatches(database, range)) {
        await apply(batch);
        events += batch.length;
      }
    } finally {
      await range.background?.close();
    }
    return events;
  }

  function replay(afterSequence: number | undefined): Promise<number> {
    return readFacts(afterSequence, async (batch) => {
      if (dependencies.recordsIntoState) for (const event of batch) state.applySync(event);
      else for (const event of batch) await record(event);
    });
  }

  async function start(): Promise<StartFigures> {
    const started = performance.now();
    databaseId = await databaseIdentity(database);
    // Taken before reading: every fact committed with a number up to here is read below.
    const mark = await historyMark(database);
    // Before reading: an erasure finishing during the read may have left part of its person in the state.
    const erasuresBefore = await latestFinishedErasure(database);
    let after: number | undefined;
    let snapshotWrittenAt: number | null = null;
    let snapshotSource: StartFigures['snapshotSource'] = null;
    let snapshotFetchMilliseconds: number | null = null;
    if (snapshotPath !== null) {
      const abandoned = await removeAbandonedSnapshotWrites(snapshotPath);
      if (abandoned.length > 0) log({ removed: abandoned }, 'removed unfinished state snapshot writes');
      const read = () => readStateSnapshot(snapshotPath, { databaseId, mark }, dependencies.masterKeys);
      let reading = await read();
      if (reading.ok) snapshotSource = 'file';
      else if (dependencies.sharing !== undefined) {
        const fetching = await fetchStateSnapshot(database, snapshotPath).catch((error: unknown) => ({
          fetched: false as const,
          reason: `fetch failed: ${String(error)}`,
        }));
        if (fetching.fetched) {
          snapshotFetchMilliseconds = fetching.milliseconds;
          const own = reading;
          reading = await read();
          if (reading.ok) snapshotSource = 'database';
          log(
            { ...fetching, ...(own.ok ? {} : { file: own.reason }), ...(reading.ok ? {} : { reason: reading.reason }) },
            'online state snapshot fetched from the database',
          );
        } else if (fetching.reason !== 'none published by this release' || reading.reason !== 'no snapshot') {
          log({ reason: fetching.reason }, 'no online state snapshot fetched from the database');
        }
      }
      if (reading.ok) {
        state.importData(reading.data);
        after = reading.header.mark;
        snapshotWrittenAt = Date.parse(reading.header.writtenAt);
        erasuresPurged = reading.header.erasuresPurged ?? 0;
      } else if (reading.reason !== 'no snapshot') {
        log(
          { path: snapshotPath, reason: reading.reason },
          'online state snapshot not used: rebuilding from the database',
        );
      }
    }
    const replayedEvents = await replay(after);
    completeUpTo = mark;
    rebuiltOnStart = after === undefined && snapshotPath !== null;
    if (after === undefined) erasuresPurged = erasuresBefore;
    const figures = {
      fromSnapshot: after !== undefined,
      snapshotSource,
      snapshotFetchMilliseconds,
      snapshotWrittenAt,
      erasuresPurged,
      replayedEvents,
      mark,
      milliseconds: Math.round(performance.now() - started),
    };
    log(figures, 'online state ready');
    return figures;
  }

  /**
   * Catches up with facts committed elsewhere since the last mark, then writes the state. While serving, the file is
   * stamped with the mark of the previous round, not this one: a transaction that drew its number before this
   * round's mark but commits after the read is then still replayed on start (applying twice changes nothing). On
   * clean shutdown this server has nothing in flight any more, so the file takes this round's mark.
   */
  async function snapshot(final: boolean): Promise<void> {
    if (snapshotPath === null) return;
    const next = await historyMark(database);
    const stamp = final ? next : completeUpTo;
    await replay(completeUpTo);
    await mkdir(dirname(snapshotPath), { recursive: true });
    const started = performance.now();
    // Taking the cut copies nothing; each frame is then made in a turn of the event loop of its own (the writer thread
    // serialises it), rows that change meanwhile copied as they were first.
    const cut = state.cut();
    const purged = erasuresPurged;
    const cutMilliseconds = performance.now() - started;
    let header: Awaited<ReturnType<typeof writeStateSnapshot>>;
    try {
      header = await writeStateSnapshot(
        snapshotPath,
        cut,
        { databaseId, mark: stamp, erasuresPurged: purged },
        dependencies.masterKeys[0]!,
      );
    } finally {
      cut.release();
    }
    completeUpTo = next;
    let written: SnapshotFigures = {
      bytes: header.bytes,
      milliseconds: Math.round(performance.now() - started),
      cutMilliseconds: Math.round(cutMilliseconds),
      longestFrameMilliseconds: Math.round(header.longestFrameMilliseconds),
      // The first frame is serialised in the same turn as the cut: the longest stall is at most the two together.
      blockedMilliseconds: Math.round(cutMilliseconds + header.longestFrameMilliseconds),
    };
    if (dependencies.sharing !== undefined) {
      const publishing = await publishStateSnapshot(
        database,
        snapshotPath,
        dependencies.sharing.minimumIntervalMilliseconds,
      ).catch((error: unknown) => ({ published: false as const, reason: `failed: ${String(error)}` }));
      written = { ...written, publishing };
    }
    // Reported once whole (published or not): the file is on disk already.
    lastWritten = written;
    log({ path: snapshotPath, mark: stamp, ...written }, 'online state snapshot written');
  }

  /** One write at a time; a failed write is logged and the previous snapshot stays. */
  function snapshotSafely(final = false): Promise<unknown> {
    writing = writing
      .then(() => snapshot(final))
      .catch((error: unknown) => log({ error: String(error) }, 'state snapshot failed'));
    return writing;
  }

  /**
   * After an erasure: the state is rebuilt from the database (where the person no longer is) beside the live one,
   * swapped in, caught up with facts committed meanwhile, and the snapshot file rewritten, so that neither this
   * process nor a restart from its snapshot brings the person back.
   */
  async function rebuild(): Promise<number> {
    const mark = await historyMark(database);
    // A read of the history after it holds nobody it erased.
    const erasures = await latestFinishedErasure(database);
    const rebuilt = makeMemoryFeatureState();
    let events = await readFacts(undefined, (batch) => {
      for (const event of batch) rebuilt.applySync(event);
    });
    state.replaceWith(rebuilt);
    erasuresPurged = Math.max(erasuresPurged, erasures);
    events += await replay(mark);
    completeUpTo = Math.max(completeUpTo, mark);
    if (snapshotPath !== null) await snapshotSafely(false);
    log({ events }, 'online state rebuilt after an erasure');
    return events;
  }

  return {
    start,
    rebuild,
    snapshot: () => snapshotSafely(false),
    /** The latest snapshot written by this process (null: none yet). */
    lastSnapshot: (): SnapshotFigures | null => lastWritten,
    /** Snapshots every `intervalMilliseconds` (0: only on clean shutdown), and at once if the start rebuilt the state. */
    schedule(intervalMilliseconds: number): void {
      if (snapshotPath === null || intervalMilliseconds <= 0 || timer !== null) return;
      timer = setInterval(() => void snapshotSafely(), intervalMilliseconds);
      timer.unref();
      // A state the start rebuilt is written (and published) now, not an interval later: a crash meanwhile rebuilt it
      // again, and during a rolling upgrade (a new catalogue) every other new process would rebuild it too.
      if (rebuiltOnStart) void snapshotSafely();
      rebuiltOnStart = false;
    },
    /** Clean shutdown: stop the schedule and write a last snapshot (after requests have stopped, before the database closes). */
    async stop(): Promise<void> {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await snapshotSafely(true);
    },
  };
}

export type OnlineStateService = ReturnType<typeof makeOnlineStateService>;
