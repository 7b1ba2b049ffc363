// Point-in-time: rebuilding the state from stored history reproduces every past decision's features exactly.
import { describe, expect, it } from 'vitest';
import type { Decision, DecisionInput, HistoryEvent } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import {
  customerHistory,
  dayMs,
  decisionInput,
  makeRandom,
  person,
  sessionFor,
  testNow,
} from '../testing/scenario.fixtures.ts';

interface Timeline {
  readonly history: HistoryEvent[];
  readonly decisions: { readonly input: DecisionInput; readonly decision: Decision }[];
}

/** A live run: history and checkouts interleaved in time; approved orders, payments and labels become history. */
async function liveRun(seed: number): Promise<Timeline> {
  const random = makeRandom(seed);
  const people = Array.from({ length: 12 }, (_, index) => person(700 + index));
  const seeded = people.flatMap((who, index) =>
    customerHistory(who, { since: testNow - (200 + index) * dayMs, orders: 2 + (index % 3) }),
  );
  seeded.push({ kind: 'preference', accountId: people[3]!.accountId, at: testNow - 5 * dayMs, alwaysVerify: true });
  seeded.sort((left, right) => left.at - right.at);
  const engine = makeRiskEngine();
  const history: HistoryEvent[] = [];
  const record = async (event: HistoryEvent) => {
    history.push(event);
    await engine.record(event);
  };
  for (const event of seeded) await record(event);
  const decisions: Timeline['decisions'] = [];
  const later: HistoryEvent[] = [];
  for (let step = 0; step < 120; step += 1) {
    const at = testNow + step * 37 * 60_000 + Math.floor(random() * 60_000);
    for (const event of later.filter((pending) => pending.at < at).sort((left, right) => left.at - right.at))
      await record(event);
    later.splice(0, later.length, ...later.filter((pending) => pending.at >= at));
    const buyer = people[Math.floor(random() * people.length)]!;
    const victim = people[Math.floor(random() * people.length)]!;
    const attack = random() < 0.3;
    const session = sessionFor(buyer, {
      amount: 1_000 + Math.floor(random() * 80_000),
      ...(attack ? { name: victim.name, email: victim.email, phone: victim.phone } : {}),
      deviceId: random() < 0.8 ? buyer.deviceId : `device_${step % 7}`,
      shipping: random() < 0.2 ? person(900 + (step % 5)).address : undefined,
    });
    const input = decisionInput(session, at, `ses_${step}`);
    const decision = await engine.decide(input);
    decisions.push({ input, decision });
    if (decision.accountId !== null && decision.outcome === 'approved') {
      const orderId = `ord_live_${step}`;
      await record({ kind: 'order', orderId, accountId: decision.accountId, merchantId: 'mer_test', at, session });
      later.push({
        kind: 'payment',
        orderId,
        at: at + Math.floor(random() * 3) * 3_600_000 + 1,
        outcome: random() < 0.8 ? 'paid_on_time' : 'unpaid',
      });
      if (random() < 0.1) later.push({ kind: 'label', orderId, at: at + 2 * 3_600_000, label: 'fraud_third_party' });
    }
  }
  return { history, decisions };
}

describe('point-in-time replay', () => {
  it('gives each past decision exactly the features, rule results and outcome it had', async () => {
    const timeline = await liveRun(3);
    expect(timeline.decisions.filter(({ decision }) => decision.outcome === 'approved').length).toBeGreaterThan(10);
    expect(timeline.decisions.filter(({ decision }) => decision.outcome !== 'approved').length).toBeGreaterThan(10);
    // Rebuild from the stored history alone: before each decision apply exactly the events strictly before it.
    const replay = makeRiskEngine();
    const events = [...timeline.history].sort((left, right) => left.at - right.at);
    let next = 0;
    for (const { input, decision } of timeline.decisions) {
      while (next < events.length && events[next]!.at < input.at) await replay.record(events[next++]!);
      const again = await replay.decide(input);
      expect(again.features).toEqual(decision.features);
      expect(again.ruleResults).toEqual(decision.ruleResults);
      expect(again.outcome).toBe(decision.outcome);
    }
  });

  it('hides channel verifications and devices first seen at or after the decision time', async () => {
    const who = person(800);
    const engine = makeRiskEngine();
    for (const event of customerHistory(who, { since: testNow - 100 * dayMs, orders: 2, verified: false }))
      await engine.record(event);
    await engine.record({
      kind: 'channel',
      accountId: who.accountId,
      channelId: 'ch_late',
      channel: 'phone',
      value: who.phone,
      verifiedAt: testNow,
      at: testNow,
    });
    const decision = await engine.decide(decisionInput(sessionFor(who), testNow));
    expect(decision.features['phone_verified']).toBe(false);
    const later = await engine.decide(decisionInput(sessionFor(who), testNow + 1));
    expect(later.features['phone_verified']).toBe(true);
  });
});
