// A passed step-up is history: the device becomes one the holder proved to own, from that moment on and not before.
import { describe, expect, it } from 'vitest';
import { makeRiskEngine } from '../risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from '../testing/scenario.fixtures.ts';

describe('verification events', () => {
  it('make device_verified_for_account true for later decisions on that device only', async () => {
    const anna = person(901);
    const engine = makeRiskEngine();
    for (const event of customerHistory(anna, { since: testNow - 200 * dayMs, orders: 3 })) await engine.record(event);
    await engine.record({
      kind: 'verification',
      accountId: anna.accountId,
      at: testNow - dayMs,
      method: 'passkey',
      deviceId: 'dev-new-phone',
    });
    const feature = async (deviceId: string, at: number) =>
      (await engine.decide(decisionInput(sessionFor(anna, { deviceId }), at))).features.device_verified_for_account;
    expect(await feature('dev-new-phone', testNow)).toBe(true);
    expect(await feature('dev-new-phone', testNow - 2 * dayMs)).toBe(false);
    expect(await feature('dev-someone-else', testNow)).toBe(false);
  });
});
