// A snapshot is one cut of the state: facts applied while it is being written (between its frames) stay out of it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../engine.ts';
import { entityKinds, type SnapshotQuery } from './feature-state.ts';
import { makeMemoryFeatureState, type MemoryFeatureState, type StateFrame } from './memory.feature-state.ts';
import { readStateSnapshot, writeStateSnapshot } from './state-snapshot.file.ts';

const masterKey = { id: 'test', key: Buffer.alloc(32, 7) };

const day = 86_400_000;
const start = Date.UTC(2026, 5, 1);

/** Orders of a few accounts sharing devices, IPs and addresses, then payments and labels: every list is touched again. */
function events(from: number, count: number): HistoryEvent[] {
  const list: HistoryEvent[] = [];
  for (let index = from; index < from + count; index += 1) {
    const customer = index % 13;
    const at = start + index * 3_600_000;
    list.push({
      kind: 'normalised_order',
      orderId: `order-${index}`,
      accountId: `account-${customer}`,
      at,
      keys: {
        amount: 1000 + index,
        emailKey: `buyer${customer}@example.nl`,
        phoneKey: `+3161234${String(customer).padStart(4, '0')}`,
        nameHash: 1000 + customer,
        surnameHash: 2000 + (customer % 4),
        billingKey: `NL|1012LG|${customer % 5}`,
        shippingKey: `NL|1012LG|${index % 7}`,
        deviceKey: `device-${index % 4}`,
        ip: `203.0.113.${index % 3}`,
        ibanKey: null,
      },
    });
    if (index % 3 === 0)
      list.push({ kind: 'payment', orderId: `order-${index - 1}`, at: at + 1, outcome: 'paid_on_time' });
    if (index % 17 === 0)
      list.push({ kind: 'label', orderId: `order-${index - 2}`, at: at + 2, label: 'fraud_third_party' });
  }
  return list;
}

function query(customer: number, index: number): SnapshotQuery {
  return {
    at: start + 400 * day,
    emailKey: `buyer${customer}@example.nl`,
    phoneKey: `+3161234${String(customer).padStart(4, '0')}`,
    billingAddressKey: `NL|1012LG|${customer % 5}`,
    shippingAddressKey: `NL|1012LG|${index % 7}`,
    deviceKey: `device-${index % 4}`,
    ip: `203.0.113.${index % 3}`,
    ibanKey: null,
  };
}

function stateOf(list: HistoryEvent[]): MemoryFeatureState {
  const state = makeMemoryFeatureState();
  for (const event of list) state.applySync(event);
  return state;
}

describe('state snapshot cut', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'rearguard-cut-'));
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));

  it('holds the state as it was when cut, though the live state changes while the frames are written', async () => {
    const before = events(0, 600);
    const live = stateOf(before);
    const path = join(directory, 'cut.snapshot');
    const cut = live.cut();
    const writing = writeStateSnapshot(path, cut, { databaseId: 'test', mark: 1 }, masterKey);
    // Applied while the frames are still being serialised (the writer lets the event loop go between them).
    for (const event of events(600, 300)) live.applySync(event);
    const written = await writing;
    expect(written.longestFrameMilliseconds).toBeGreaterThan(0);

    const reading = await readStateSnapshot(path, { databaseId: 'test', mark: 1 }, [masterKey]);
    if (!reading.ok) throw new Error(reading.reason);
    const loaded = makeMemoryFeatureState();
    loaded.importData(reading.data);
    const expected = stateOf(before);
    expect(loaded.sizes()).toEqual(expected.sizes());
    expect(loaded.sizes()).not.toEqual(live.sizes());
    for (let customer = 0; customer < 13; customer += 1)
      expect(loaded.snapshotSync(query(customer, customer))).toEqual(expected.snapshotSync(query(customer, customer)));
  });

  it('fails (does not hang) when the writer cannot write, and the cut can be released and taken again', async () => {
    const live = stateOf(events(0, 600));
    const cut = live.cut();
    await expect(
      writeStateSnapshot(
        join(directory, 'missing', 'dir', 'cut.snapshot'),
        cut,
        { databaseId: 'test', mark: 1 },
        masterKey,
      ),
    ).rejects.toThrow(/ENOENT/);
    cut.release();
    expect(live.exportData()).toEqual(stateOf(events(0, 600)).exportData());
  });

  it('turns down a whole file whose frames are not what this build writes, without throwing', async () => {
    const path = join(directory, 'foreign-frames.snapshot');
    const meta = { version: 3, applied: 1, latestAt: start, accountSweepCursor: 0 } as const;
    // Sealed and complete as a file, but a frame of another shape (no keys, no columns).
    const frames = [
      ['meta', meta],
      ...entityKinds.map((kind) => ['table', kind, { size: 1, sweepCursor: 0 }]),
      ['orders', { count: 0 }],
      ['tableRows', 'device', { from: 0 }],
    ] as unknown as StateFrame[];
    await writeStateSnapshot(path, { frames }, { databaseId: 'test', mark: 1 }, masterKey);
    const reading = await readStateSnapshot(path, { databaseId: 'test', mark: 1 }, [masterKey]);
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason).toMatch(/^unreadable frames: TypeError/);
  });
});
