// The snapshot file is sealed: no personal value of the state is readable in it, and only a holder of a master key
// can write a file a server will start from (changed, moved, dropped or foreign records are turned down).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../engine.ts';
import { makeMemoryFeatureState, type MemoryFeatureState } from './memory.feature-state.ts';
import { readStateSnapshot, writeStateSnapshot } from './state-snapshot.file.ts';

const keyA = { id: 'a', key: Buffer.alloc(32, 1) };
const keyB = { id: 'b', key: Buffer.alloc(32, 2) };
const stamp = { databaseId: 'db-1', mark: 40 };
const at = Date.UTC(2026, 5, 1);

/** The personal values the state keeps as keys, each as it is kept (normalised). */
const personal = ['anna.devries@example.nl', '+31612345678', 'kerkstraat', 'Anna de Vries', 'device-anna-laptop'];

function state(): MemoryFeatureState {
  const events: HistoryEvent[] = [
    {
      kind: 'account',
      accountId: 'acc_anna',
      at,
      name: 'Anna de Vries',
      email: 'anna.devries@example.nl',
      phone: '+31612345678',
      dateOfBirth: '1980-02-03',
      address: { street: 'Kerkstraat', house_number: '12', postal_code: '1017GA', city: 'Amsterdam', country: 'NL' },
    },
  ];
  for (let index = 0; index < 30; index += 1)
    events.push({
      kind: 'normalised_order',
      orderId: `order-${index}`,
      accountId: 'acc_anna',
      at: at + (index + 1) * 3_600_000,
      keys: {
        amount: 1000 + index,
        emailKey: 'anna.devries@example.nl',
        phoneKey: '+31612345678',
        nameHash: 11,
        surnameHash: 12,
        billingKey: 'NL|1017GA|12||kerkstraat|amsterdam',
        shippingKey: 'NL|1017GA|12||kerkstraat|amsterdam',
        deviceKey: 'device-anna-laptop',
        ip: `198.51.100.${index % 3}`,
        ibanKey: null,
      },
    });
  const live = makeMemoryFeatureState();
  for (const event of events) live.applySync(event);
  return live;
}

/** Whether `bytes` hold `text` as v8.serialize may write it (one byte per character, or UTF-16). */
function holds(bytes: Buffer, text: string): boolean {
  return bytes.includes(Buffer.from(text, 'latin1')) || bytes.includes(Buffer.from(text, 'utf16le'));
}

/** The file's header line and its records (each with its 4-byte length), as written. */
function parts(file: Buffer): { header: Buffer; records: Buffer[] } {
  const newline = file.indexOf(10);
  const records: Buffer[] = [];
  for (let position = newline + 1; position < file.length;) {
    const size = file.readUInt32LE(position);
    records.push(file.subarray(position, position + 4 + size));
    position += 4 + size;
  }
  return { header: file.subarray(0, newline + 1), records };
}

