// Distinct people per device, IP, address and phone over windows, computed by the engine over a known history.
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent, RiskEngine } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from '../testing/scenario.fixtures.ts';

const hour = 3_600_000;
const buyer = person(50);
let engine: RiskEngine;

/** Device `dev_busy` and IP 84.24.9.9: 3 people in the last day, a 4th 10 days ago, a 5th 60 days ago. */
beforeAll(async () => {
  engine = makeRiskEngine();
  const history: HistoryEvent[] = [];
  const usedAt = [
    [51, testNow - 60 * dayMs],
    [52, testNow - 10 * dayMs],
    [53, testNow - 20 * hour],
    [54, testNow - 5 * hour],
    [55, testNow - 2 * hour],
  ] as const;
  for (const [index, at] of usedAt) {
    const who = person(index);
    history.push(...customerHistory(who, { since: testNow - 200 * dayMs, orders: 0 }));
    history.push({
      kind: 'order',
      orderId: `ord_busy_${index}`,
      accountId: who.accountId,
      merchantId: 'm',
      at,
      session: sessionFor(who, { deviceId: 'dev_busy', ip: '84.24.9.9' }),
    });
  }
  // The same person twice more on the device today: more orders, not more people.
  const repeat = person(55);
  for (const offset of [1, 0.5])
    history.push({
      kind: 'order',
      orderId: `ord_repeat_${offset}`,
      accountId: repeat.accountId,
      merchantId: 'm',
      at: testNow - offset * hour,
      session: sessionFor(repeat, { deviceId: 'dev_busy', ip: '84.24.9.9' }),
    });
  history.push(...customerHistory(buyer, { since: testNow - 200 * dayMs, orders: 0 }));
  for (const event of history.sort((left, right) => left.at - right.at)) await engine.record(event);
});

describe('sharing features', () => {
  it('counts distinct accounts, e-mails and names per window on the device and IP, not orders', async () => {
    const { features } = await engine.decide(
      decisionInput(sessionFor(buyer, { deviceId: 'dev_busy', ip: '84.24.9.9' }), testNow),
    );
    expect(features.velocity_device_orders_24h).toBe(5);
    for (const entity of ['device', 'ip'])
      for (const party of ['accounts', 'emails', 'names'])
        expect(
          [24, 7, 30].map((_, index) => features[`distinct_${entity}_${party}_${['24h', '7d', '30d'][index]}`]),
        ).toEqual([3, 3, 4]);
  });

  it('is zero for a device and IP never seen before', async () => {
    const { features } = await engine.decide(
      decisionInput(sessionFor(buyer, { deviceId: 'dev_new', ip: '84.24.1.1' }), testNow),
    );
    expect(features.distinct_device_accounts_30d).toBe(0);
    expect(features.distinct_ip_names_24h).toBe(0);
  });
});
