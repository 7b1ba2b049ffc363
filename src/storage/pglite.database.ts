// Embedded PostgreSQL (PGlite, WebAssembly) adapter of the Database port, in the calling thread.
// The server runs it inside a worker thread (pglite-worker.database.ts); tests and short commands use it directly.
import { PGlite } from '@electric-sql/pglite';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import { lockDataDirectory } from './data-directory.lock.ts';
import { makePreparedStatements, type PreparedStatements } from './pglite.statements.ts';
import { DurableNodeFs, WalSyncGroup, durableStartParams, type DurabilityFigures } from './pglite.durability.ts';

export interface PgliteOptions {
  /** Directory for the data files; undefined keeps everything in memory. */
  readonly dataDir?: string;
  /** A dump made by `dumpPglite`, to start from a prepared template instead of an empty database. */
  readonly loadDataDir?: Blob | File;
  /** False when the caller already holds the data directory's lock (the worker's parent thread does). */
  readonly lock?: boolean;
}

export interface PgliteDatabase extends Database {
  readonly pglite: PGlite;
  /** Whether a commit is on disk (fsync) before it is acknowledged: true for an on-disk data directory. */
  readonly durable: boolean;
  durabilityFigures(): DurabilityFigures | null;
}

function wrap(
  executor: Pick<PGlite, 'exec'>,
  statements: PreparedStatements,
  inTransaction: boolean,
  settle: () => Promise<void>,
): SqlExecutor {
  return {
    async exec(script: string) {
      try {
        await executor.exec(script);
      } finally {
        // A script (a migration) may change what a prepared statement reads: they are prepared again.
        statements.forget();
      }
      await settle();
    },
    async query<Row>(text: string, params: readonly SqlValue[] = []) {
      const rows = await statements.run<Row>(text, params, inTransaction);
      await settle();
      return rows;
    },
  };
}

const nothingToSettle = () => Promise.resolve();

export async function makePgliteDatabase(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  // Two processes on one data directory corrupt it (an import beside a running server): the second one stops here.
  const lock =
    options.dataDir === undefined || options.lock === false ? null : await lockDataDirectory(options.dataDir);
  const group = options.dataDir === undefined ? null : new WalSyncGroup();
  const pglite = await PGlite.create({
    ...(options.dataDir !== undefined && group
      ? { fs: new DurableNodeFs(options.dataDir, group), startParams: [...durableStartParams] }
      : {}),
    loadDataDir: options.loadDataDir,
    relaxedDurability: false,
  }).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  // A statement or commit is answered once the WAL it wrote is on disk; statements inside a transaction are not
  // waited for one by one, only its commit is.
  const settle = group ? () => group.durable() : nothingToSettle;
  const statements = makePreparedStatements(pglite);
  const base = wrap(pglite, statements, false, settle);
  return {
    kind: 'pglite',
    pglite,
    durable: group !== null,
    durabilityFigures: () => group?.figures ?? null,
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      const result = await pglite.transaction((tx) => work(wrap(tx, statements, true, nothingToSettle)));
      await settle();
      return result;
    },
    async close() {
      await pglite.close();
      await lock?.release();
    },
  };
}

/** Dumps a PGlite database (e.g. a migrated empty one) so tests can clone it instead of initialising anew. */
export async function dumpPglite(database: { pglite: PGlite }): Promise<Blob | File> {
  return database.pglite.dumpDataDir('none');
}
