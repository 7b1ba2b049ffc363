// The online-state snapshot file: a JSON header line, then the state in v8-serialised frames, then a checksum.
import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { deserialize } from 'node:v8';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { featureCatalogue } from '../features/feature.catalogue.ts';
import { engineVersion } from '../risk.engine.ts';
import {
  assembleState,
  stateDataVersion,
  type StateCut,
  type StateData,
  type StateFrame,
} from './memory.feature-state.ts';

const magic = 'rearguard-online-state';
/**
 * The file's own layout: framed (length-prefixed parts, checksum at the end); 4 has a cut's frames (entity tables'
 * rows, the order index and the account indexes each in parts).
 */
const fileLayout = 4;

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

/**
 * The writing thread: serialises each frame (v8.serialize), hashes it, appends it to the temporary file and says so,
 * and at the end writes the checksum, flushes the file to disk and renames it over the old one (a crash leaves one
 * whole file). Plain JavaScript so it needs no loader. Frames arrive as structured clones, their typed arrays
 * transferred: serialising them here, not on the event loop, cut the event loop's time per snapshot by a third and
 * left it fewer long-lived buffers to scavenge.
 */
const writerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { serialize } = require('node:v8');
const hash = createHash('sha256');
const file = openSync(workerData.temporary, 'w');
let bytes = 0;
writeSync(file, workerData.headerLine);
// A cloned array arrives holey, which v8.serialize writes in its sparse form (index and value per item: a larger
// file, and arrays read back with room to grow); copied item by item it is packed again, written dense.
const packed = (value) => {
  if (Array.isArray(value)) return Array.from(value, packed);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const copy = {};
  for (const key of Object.keys(value)) copy[key] = packed(value[key]);
  return copy;
};
parentPort.on('message', (message) => {
  try {
    if (message.frame) {
      const body = serialize(packed(message.frame));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(body.length);
      hash.update(length);
      hash.update(body);
      writeSync(file, length);
      writeSync(file, body);
      bytes += 4 + body.length;
      parentPort.postMessage({ written: true });
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

/** Frames handed to the writer and not yet written, at most. */
const framesAhead = 8;

/**
 * The buffers of the typed arrays a frame holds (at its top level, or in objects one or two levels down), each the
 * whole of its buffer: a frame's typed arrays are made for it (slices and packed lists), so they are transferred to
 * the writer rather than copied. Arrays inside (keys, accounts) are cloned.
 */
function ownBuffers(frame: StateFrame): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown, depth: number): void => {
    if (ArrayBuffer.isView(value)) {
      const buffer = value.buffer;
      if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength)
        buffers.add(buffer);
    } else if (depth > 0 && typeof value === 'object' && value !== null && !Array.isArray(value))
      for (const inner of Object.values(value)) visit(inner, depth - 1);
  };
  for (const part of frame) visit(part, 2);
  return [...buffers];
}

/**
 * Writes a state cut a frame at a time: each frame is made here, in a turn of the event loop of its own, and handed
 * to the writer thread, which serialises, hashes, writes and flushes it, so serving stalls for one frame's making at
 * most, not for the whole state. The cut is the caller's to release.
 */
export async function writeStateSnapshot(
  path: string,
  cut: Pick<StateCut, 'frames'>,
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
    let inFlight = 0;
    let written: (() => void) | null = null;
    const finished = new Promise<{ ok: boolean; bytes?: number; sha256?: string; error?: string }>(
      (resolve, reject) => {
        writer.on('message', (message: { written?: true; ok?: boolean }) => {
          if (message.written !== true) return resolve(message as { ok: boolean });
          inFlight -= 1;
          written?.();
          written = null;
        });
        writer.once('error', reject);
        writer.once('exit', (code) => reject(new Error(`the snapshot writer stopped (exit code ${code})`)));
      },
    );
    // The writer may end early (a failed write): frames stop, and its answer is awaited below, so a failure meanwhile
    // is not an unhandled rejection.
    let over = false;
    const ended = finished.then(
      () => (over = true),
      () => (over = true),
    );
    let longestFrameMilliseconds = 0;
    const frames = cut.frames[Symbol.iterator]();
    while (!over) {
      const started = performance.now();
      const next = frames.next();
      if (next.done === true) break;
      const frame = next.value;
      writer.postMessage({ frame }, ownBuffers(frame));
      inFlight += 1;
      longestFrameMilliseconds = Math.max(longestFrameMilliseconds, performance.now() - started);
      // A few frames ahead of the writer at most (their copies wait in its queue).
      if (inFlight >= framesAhead) await Promise.race([new Promise<void>((resolve) => (written = resolve)), ended]);
      // Always a turn of the loop of its own: the writer's acknowledgements arrive in bursts, each of which would
      // otherwise make the next frame inside the same message callback, the loop held for the whole burst.
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
    const frames: StateFrame[] = [];
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
        frames.push(deserialize(body) as StateFrame);
      } catch {
        return { ok: false, reason: 'corrupt body (checksum)' };
      }
    }
    const digest = await readAt(file, position, 32);
    if (!hash.digest().equals(digest)) return { ok: false, reason: 'corrupt body (checksum)' };
    let data: StateData | string;
    try {
      data = assembleState(frames);
    } catch (error) {
      // Frames that pass the checksum but are not what this build writes (a build from between two layouts).
      return { ok: false, reason: `unreadable frames: ${String(error)}` };
    }
    return typeof data === 'string' ? { ok: false, reason: data } : { ok: true, header, data };
  } finally {
    await file.close();
  }
}

export async function removeStateSnapshot(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
