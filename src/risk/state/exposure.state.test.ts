// Exposure events (a cancel, an expired authorization, a refund) change what an open order counts towards exposure.
import { describe, expect, it } from 'vitest';
import { makeRiskEngine } from '../risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from '../testing/scenario.fixtures.ts';

describe('exposure events', () => {
  const setUp = async () => {
    const anna = person(902);
    const engine = makeRiskEngine();
    const history = customerHistory(anna, { since: testNow - 100 * dayMs, orders: 2, amount: 10_000 });
    // Both orders still open: their payments are left out.
    for (const event of history) if (event.kind !== 'payment') await engine.record(event);
    const exposure = async () =>
      (await engine.decide(decisionInput(sessionFor(anna, {}), testNow))).features.account_open_exposure;
    return { anna, engine, exposure };
  };

  it.each([
    ['a cancel releases the whole order', 0, 10_000],
    ['a partial refund lowers it', 4_000, 14_000],
    ['a later capture-free change may raise it back', 10_000, 20_000],
  ])('%s', async (_name, amount, expected) => {
    const { anna, engine, exposure } = await setUp();
    expect(await exposure()).toBe(20_000);
    await engine.record({ kind: 'exposure', orderId: `ord_${anna.index}_0`, at: testNow - dayMs, amount });
    expect(await exposure()).toBe(expected);
  });

  it('leaves a settled order alone and ignores unknown orders', async () => {
    const { anna, engine, exposure } = await setUp();
    await engine.record({
      kind: 'payment',
      orderId: `ord_${anna.index}_0`,
      at: testNow - 2 * dayMs,
      outcome: 'paid_on_time',
    });
    expect(await exposure()).toBe(10_000);
    await engine.record({ kind: 'exposure', orderId: `ord_${anna.index}_0`, at: testNow - dayMs, amount: 0 });
    await engine.record({ kind: 'exposure', orderId: 'ord_unknown', at: testNow - dayMs, amount: 0 });
    expect(await exposure()).toBe(10_000);
  });
});
