// Durable commits for an on-disk PGlite: PostgreSQL's own fsyncs made real, the commit ones grouped.
// PGlite runs PostgreSQL with fsync off (`-F`) on Emscripten's NODEFS, whose files have no fsync: its writes reach
// the kernel (a kill -9 loses nothing) but nothing forces them to the disk (a power cut can). Here fsync is on,
// NODEFS gets a real fsync, and WAL flushes are deferred into one fsync per group of concurrent commits; every
// other fsync, write, rename or unlink outside pg_wal first completes the deferred ones, so PostgreSQL's
// write-ahead order (WAL before data, checkpoint before control file) holds on disk as it believes it does.
import { fsync, fsyncSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

interface EmscriptenStream {
  readonly path?: string;
  readonly nfd?: number;
}
type StreamOperation = (stream: EmscriptenStream, ...rest: unknown[]) => unknown;
type NodeOperation = (...rest: unknown[]) => unknown;
interface EmscriptenNodeFs {
  readonly stream_ops: Record<string, StreamOperation>;
  readonly node_ops: Record<string, NodeOperation>;
}

/** PGlite's start parameters with fsync on and the WAL synced by fsync() (Emscripten's fdatasync does nothing). */
export const durableStartParams: readonly string[] = [
  ...PGlite.defaultStartParams.filter((parameter) => parameter !== '-F'),
  '-c',
  'fsync=on',
  '-c',
  'wal_sync_method=fsync',
];

const isWal = (stream: EmscriptenStream) => stream.path?.includes('/pg_wal/') === true;

function fsyncIgnoringClosed(descriptor: number): void {
  try {
    fsyncSync(descriptor);
  } catch (error) {
    // A WAL file PostgreSQL closed after a barrier synced it: nothing left to do for it.
    if ((error as NodeJS.ErrnoException).code !== 'EBADF') throw error;
  }
}

export interface DurabilityFigures {
  /** fsync() calls PostgreSQL asked for on WAL files (one per commit that wrote). */
  readonly walSyncRequests: number;
  /** Group fsyncs that made those durable (fewer when commits were concurrent). */
  readonly groupSyncs: number;
  /** Synchronous syncs forced by a write outside pg_wal while WAL syncs were deferred. */
  readonly barriers: number;
}

/** Deferred WAL fsyncs and the group flush that completes them; one per PGlite instance. */
export class WalSyncGroup {
  #pending = new Set<number>();
  #inFlight = new Set<number>();
  #requested = 0;
  #synced = 0;
  #flushing = false;
  #failure: Error | null = null;
  #waiters: Array<{ target: number; resolve: () => void; reject: (error: Error) => void }> = [];
  #figures = { walSyncRequests: 0, groupSyncs: 0, barriers: 0 };

  get figures(): DurabilityFigures {
    return { ...this.#figures };
  }

  /** PostgreSQL asked for a WAL file to be synced: remember it for the group. */
  defer(descriptor: number): void {
    this.#pending.add(descriptor);
    this.#requested += 1;
    this.#figures.walSyncRequests += 1;
  }

  /** Makes every deferred sync durable now (before PostgreSQL writes anything that relies on the WAL). */
  barrier(): void {
    if (this.#pending.size === 0 && this.#inFlight.size === 0) return;
    this.#figures.barriers += 1;
    for (const descriptor of [...this.#pending, ...this.#inFlight]) fsyncIgnoringClosed(descriptor);
    this.#pending.clear();
    this.#settle(this.#requested);
  }

  /** A file is being closed: if its sync is deferred, do it now, while the descriptor still names it. */
  beforeClose(descriptor: number | undefined): void {
    if (descriptor === undefined) return;
    if (this.#pending.has(descriptor) || this.#inFlight.has(descriptor)) fsyncIgnoringClosed(descriptor);
    this.#pending.delete(descriptor);
  }

  /** Resolves when everything PostgreSQL has flushed so far is on disk; commits waiting together share one fsync. */
  durable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const target = this.#requested;
    if (this.#synced >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    // setImmediate lets the operations already queued run (and commit) first, so they join this group.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    const target = this.#requested;
    const descriptors = [...this.#pending];
    this.#pending.clear();
    for (const descriptor of descriptors) this.#inFlight.add(descriptor);
    this.#figures.groupSyncs += 1;
    // Asynchronous fsync: PostgreSQL keeps running transactions meanwhile; they join the next group.
    let remaining = descriptors.length;
    let failure: Error | null = null;
    const done = () => {
      this.#inFlight.clear();
      this.#flushing = false;
      if (failure) this.#fail(failure);
      else this.#settle(target);
      if (this.#waiters.length > 0) this.#schedule();
    };
    if (remaining === 0) return done();
    for (const descriptor of descriptors) {
      fsync(descriptor, (error) => {
        if (error && error.code !== 'EBADF') failure = error;
        remaining -= 1;
        if (remaining === 0) done();
      });
    }
  }

  #settle(target: number): void {
    this.#synced = Math.max(this.#synced, target);
    const still = [];
    for (const waiter of this.#waiters) {
      if (waiter.target <= this.#synced) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  /** Like PostgreSQL after a failed fsync, nothing more is acknowledged: the kernel may have dropped the pages. */
  #fail(error: Error): void {
    this.#failure = new Error(`fsync of the embedded database failed: ${error.message}`);
    for (const waiter of this.#waiters) waiter.reject(this.#failure);
    this.#waiters = [];
  }
}

function wrapStreamOperations(nodeFs: EmscriptenNodeFs, group: WalSyncGroup): void {
  const { stream_ops: streams, node_ops: nodes } = nodeFs;
  const { write, close } = streams;
  streams.fsync = (stream) => {
    if (stream.nfd === undefined) return 0;
    if (isWal(stream)) {
      group.defer(stream.nfd);
      return 0;
    }
    group.barrier();
    fsyncSync(stream.nfd);
    return 0;
  };
  streams.write = (stream, ...rest) => {
    if (!isWal(stream)) group.barrier();
    return write!(stream, ...rest);
  };
  streams.close = (stream, ...rest) => {
    group.beforeClose(stream.nfd);
    return close!(stream, ...rest);
  };
  for (const name of ['rename', 'unlink', 'rmdir']) {
    const operation = nodes[name]!;
    nodes[name] = (...rest) => {
      group.barrier();
      return operation(...rest);
    };
  }
}

/** NODEFS with a real fsync whose WAL syncs are grouped by `group`. */
export class DurableNodeFs extends NodeFS {
  constructor(
    dataDir: string,
    readonly group: WalSyncGroup,
  ) {
    super(dataDir);
  }

  override async init(...[pg, options]: Parameters<NodeFS['init']>) {
    const { emscriptenOpts } = await super.init(pg, options);
    const preRun = [
      ...(emscriptenOpts.preRun ?? []),
      (module: { NODEFS: EmscriptenNodeFs }) => wrapStreamOperations(module.NODEFS, this.group),
    ];
    return { emscriptenOpts: { ...emscriptenOpts, preRun } };
  }
}
