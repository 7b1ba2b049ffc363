// Nearness to confirmed fraud: volume-normalised, fading with time, pick-up points apart.
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent, RiskEngine } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from '../testing/scenario.fixtures.ts';

const buyer = person(70);
const pickupPoint = {
  street: 'PostNL Punt Primera Kalverstraat',
  house_number: '12',
  postal_code: '1012PA',
  city: 'Amsterdam',
  country: 'NL',
};
let engine: RiskEngine;

function order(index: number, id: string, at: number, options: Parameters<typeof sessionFor>[1]): HistoryEvent {
  const who = person(index);
  return {
    kind: 'order',
    orderId: id,
    accountId: who.accountId,
    merchantId: 'm',
    at,
    session: sessionFor(who, options),
  };
}

beforeAll(async () => {
  engine = makeRiskEngine();
  const history: HistoryEvent[] = [];
  for (const index of [70, 71, 72, 73])
    history.push(...customerHistory(person(index), { since: testNow - 300 * dayMs, orders: 0 }));
  // dev_ring: one fraud (labelled 10 days ago) and one honest order.
  history.push(order(71, 'ring_1', testNow - 40 * dayMs, { deviceId: 'dev_ring', ip: '84.24.7.1' }));
  history.push({ kind: 'label', orderId: 'ring_1', at: testNow - 10 * dayMs, label: 'fraud_third_party' });
  history.push(order(72, 'ring_2', testNow - 5 * dayMs, { deviceId: 'dev_ring', ip: '84.24.7.2' }));
  // dev_old: its only order was fraud, labelled 90 days ago.
  history.push(order(73, 'old_1', testNow - 120 * dayMs, { deviceId: 'dev_old', ip: '84.24.7.3' }));
  history.push({ kind: 'label', orderId: 'old_1', at: testNow - 90 * dayMs, label: 'fraud_third_party' });
  // A pick-up point that once received fraud.
  history.push(
    order(71, 'pickup_1', testNow - 20 * dayMs, { deviceId: 'dev_p', ip: '84.24.7.4', shipping: pickupPoint }),
  );
  history.push({ kind: 'label', orderId: 'pickup_1', at: testNow - 15 * dayMs, label: 'fraud_third_party' });
  for (const event of history.sort((left, right) => left.at - right.at)) await engine.record(event);
});

const decide = async (options: Parameters<typeof sessionFor>[1]) =>
  (await engine.decide(decisionInput(sessionFor(buyer, options), testNow))).features;

describe('fraud nearness', () => {
  it('weighs a device by its share of fraud orders and how long ago the label came', async () => {
    const features = await decide({ deviceId: 'dev_ring', ip: '84.24.1.99' });
    expect(features.fraud_nearness).toBeCloseTo(0.5 * Math.pow(0.5, 10 / 30), 3);
    expect(features.fraud_nearness_pickup).toBe(0);
  });

  it('lets an old label fade', async () => {
    const features = await decide({ deviceId: 'dev_old', ip: '84.24.1.98' });
    expect(features.fraud_nearness).toBeCloseTo(Math.pow(0.5, 3), 3);
  });

  it('keeps pick-up points apart', async () => {
    const features = await decide({ deviceId: 'dev_clean', ip: '84.24.1.97', shipping: pickupPoint });
    expect(features.fraud_nearness).toBe(0);
    expect(features.fraud_nearness_pickup).toBeCloseTo(Math.pow(0.5, 15 / 30), 3);
  });

  it('is zero far from any fraud', async () => {
    const features = await decide({ deviceId: 'dev_clean2', ip: '84.24.1.96' });
    expect(features).toMatchObject({ fraud_nearness: 0, fraud_nearness_pickup: 0, fraud_nearness_channels: 0 });
  });
});
