// The online state's snapshot shared through PostgreSQL (migration 199): a process with no usable snapshot of its own
// (a new replica, a container started without its disk, a worker of a new release) loads the one another process
// published instead of rebuilding the state from the whole history (at a million orders, ~10 s instead of 50-110 s).
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { latestFinishedErasure } from '../../privacy/erasure.step.ts';
import type { Database } from '../../storage/database.ts';
import { headerLineOf, snapshotKind, temporaryPathOf } from './state-snapshot.file.ts';

/**
 * Bytes per row, a statement each. Fetching 231 MB took 4.5-5.1 s in rows of 16 MB (each arrives as 32 MB of hex
 * text) and 2.0-2.4 s in rows of 1 MB, in a process doing nothing else; publishing them, 1.3-1.8 s.
 */
const chunkBytes = 1024 * 1024;
/** Snapshots of another release (another kind) are left for that release's processes this long, then removed. */
const otherKindsKeptMilliseconds = 24 * 3600 * 1000;

export type Publishing =
  | { readonly published: true; readonly id: string; readonly bytes: number; readonly milliseconds: number }
  | { readonly published: false; readonly reason: string };

export type Fetching =
  | {
      readonly fetched: true;
      readonly id: string;
      readonly mark: number;
      readonly bytes: number;
      readonly milliseconds: number;
    }
  | { readonly fetched: false; readonly reason: string };

/** The advisory lock a publish holds while it runs; an erasure waits for it (see erasure.steps.ts). */
export const publishingLock = `hashtext(current_schema() || '.state_snapshot_publish')`;

/**
 * Publishes the snapshot file at `path` (as written: sealed) for other processes, unless one of this build's kind as
 * new is published already, or one was published less than `minimumIntervalMilliseconds` ago: several processes
 * each write their own snapshot, and the database need hold one of them now and then (an advisory lock lets one
 * publish at a time, the others skip). The file is read from the handle opened here: another process renaming its
 * own write over the path meanwhile changes nothing for this one. One transaction: a reader sees the whole snapshot
 * or the one before, and the one before goes with the commit.
 */
export async function publishStateSnapshot(
  database: Database,
  path: string,
  minimumIntervalMilliseconds: number,
): Promise<Publishing> {
  const started = performance.now();
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const start = Buffer.alloc(Math.min(size, 4096));
    await file.read(start, 0, start.length, 0);
    const header = headerLineOf(start)?.header;
    if (typeof header?.layout !== 'number' || typeof header.catalogue !== 'string' || typeof header.mark !== 'number')
      return { published: false, reason: 'not a state snapshot' };
    const kind = `${header.layout}:${header.catalogue}`;
    const chunks = Math.ceil(size / chunkBytes);
    const id = randomUUID();
    return await database.transaction(async (tx): Promise<Publishing> => {
      const [lock] = await tx.query<{ got: boolean }>(`SELECT pg_try_advisory_xact_lock(${publishingLock}) AS got`);
      if (lock?.got !== true) return { published: false, reason: 'another process is publishing' };
      // An erasure takes the same lock: one that committed before it was taken is seen here, and the state must have
      // been purged of it when cut (a process purges another's erasures a scheduler round later); one that commits
      // later deletes what this publishes.
      if ((await latestFinishedErasure(tx)) > (header.erasuresPurged ?? 0))
        return { published: false, reason: 'it may hold a person erased since' };
      const [latest] = await tx.query<{ mark: string; age: number }>(
        `SELECT mark::text AS mark, (extract(epoch FROM now() - published_at) * 1000)::float8 AS age
           FROM state_snapshots WHERE catalogue = $1 ORDER BY mark DESC LIMIT 1`,
        [kind],
      );
      if (latest !== undefined && Number(latest.mark) >= header.mark)
        return { published: false, reason: `one as new is published (mark ${latest.mark})` };
      if (latest !== undefined && latest.age < minimumIntervalMilliseconds)
        return { published: false, reason: `one was published ${Math.round(latest.age / 1000)} s ago` };
      await tx.query(
        `INSERT INTO state_snapshots (id, catalogue, mark, written_at, bytes, chunks) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, kind, header.mark, header.writtenAt, size, chunks],
      );
      const buffer = Buffer.allocUnsafe(chunkBytes);
      for (let chunk = 0; chunk < chunks; chunk += 1) {
        const { bytesRead } = await file.read(buffer, 0, chunkBytes, chunk * chunkBytes);
        await tx.query('INSERT INTO state_snapshot_chunks (snapshot_id, chunk, bytes) VALUES ($1, $2, $3)', [
          id,
          chunk,
          buffer.subarray(0, bytesRead),
        ]);
      }
      await tx.query(
        `DELETE FROM state_snapshots WHERE id <> $1
           AND (catalogue = $2 OR published_at < now() - $3::float8 * interval '1 millisecond')`,
        [id, kind, otherKindsKeptMilliseconds],
      );
      return { published: true, id, bytes: size, milliseconds: Math.round(performance.now() - started) };
    });
  } finally {
    await file.close();
  }
}

/**
 * Fetches the newest snapshot of this build's kind into `path` (through `<path>.<pid>.tmp`, which a start removes if
 * a crash left it, then renamed over the path). Nothing is checked here: the caller reads the file as it reads its
 * own, which opens nothing that was not sealed under a master key for this database. One repeatable-read transaction,
 * so a snapshot replaced meanwhile is still read whole.
 */
export async function fetchStateSnapshot(database: Database, path: string): Promise<Fetching> {
  const started = performance.now();
  return database.transaction(async (tx): Promise<Fetching> => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [latest] = await tx.query<{ id: string; mark: string; bytes: string; chunks: number }>(
      `SELECT id, mark::text AS mark, bytes::text AS bytes, chunks FROM state_snapshots
        WHERE catalogue = $1 ORDER BY mark DESC LIMIT 1`,
      [snapshotKind],
    );
    if (latest === undefined) return { fetched: false, reason: 'none published by this release' };
    await mkdir(dirname(path), { recursive: true });
    const temporary = temporaryPathOf(path);
    const file = await open(temporary, 'w', 0o600);
    let written = 0;
    try {
      const read = (chunk: number) =>
        tx.query<{ bytes: Buffer }>('SELECT bytes FROM state_snapshot_chunks WHERE snapshot_id = $1 AND chunk = $2', [
          latest.id,
          chunk,
        ]);
      // The next row is asked for while this one is written to the file.
      let next = latest.chunks > 0 ? read(0) : null;
      for (let chunk = 0; chunk < latest.chunks; chunk += 1) {
        const [row] = await next!;
        next = chunk + 1 < latest.chunks ? read(chunk + 1) : null;
        if (row === undefined) {
          await next?.catch(() => undefined);
          return { fetched: false, reason: `chunk ${chunk} of ${latest.chunks} missing` };
        }
        await file.write(row.bytes, 0, row.bytes.length, written);
        written += row.bytes.length;
      }
    } finally {
      await file.close();
      if (written !== Number(latest.bytes)) await unlink(temporary).catch(() => undefined);
    }
    if (written !== Number(latest.bytes))
      return { fetched: false, reason: `${written} bytes where ${latest.bytes} were published` };
    await rename(temporary, path);
    return {
      fetched: true,
      id: latest.id,
      mark: Number(latest.mark),
      bytes: written,
      milliseconds: Math.round(performance.now() - started),
    };
  });
}