describe('sealed state snapshot', () => {
  let directory: string;
  let path: string;
  let written: Buffer;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'rearguard-sealed-'));
    path = join(directory, 'state.snapshot');
    const live = state();
    const cut = live.cut();
    try {
      await writeStateSnapshot(path, cut, stamp, keyA);
    } finally {
      cut.release();
    }
    written = await readFile(path);
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));

  /** Reads `bytes` as the snapshot file with the given master keys. */
  async function readAs(bytes: Buffer, keys = [keyA]) {
    const other = join(directory, 'changed.snapshot');
    await writeFile(other, bytes);
    return readStateSnapshot(other, stamp, keys);
  }

  it('keeps no personal value of the state readable, and reads back the whole state', async () => {
    // The state does hold them, and would write them as they are (the control: sealing removed, this test fails).
    const plain = serialize(state().exportData());
    for (const value of personal) expect(holds(plain, value), value).toBe(true);
    for (const value of personal) expect(holds(written, value), value).toBe(false);
    expect(JSON.parse(written.subarray(0, written.indexOf(10)).toString())).toMatchObject({ masterKeyId: 'a' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const reading = await readStateSnapshot(path, stamp, [keyA]);
    if (!reading.ok) throw new Error(reading.reason);
    const loaded = makeMemoryFeatureState();
    loaded.importData(reading.data);
    expect(loaded.exportData()).toEqual(state().exportData());
  });

  it('opens under any listed master key (a rotation) and says which one it lacks', async () => {
    expect((await readStateSnapshot(path, stamp, [keyB, keyA])).ok).toBe(true);
    expect(await readStateSnapshot(path, stamp, [keyB])).toEqual({
      ok: false,
      reason: 'sealed under master key "a", which MASTER_KEYS does not hold',
    });
    // The same id with another key (someone who wrote a file without the real key): nothing opens.
    expect(await readStateSnapshot(path, stamp, [{ id: 'a', key: Buffer.alloc(32, 9) }])).toEqual({
      ok: false,
      reason: 'corrupt body (does not open)',
    });
  });

  it('turns down a header line that is not a JSON object, rather than failing the start', async () => {
    // A file (or a snapshot fetched from the database) whose first line is JSON but no header at all.
    for (const line of ['null', '42', '"text"', '[]', 'true', '{"format":']) {
      expect(await readAs(Buffer.from(`${line}\n`)), line).toMatchObject({ ok: false });
    }
    expect(await readAs(Buffer.from('null\n'))).toEqual({ ok: false, reason: 'corrupt header' });
    expect(await readAs(Buffer.from('[]\n'))).toEqual({ ok: false, reason: 'corrupt header' });
  });

  it('turns down a changed, reordered, shortened or re-stamped file before deserialising any of it', async () => {
    const { header, records } = parts(written);
    expect(records.length).toBeGreaterThan(3);
    const last = records.length - 1;

    const flipped = Buffer.from(written);
    const middle = header.length + records[0]!.length + 40;
    flipped[middle] = flipped[middle]! ^ 1;
    expect(await readAs(flipped)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });

    const swapped = Buffer.concat([header, records[1]!, records[0]!, ...records.slice(2)]);
    expect(await readAs(swapped)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });

    // The last frames dropped, the end record kept: its place no longer matches.
    const dropped = Buffer.concat([header, ...records.slice(0, last - 1), records[last]!]);
    expect(await readAs(dropped)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });

    const withoutEnd = Buffer.concat([header, ...records.slice(0, last)]);
    expect(await readAs(withoutEnd)).toEqual({ ok: false, reason: 'corrupt body (torn)' });

    // A record's length changed to 4 GB: turned down before anything is allocated for it.
    const huge = Buffer.from(written);
    huge.writeUInt32LE(0xffff_ffff, header.length);
    expect(await readAs(huge)).toEqual({
      ok: false,
      reason: 'corrupt body (torn: a record runs past the end of the file)',
    });

    // An older mark in the header would replay more, harmlessly, but the header is bound to every record all the same.
    const restamped = Buffer.concat([Buffer.from(header.toString().replace('"mark":40', '"mark":39')), ...records]);
    expect(await readAs(restamped)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });
    // Nor can it be dated later, nor claim erasures purged that were not: a start from a snapshot purges the erasures
    // finished after the ones its state was purged of.
    const redated = Buffer.concat([
      Buffer.from(header.toString().replace(/"writtenAt":"[^"]+"/, '"writtenAt":"2099-01-01T00:00:00.000Z"')),
      ...records,
    ]);
    expect(redated.includes(Buffer.from('"writtenAt":"2099-01-01'))).toBe(true);
    expect(await readAs(redated)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });
    const purged = Buffer.concat([
      Buffer.from(header.toString().replace('"erasuresPurged":0', '"erasuresPurged":99')),
      ...records,
    ]);
    expect(purged.includes(Buffer.from('"erasuresPurged":99'))).toBe(true);
    expect(await readAs(purged)).toEqual({ ok: false, reason: 'corrupt body (does not open)' });

    // Records taken from another snapshot sealed under the same key: bound to that file's header, not this one's.
    const otherPath = join(directory, 'other.snapshot');
    const cut = state().cut();
    await writeStateSnapshot(otherPath, cut, stamp, keyA);
    cut.release();
    const other = parts(await readFile(otherPath));
    expect(other.header.equals(header)).toBe(false);
    expect(await readAs(Buffer.concat([header, ...other.records]))).toEqual({
      ok: false,
      reason: 'corrupt body (does not open)',
    });
    expect((await readAs(written)).ok).toBe(true);
  });
});
