// The online-state snapshot file: a JSON header line, then the state in v8-serialised frames, then a checksum.
import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { featureCatalogue } from '../features/feature.catalogue.ts';
import { engineVersion } from '../risk.engine.ts';
import { entityKinds, type EntityKind } from './feature-state.ts';
import { stateDataVersion, type StateData } from './memory.feature-state.ts';

const magic = 'rearguard-online-state';
/** The file's own layout: framed (length-prefixed parts, checksum at the end); 3 has one frame per entity table. */
const fileLayout = 3;
/**
 * Accounts per frame: no frame (and no single serialise or deserialise call) grows with the whole history, and
 * serialising one frame is the longest the event loop is held after the state is cut.
 */
const accountsPerFrame = 10_000;

/**
 * What the state means: a new engine, feature catalogue or state layout makes older snapshots unusable (rebuilt),
 * because features computed from them could silently differ from a rebuild.
 */
export const stateCatalogueVersion = createHash('sha256')
  .update(JSON.stringify([engineVersion, stateDataVersion, featureCatalogue.map((feature) => feature.name)]))
  .digest('hex')
  .slice(0, 16);

export interface SnapshotHeader {
  readonly format: typeof magic;
  readonly layout: number;
  readonly catalogue: string;
  /** The database it was taken from (database_identity.id). */
  readonly databaseId: string;
  /** Every fact numbered at most this (history_seq) is in the state; later ones are replayed on start. */
  readonly mark: number;
  readonly writtenAt: string;
}

export interface SnapshotWritten extends SnapshotHeader {
  readonly bytes: number;
  readonly sha256: string;
  /** The longest the event loop was held serialising one frame. */
  readonly longestFrameMilliseconds: number;
}

export type SnapshotReading =
  | { readonly ok: true; readonly header: SnapshotHeader; readonly data: StateData }
  | { readonly ok: false; readonly reason: string };

type Frame =
  | readonly ['meta', Pick<StateData, 'version' | 'applied' | 'latestAt' | 'accountSweepCursor'>]
  | readonly ['indexes', StateData['indexes']]
  | readonly ['table', EntityKind, StateData['tables'][EntityKind]]
  | readonly ['orders', StateData['orders']]
  | readonly ['accounts', StateData['accounts']];

/**
 * The writing thread: hashes each frame, appends it to the temporary file, and at the end writes the checksum,
 * flushes the file to disk and renames it over the old one (a crash leaves one whole file). Plain JavaScript so it
 * needs no loader; frames arrive transferred, not copied.
 */
const writerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } = require('node:fs');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
const file = openSync(workerData.temporary, 'w');
let bytes = 0;
writeSync(file, workerData.headerLine);
parentPort.on('message', (message) => {
  try {
    if (message.frame) {
      const body = Buffer.from(message.frame);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(body.length);
      hash.update(length);
      hash.update(body);
      writeSync(file, length);
      writeSync(file, body);
      bytes += 4 + body.length;
      return;
    }
    const digest = hash.digest();
    writeSync(file, Buffer.alloc(4));
    writeSync(file, digest);
    fsyncSync(file);
    closeSync(file);
    renameSync(workerData.temporary, workerData.path);
    parentPort.postMessage({ ok: true, bytes, sha256: digest.toString('hex') });
  } catch (error) {
    try { closeSync(file); unlinkSync(workerData.temporary); } catch {}
    parentPort.postMessage({ ok: false, error: String(error) });
  }
});
`;

/** The state split into frames, each serialised as it is handed to the writer. */
function* framesOf(data: StateData): Generator<Frame> {
  const { version, applied, latestAt, accountSweepCursor } = data;
  yield ['meta', { version, applied, latestAt, accountSweepCursor }];
  yield ['indexes', data.indexes];
  for (const kind of entityKinds) yield ['table', kind, data.tables[kind]];
  yield ['orders', data.orders];
  for (let start = 0; start < data.accounts.length; start += accountsPerFrame)
    yield ['accounts', data.accounts.slice(start, start + accountsPerFrame)];
}

/**
 * Writes a state cut (`StateData` is a copy the live state no longer changes) a frame at a time: each frame is
 * serialised here and handed to the writer thread, which hashes, writes and flushes it, and the event loop is let go
 * between frames, so serving stalls for one frame's serialising at most, not for the whole state.
 */
export async function writeStateSnapshot(
  path: string,
  data: StateData,
  stamp: { readonly databaseId: string; readonly mark: number },
): Promise<SnapshotWritten> {
  const header: SnapshotHeader = {
    format: magic,
    layout: fileLayout,
    catalogue: stateCatalogueVersion,
    databaseId: stamp.databaseId,
    mark: stamp.mark,
    writtenAt: new Date().toISOString(),
  };
  const writer = new Worker(writerSource, {
    eval: true,
    workerData: { path, temporary: `${path}.${process.pid}.tmp`, headerLine: `${JSON.stringify(header)}\n` },
  });
  try {
    const finished = new Promise<{ ok: boolean; bytes?: number; sha256?: string; error?: string }>(
      (resolve, reject) => {
        writer.once('message', resolve);
        writer.once('error', reject);
        writer.once('exit', (code) => reject(new Error(`the snapshot writer stopped (exit code ${code})`)));
      },
    );
    let longestFrameMilliseconds = 0;
    for (const frame of framesOf(data)) {
      const started = performance.now();
      const body = serialize(frame);
      // A Buffer from serialize may share a pooled ArrayBuffer: send an exact copy's buffer, transferred.
      const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
      writer.postMessage({ frame: own.buffer }, [own.buffer as ArrayBuffer]);
      longestFrameMilliseconds = Math.max(longestFrameMilliseconds, performance.now() - started);
      await nextTurn();
    }
    writer.postMessage({ finish: true });
    const result = await finished;
    if (!result.ok) throw new Error(`snapshot not written: ${result.error}`);
    return { ...header, bytes: result.bytes!, sha256: result.sha256!, longestFrameMilliseconds };
  } finally {
    await writer.terminate();
  }
}

/** Reads exactly `length` bytes at `position`, or fewer at the end of the file. */
async function readAt(file: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function assemble(frames: Frame[]): StateData | string {
  let meta: Extract<Frame, readonly ['meta', unknown]>[1] | undefined;
  let indexes: StateData['indexes'] | undefined;
  const tables: Partial<Record<EntityKind, StateData['tables'][EntityKind]>> = {};
  let orders: StateData['orders'] | undefined;
  const accounts: StateData['accounts'] = [];
  for (const frame of frames) {
    if (frame[0] === 'meta') meta = frame[1];
    else if (frame[0] === 'indexes') indexes = frame[1];
    else if (frame[0] === 'table') tables[frame[1]] = frame[2];
    else if (frame[0] === 'orders') orders = frame[1];
    else for (const account of frame[1]) accounts.push(account);
  }
  if (!meta || !indexes || !orders || entityKinds.some((kind) => tables[kind] === undefined)) return 'incomplete body';
  if (meta.version !== stateDataVersion) return `state layout ${String(meta.version)}`;
  return { ...meta, indexes, tables: tables as StateData['tables'], orders, accounts };
}

/**
 * Reads and checks a snapshot a frame at a time (no single read or deserialise of the whole file); any doubt
 * (missing, torn, another catalogue or database, a checksum that does not match) is a reason, not an error.
 */
export async function readStateSnapshot(
  path: string,
  expected: { readonly databaseId: string; readonly mark: number },
): Promise<SnapshotReading> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no snapshot' : `unreadable: ${String(error)}` };
  }
  try {
    const start = await readAt(file, 0, 4096);
    const newline = start.indexOf(10);
    let header: SnapshotHeader;
    try {
      header = JSON.parse(start.subarray(0, newline < 0 ? 0 : newline).toString('utf8')) as SnapshotHeader;
    } catch {
      return { ok: false, reason: 'corrupt header' };
    }
    if (header.format !== magic) return { ok: false, reason: 'not a state snapshot' };
    if (header.layout !== fileLayout) return { ok: false, reason: `file layout ${String(header.layout)}` };
    if (header.catalogue !== stateCatalogueVersion)
      return { ok: false, reason: `feature catalogue ${header.catalogue}, this build has ${stateCatalogueVersion}` };
    if (header.databaseId !== expected.databaseId) return { ok: false, reason: 'taken from another database' };
    if (header.mark > expected.mark)
      return { ok: false, reason: `ahead of the database (mark ${header.mark} > ${expected.mark}): restored backup?` };
    const hash = createHash('sha256');
    const frames: Frame[] = [];
    let position = newline + 1;
    for (;;) {
      const length = await readAt(file, position, 4);
      if (length.length < 4) return { ok: false, reason: 'corrupt body (torn)' };
      position += 4;
      const size = length.readUInt32LE(0);
      if (size === 0) break;
      const body = await readAt(file, position, size);
      if (body.length < size) return { ok: false, reason: 'corrupt body (torn)' };
      position += size;
      hash.update(length);
      hash.update(body);
      try {
        frames.push(deserialize(body) as Frame);
      } catch {
        return { ok: false, reason: 'corrupt body (checksum)' };
      }
    }
    const digest = await readAt(file, position, 32);
    if (!hash.digest().equals(digest)) return { ok: false, reason: 'corrupt body (checksum)' };
    const data = assemble(frames);
    return typeof data === 'string' ? { ok: false, reason: data } : { ok: true, header, data };
  } finally {
    await file.close();
  }
}

export async function removeStateSnapshot(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
