// The online-state snapshot file: a JSON header line, then the state in v8-serialised frames, each sealed (AES-256-GCM
// under a key derived from a master key), then a sealed end record.
import { createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserialize } from 'node:v8';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { MasterKey } from '../../privacy/envelope.ts';
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
 * The file's own layout: framed (length-prefixed parts); 4 has a cut's frames (entity tables' rows, the order index
 * and the account indexes each in parts); 5 seals each frame and ends with a sealed end record instead of a checksum.
 */
const fileLayout = 5;
const nonceLength = 12;
const tagLength = 16;

/**
 * The state holds personal values as its keys (normalised e-mail addresses, phone numbers, addresses, device ids and
 * IPs, names of accounts): the file is sealed so that a copy of the data directory (a backup, a volume moved between
 * hosts) holds none of them readable, and so that nobody who can write the file but does not hold a master key can
 * make a server start from a state of their making (a device made to look long known to a victim's account). The key
 * is derived from a master key (MASTER_KEYS: the first seals, any listed opens) and the database's identity.
 */
function snapshotKey(masterKey: MasterKey, databaseId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey.key, databaseId, 'rearguard-online-state-snapshot', 32));
}

/**
 * What each sealed record is bound to: the header line (its mark, database, catalogue), the record's place in the
 * file and whether it is the end, so no record can be changed, moved, dropped or taken from another file unnoticed.
 */
function recordContext(headerDigest: Buffer, index: number, end: boolean): Buffer {
  const context = Buffer.alloc(headerDigest.length + 5);
  headerDigest.copy(context);
  context.writeUInt32LE(index, headerDigest.length);
  context[headerDigest.length + 4] = end ? 1 : 0;
  return context;
}

/**
 * What the state means: a new engine, feature catalogue or state layout makes older snapshots unusable (rebuilt),
 * because features computed from them could silently differ from a rebuild.
 */
export const stateCatalogueVersion = createHash('sha256')
  .update(JSON.stringify([engineVersion, stateDataVersion, featureCatalogue.map((feature) => feature.name)]))
  .digest('hex')
  .slice(0, 16);

/** Which snapshots this build can read: its file layout and state catalogue (a snapshot shared through the database is kept per kind). */
export const snapshotKind = `${fileLayout}:${stateCatalogueVersion}`;

export interface SnapshotHeader {
  readonly format: typeof magic;
  readonly layout: number;
  readonly catalogue: string;
  /** The database it was taken from (database_identity.id). */
  readonly databaseId: string;
  /** The master key (its id in MASTER_KEYS) the file's key is derived from. */
  readonly masterKeyId: string;
  /** Every fact numbered at most this (history_seq) is in the state; later ones are replayed on start. */
  readonly mark: number;
  readonly writtenAt: string;
  /**
   * Every erasure finished up to this number (erasure_requests.finished_seq) had been purged from the state when it
   * was cut. Absent in files from before: taken as 0, so every erasure is purged again after loading one.
   */
  readonly erasuresPurged?: number;
}

/**
 * The header line a snapshot file starts with (`start`: its first bytes, 4096 at most): the header as parsed and the
 * line's length with its newline. Null: no JSON object on that line. Nothing in it is checked yet.
 */
export function headerLineOf(start: Buffer): { readonly header: SnapshotHeader; readonly length: number } | null {
  const newline = start.indexOf(10);
  if (newline < 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(start.subarray(0, newline).toString('utf8'));
  } catch {
    return null;
  }
  // `null`, a number or an array is JSON too: read as a header, its fields threw and failed the start.
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  return { header: parsed as SnapshotHeader, length: newline + 1 };
}

/** Where this process writes a snapshot (its own or a fetched one) before renaming it over `path`. */
export const temporaryPathOf = (path: string): string => `${path}.${process.pid}.tmp`;

export interface SnapshotWritten extends SnapshotHeader {
  readonly bytes: number;
  /** The longest the event loop was held serialising one frame. */
  readonly longestFrameMilliseconds: number;
}

export type SnapshotReading =
  | { readonly ok: true; readonly header: SnapshotHeader; readonly data: StateData }
  | { readonly ok: false; readonly reason: string };

/**
 * The writing thread: serialises each frame (v8.serialize), seals it, appends it to the temporary file and says so,
 * and at the end writes the end record, flushes the file to disk and renames it over the old one (a crash leaves one
 * whole file). Plain JavaScript so it needs no loader. Frames arrive as structured clones, their typed arrays
 * transferred: serialising them here, not on the event loop, cut the event loop's time per snapshot by a third and
 * left it fewer long-lived buffers to scavenge. A record is its length (4 bytes), then nonce, tag and ciphertext.
 */
const writerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } = require('node:fs');
const { createCipheriv, randomBytes } = require('node:crypto');
const { serialize } = require('node:v8');
const sealingKey = Buffer.from(workerData.key);
// Only its owner reads it: it is sealed, but a copy still is one more copy of the state.
const file = openSync(workerData.temporary, 'w', 0o600);
let bytes = 0;
writeSync(file, workerData.headerLine);
// Each record's context (recordContext) comes with it from the event loop, which counts the records.
const seal = (plain, context) => {
  const nonce = randomBytes(${nonceLength});
  const cipher = createCipheriv('aes-256-gcm', sealingKey, nonce);
  cipher.setAAD(Buffer.from(context));
  // GCM's final adds no bytes: update's output is the whole ciphertext.
  const body = cipher.update(plain);
  cipher.final();
  const length = Buffer.alloc(4);
  length.writeUInt32LE(${nonceLength} + ${tagLength} + body.length);
  writeSync(file, length);
  writeSync(file, nonce);
  writeSync(file, cipher.getAuthTag());
  writeSync(file, body);
  bytes += 4 + ${nonceLength} + ${tagLength} + body.length;
};
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
      seal(serialize(packed(message.frame)), message.context);
      parentPort.postMessage({ written: true });
      return;
    }
    seal(Buffer.alloc(0), message.context);
    fsyncSync(file);
    closeSync(file);
    renameSync(workerData.temporary, workerData.path);
    parentPort.postMessage({ ok: true, bytes });
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
 * to the writer thread, which serialises, seals, writes and flushes it, so serving stalls for one frame's making at
 * most, not for the whole state. The file is sealed under a key derived from `masterKey`. The cut is the caller's to
 * release.
 */
export async function writeStateSnapshot(
  path: string,
  cut: Pick<StateCut, 'frames'>,
  stamp: { readonly databaseId: string; readonly mark: number; readonly erasuresPurged?: number },
  masterKey: MasterKey,
): Promise<SnapshotWritten> {
  const header: SnapshotHeader = {
    format: magic,
    layout: fileLayout,
    catalogue: stateCatalogueVersion,
    databaseId: stamp.databaseId,
    masterKeyId: masterKey.id,
    mark: stamp.mark,
    writtenAt: new Date().toISOString(),
    erasuresPurged: stamp.erasuresPurged ?? 0,
  };
  const headerLine = `${JSON.stringify(header)}\n`;
  const headerDigest = createHash('sha256').update(headerLine).digest();
  const writer = new Worker(writerSource, {
    eval: true,
    workerData: {
      path,
      temporary: temporaryPathOf(path),
      headerLine,
      key: snapshotKey(masterKey, stamp.databaseId),
    },
  });
  try {
    let inFlight = 0;
    /** Records handed to the writer so far: the next one's place in the file. */
    let records = 0;
    let written: (() => void) | null = null;
    const finished = new Promise<{ ok: boolean; bytes?: number; error?: string }>((resolve, reject) => {
      writer.on('message', (message: { written?: true; ok?: boolean }) => {
        if (message.written !== true) return resolve(message as { ok: boolean });
        inFlight -= 1;
        written?.();
        written = null;
      });
      writer.once('error', reject);
      writer.once('exit', (code) => reject(new Error(`the snapshot writer stopped (exit code ${code})`)));
    });
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
      writer.postMessage({ frame, context: recordContext(headerDigest, records, false) }, ownBuffers(frame));
      records += 1;
      inFlight += 1;
      longestFrameMilliseconds = Math.max(longestFrameMilliseconds, performance.now() - started);
      // A few frames ahead of the writer at most (their copies wait in its queue).
      if (inFlight >= framesAhead) await Promise.race([new Promise<void>((resolve) => (written = resolve)), ended]);
      // Always a turn of the loop of its own: the writer's acknowledgements arrive in bursts, each of which would
      // otherwise make the next frame inside the same message callback, the loop held for the whole burst.
      await nextTurn();
    }
    writer.postMessage({ finish: true, context: recordContext(headerDigest, records, true) });
    const result = await finished;
    if (!result.ok) throw new Error(`snapshot not written: ${result.error}`);
    return { ...header, bytes: result.bytes!, longestFrameMilliseconds };
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

/** A record's plaintext, or null when it does not open under `key` in this place (changed, moved, foreign). */
function openRecord(key: Buffer, record: Buffer, context: Buffer): Buffer | null {
  if (record.length < nonceLength + tagLength) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, record.subarray(0, nonceLength));
    decipher.setAAD(context);
    decipher.setAuthTag(record.subarray(nonceLength, nonceLength + tagLength));
    const plain = decipher.update(record.subarray(nonceLength + tagLength));
    // GCM's final adds no bytes, it checks the tag (and throws): the plain text is update's, not copied into a third
    // buffer (a start reads 231 MB of frames at a million orders).
    decipher.final();
    return plain;
  } catch {
    return null;
  }
}

