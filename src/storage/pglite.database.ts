// Embedded PostgreSQL (PGlite, WebAssembly, in-process) adapter of the Database port.
import { PGlite } from '@electric-sql/pglite';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import { lockDataDirectory } from './data-directory.lock.ts';

export interface PgliteOptions {
  /** Directory for the data files; undefined keeps everything in memory. */
  readonly dataDir?: string;
  /** A dump made by `dumpPglite`, to start from a prepared template instead of an empty database. */
  readonly loadDataDir?: Blob | File;
}

function wrap(executor: Pick<PGlite, 'query' | 'exec'>): SqlExecutor {
  return {
    async exec(script: string) {
      await executor.exec(script);
    },
    async query<Row>(text: string, params: readonly SqlValue[] = []) {
      const result = await executor.query<Row>(text, params as unknown[]);
      return result.rows;
    },
  };
}

export async function makePgliteDatabase(options: PgliteOptions = {}): Promise<Database & { pglite: PGlite }> {
  // Two processes on one data directory corrupt it (an import beside a running server): the second one stops here.
  const lock = options.dataDir === undefined ? null : await lockDataDirectory(options.dataDir);
  const pglite = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    relaxedDurability: false,
  }).catch(async (error: unknown) => {
    await lock?.release();
    throw error;
  });
  const base = wrap(pglite);
  return {
    kind: 'pglite',
    pglite,
    query: base.query,
    exec: base.exec,
    transaction: (work) => pglite.transaction((tx) => work(wrap(tx))),
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
