// Point-in-time replay: no label from after the cut-off, and a past order's features never depend on the future.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureVector, HistoryEvent } from '../risk/engine.ts';
import { makeRiskEngine } from '../risk/risk.engine.ts';
import { writeSimulationFile } from '../simulation/output.simulation.ts';
import { readHistoryFile } from './history.file.ts';
import { replayHistory } from './history.replay.ts';
import { labelKnownBy, labelledSet, splitTime } from './training.set.ts';

let directory: string;
let worldPath: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'rearguard-replay-'));
  worldPath = join(directory, 'world.ndjson');
  await writeSimulationFile({ orders: 1500, seed: 7, months: 3, fraudRate: 0.05 }, worldPath);
});
afterAll(() => rm(directory, { recursive: true, force: true }));

async function eventsOf(path: string): Promise<HistoryEvent[]> {
  const file = await readHistoryFile(path);
  const events: HistoryEvent[] = [];
  for await (const event of file.events) events.push(event);
  return events;
}

const order = (id: string, placedAt: string, extra: Record<string, unknown>) =>
  JSON.stringify({
    type: 'order',
    id,
    placed_at: placedAt,
    amount: { value: 5000, currency: 'EUR' },
    customer: { email: `${id}@example.nl` },
    ...extra,
  });

describe('label knowledge at the cut-off', () => {
  it('uses a fraud label as positive only when it was known by the cut-off', async () => {
    const path = join(directory, 'labels.ndjson');
    await writeFile(
      path,
      [
        order('early-fraud', '2025-01-01T10:00:00Z', {
          outcome: 'fraud_confirmed',
          outcome_at: '2025-01-05T00:00:00Z',
        }),
        order('late-fraud', '2025-01-02T10:00:00Z', { outcome: 'fraud_confirmed', outcome_at: '2025-02-20T00:00:00Z' }),
        order('paid', '2025-01-03T10:00:00Z', { outcome: 'paid_on_time', outcome_at: '2025-01-04T00:00:00Z' }),
        order('after-cut', '2025-02-10T10:00:00Z', { outcome: 'paid_on_time', outcome_at: '2025-02-11T00:00:00Z' }),
      ].join('\n'),
    );
    const file = await readHistoryFile(path);
    const history = await replayHistory(file.events, { typologyOf: (id) => file.typologies.get(id) });
    const cutoff = Date.parse('2025-02-01T00:00:00Z');
    const indexOf = (position: number) => position;
    expect(labelKnownBy(history, indexOf(0), cutoff)).toBe(1);
    expect(labelKnownBy(history, indexOf(1), cutoff)).toBeNull();
    expect(labelKnownBy(history, indexOf(1), Number.POSITIVE_INFINITY)).toBe(1);
    expect(labelKnownBy(history, indexOf(2), cutoff)).toBe(0);

    const train = labelledSet(history, Number.NEGATIVE_INFINITY, cutoff, cutoff);
    expect(Array.from(train.indexes)).toEqual([0, 2]);
    expect(Array.from(train.labels)).toEqual([1, 0]);
    // The test side is judged with everything known later.
    const test = labelledSet(history, cutoff, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    expect(Array.from(test.indexes)).toEqual([3]);
  });

  it('never trains on a simulated fraud whose label arrived after the split', async () => {
    const file = await readHistoryFile(worldPath);
    const history = await replayHistory(file.events, { typologyOf: (id) => file.typologies.get(id) });
    const cutoff = splitTime(history, 0.8);
    const train = labelledSet(history, Number.NEGATIVE_INFINITY, cutoff, cutoff);
    let lateFraud = 0;
    train.indexes.forEach((index, position) => {
      if (history.fraudKnownAt[index]! > cutoff) {
        lateFraud += 1;
        expect(train.labels[position]).toBe(0);
      }
      if (train.labels[position] === 1) expect(history.fraudKnownAt[index]!).toBeLessThanOrEqual(cutoff);
    });
    const excluded = history.placedAt.filter(
      (at, index) => at < cutoff && labelKnownBy(history, index, cutoff) === null,
    );
    expect(excluded.length + train.indexes.length).toBe(history.placedAt.filter((at) => at < cutoff).length);
    expect(lateFraud).toBe(0);
  });
});

describe('point-in-time features', () => {
  it('gives a past order the features the live engine computed at that moment', async () => {
    const events = await eventsOf(worldPath);
    const replayed = new Map<string, FeatureVector>();
    await replayHistory(events, { onDecision: (orderId, decision) => replayed.set(orderId, decision.features) });

    // Live: the engine decides each order on the state of that moment, then records it, as the checkout does.
    const engine = makeRiskEngine();
    let compared = 0;
    for (const event of events) {
      if (event.kind === 'order') {
        const decision = await engine.decide({
          sessionId: event.orderId,
          merchantId: event.merchantId,
          merchantName: event.merchantId,
          at: event.at,
          session: event.session,
        });
        expect(replayed.get(event.orderId)).toEqual(decision.features);
        compared += 1;
      }
      await engine.record(event);
    }
    expect(compared).toBe(1500);
  });

  it('computes the same features for an order whatever history follows it', async () => {
    const lines = (await readFile(worldPath, 'utf8')).trimEnd().split('\n');
    const half = join(directory, 'half.ndjson');
    await writeFile(half, lines.slice(0, Math.floor(lines.length / 2)).join('\n'));
    const capture = async (path: string) => {
      const features = new Map<string, FeatureVector>();
      const file = await readHistoryFile(path);
      await replayHistory(file.events, { onDecision: (orderId, decision) => features.set(orderId, decision.features) });
      return features;
    };
    const [whole, truncated] = await Promise.all([capture(worldPath), capture(half)]);
    expect(truncated.size).toBeGreaterThan(500);
    for (const [orderId, features] of truncated) expect(whole.get(orderId)).toEqual(features);
  });
});
