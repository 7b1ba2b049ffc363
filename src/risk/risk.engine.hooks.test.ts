// A caller learns the resolved account before the scoring, with a turn of the event loop in between, so a read it
// starts then (the approval's account on file) is on its way while the decision is scored.
import { describe, expect, it } from 'vitest';
import { makeRiskEngine, type RiskModel } from './risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from './testing/scenario.fixtures.ts';

describe('the engine tells who the account is before it scores', () => {
  it('calls onAccountResolved with the decided account, and lets the loop turn before the scoring', async () => {
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
      onAccountResolved: (accountId) => {
        events.push(`resolved ${accountId}`);
        // I/O the hook starts (a socket write) goes out in a later phase of the loop than this turn's microtasks.
        setImmediate(() => events.push('loop turned'));
      },
    });
    expect(decision.accountId).toBe(customer.accountId);
    expect(events).toEqual([`resolved ${customer.accountId}`, 'loop turned', 'scored']);
  });

  it('says nothing for a shopper who is no account on file', async () => {
    const engine = makeRiskEngine();
    const heard: string[] = [];
    const decision = await engine.decide(decisionInput(sessionFor(person(301)), testNow), {
      onAccountResolved: (accountId) => heard.push(accountId),
    });
    expect(decision.accountId).toBeNull();
    expect(heard).toEqual([]);
  });
});
