// A caller learns the resolved account before the scoring, and the scoring waits for what it returns (the checkout
// lets the event loop turn), so a read it starts then (the approval's account on file) is on its way meanwhile.
import { describe, expect, it } from 'vitest';
import { makeRiskEngine, type RiskModel } from './risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from './testing/scenario.fixtures.ts';

describe('the engine tells who the account is before it scores', () => {
  it('calls onAccountResolved with the decided account, and scores only once what it returned is done', async () => {
    const events: string[] = [];
    const model: RiskModel = {
      version: 'order-test',
      score: () => {
        events.push('scored');
        return 0.01;
      },
    };
    const engine = makeRiskEngine({ model });
    const customer = person(300);
    for (const event of customerHistory(customer, { since: testNow - 300 * dayMs, orders: 5 }))
      await engine.record(event);
    const decision = await engine.decide(decisionInput(sessionFor(customer), testNow), {
      onAccountResolved: async (accountId) => {
        events.push(`resolved ${accountId}`);
        // What the hook returns is awaited before the scoring: here a turn of the event loop, as the checkout's does.
        await new Promise<void>((resolve) => setImmediate(resolve));
        events.push('loop turned');
      },
    });
    expect(decision.accountId).toBe(customer.accountId);
    expect(events).toEqual([`resolved ${customer.accountId}`, 'loop turned', 'scored']);
  });

  it('says nothing for a shopper who is no account on file', async () => {
    const engine = makeRiskEngine();
    const heard: string[] = [];
    const decision = await engine.decide(decisionInput(sessionFor(person(301)), testNow), {
      onAccountResolved: (accountId) => void heard.push(accountId),
    });
    expect(decision.accountId).toBeNull();
    expect(heard).toEqual([]);
  });

  it('decides as usual when the hook fails', async () => {
    const engine = makeRiskEngine();
    const customer = person(302);
    for (const event of customerHistory(customer, { since: testNow - 300 * dayMs, orders: 5 }))
      await engine.record(event);
    const input = decisionInput(sessionFor(customer), testNow);
    const plain = await engine.decide(input);
    const failing = await engine.decide(input, {
      onAccountResolved: () => {
        throw new Error('the read could not start');
      },
    });
    const rejecting = await engine.decide(input, { onAccountResolved: () => Promise.reject(new Error('no read')) });
    expect(failing).toEqual(plain);
    expect(rejecting).toEqual(plain);
  });
});