/**
 * Reads and checks a snapshot a frame at a time (no single read or deserialise of the whole file); any doubt
 * (missing, torn, another catalogue or database, sealed under a master key not configured, a record that does not
 * open) is a reason, not an error. Nothing is deserialised that did not open: only a holder of a master key can
 * have written it.
 */
export async function readStateSnapshot(
  path: string,
  expected: { readonly databaseId: string; readonly mark: number },
  masterKeys: readonly MasterKey[],
): Promise<SnapshotReading> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no snapshot' : `unreadable: ${String(error)}` };
  }
  try {
    const fileSize = (await file.stat()).size;
    const start = await readAt(file, 0, 4096);
    const line = headerLineOf(start);
    if (line === null) return { ok: false, reason: 'corrupt header' };
    const header = line.header;
    if (header.format !== magic) return { ok: false, reason: 'not a state snapshot' };
    if (header.layout !== fileLayout) return { ok: false, reason: `file layout ${String(header.layout)}` };
    if (header.catalogue !== stateCatalogueVersion)
      return { ok: false, reason: `feature catalogue ${header.catalogue}, this build has ${stateCatalogueVersion}` };
    if (header.databaseId !== expected.databaseId) return { ok: false, reason: 'taken from another database' };
    if (header.mark > expected.mark)
      return { ok: false, reason: `ahead of the database (mark ${header.mark} > ${expected.mark}): restored backup?` };
    const masterKey = masterKeys.find((candidate) => candidate.id === header.masterKeyId);
    if (masterKey === undefined)
      return {
        ok: false,
        reason: `sealed under master key "${String(header.masterKeyId)}", which MASTER_KEYS does not hold`,
      };
    const key = snapshotKey(masterKey, header.databaseId);
    const headerDigest = createHash('sha256').update(start.subarray(0, line.length)).digest();
    const frames: StateFrame[] = [];
    let position = line.length;
    for (let index = 0; ; index += 1) {
      const length = await readAt(file, position, 4);
      if (length.length < 4) return { ok: false, reason: 'corrupt body (torn)' };
      position += 4;
      const size = length.readUInt32LE(0);
      // A length past the end of the file (cut short, or changed) is not allocated: it could ask for 4 GB.
      if (position + size > fileSize)
        return { ok: false, reason: 'corrupt body (torn: a record runs past the end of the file)' };
      const record = await readAt(file, position, size);
      if (record.length < size) return { ok: false, reason: 'corrupt body (torn)' };
      position += size;
      // The end record seals nothing: its length says which context to try.
      const end = size === nonceLength + tagLength;
      const plain = openRecord(key, record, recordContext(headerDigest, index, end));
      if (plain === null) return { ok: false, reason: 'corrupt body (does not open)' };
      if (end) break;
      try {
        frames.push(deserialize(plain) as StateFrame);
      } catch {
        // Sealed by a holder of the key, yet not what this build reads (a build from between two layouts).
        return { ok: false, reason: 'unreadable frames' };
      }
    }
    let data: StateData | string;
    try {
      data = assembleState(frames);
    } catch (error) {
      // Frames that open but are not what this build writes (a build from between two layouts).
      return { ok: false, reason: `unreadable frames: ${String(error)}` };
    }
    return typeof data === 'string' ? { ok: false, reason: data } : { ok: true, header, data };
  } finally {
    await file.close();
  }
}

/** Whether a process with this id runs on this host (one that exists but is not ours to signal runs too). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of snapshot writes that never finished: a process killed while writing (kill -9, out
 * of memory, power lost) leaves `<path>.<pid>.tmp`, as large as the snapshot (231 MB at a million orders), which
 * nothing else would ever remove. Called on start, before this process writes any: a file named with this process's
 * id is a previous process's that had the same id (a container's), and one of a process that no longer runs is
 * abandoned; one of another running process (two servers given the same path) is left to it. The names removed.
 */
export async function removeAbandonedSnapshotWrites(path: string): Promise<string[]> {
  const directory = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    // Names as temporaryPathOf gives them, for any process id.
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (pid !== process.pid && running(pid)) continue;
    await unlink(join(directory, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

export async function removeStateSnapshot(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
