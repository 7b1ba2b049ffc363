// The online-state snapshot file: a JSON header line (what it was taken from) and the state as v8-serialised data.
import { createHash } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { featureCatalogue } from '../features/feature.catalogue.ts';
import { engineVersion } from '../risk.engine.ts';
import { stateDataVersion, type StateData } from './memory.feature-state.ts';

const magic = 'rearguard-online-state';

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
  readonly catalogue: string;
  /** The database it was taken from (database_identity.id). */
  readonly databaseId: string;
  /** Every fact numbered at most this (history_seq) is in the state; later ones are replayed on start. */
  readonly mark: number;
  readonly writtenAt: string;
  readonly bytes: number;
  readonly sha256: string;
}

export type SnapshotReading =
  | { readonly ok: true; readonly header: SnapshotHeader; readonly data: StateData }
  | { readonly ok: false; readonly reason: string };

/** Writes to a temporary file, flushes it to disk and renames it over the old one: a crash leaves one whole file. */
export async function writeStateSnapshot(
  path: string,
  data: StateData,
  stamp: { readonly databaseId: string; readonly mark: number },
): Promise<SnapshotHeader> {
  const body = serialize(data);
  const header: SnapshotHeader = {
    format: magic,
    catalogue: stateCatalogueVersion,
    databaseId: stamp.databaseId,
    mark: stamp.mark,
    writtenAt: new Date().toISOString(),
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.write(`${JSON.stringify(header)}\n`);
    await file.write(body);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  return header;
}

/** Reads and checks a snapshot; any doubt (missing, torn, another catalogue or database) is a reason, not an error. */
export async function readStateSnapshot(
  path: string,
  expected: { readonly databaseId: string; readonly mark: number },
): Promise<SnapshotReading> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no snapshot' : `unreadable: ${String(error)}` };
  }
  const newline = content.indexOf(10);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(content.subarray(0, newline < 0 ? 0 : newline).toString('utf8')) as SnapshotHeader;
  } catch {
    return { ok: false, reason: 'corrupt header' };
  }
  if (header.format !== magic) return { ok: false, reason: 'not a state snapshot' };
  if (header.catalogue !== stateCatalogueVersion)
    return { ok: false, reason: `feature catalogue ${header.catalogue}, this build has ${stateCatalogueVersion}` };
  if (header.databaseId !== expected.databaseId) return { ok: false, reason: 'taken from another database' };
  if (header.mark > expected.mark)
    return { ok: false, reason: `ahead of the database (mark ${header.mark} > ${expected.mark}): restored backup?` };
  const body = content.subarray(newline + 1);
  if (body.length !== header.bytes || createHash('sha256').update(body).digest('hex') !== header.sha256)
    return { ok: false, reason: 'corrupt body (checksum)' };
  try {
    const data = deserialize(body) as StateData;
    if (data.version !== stateDataVersion) return { ok: false, reason: `state layout ${String(data.version)}` };
    return { ok: true, header, data };
  } catch (error) {
    return { ok: false, reason: `corrupt body: ${String(error)}` };
  }
}

export async function removeStateSnapshot(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
