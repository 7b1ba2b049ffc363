// Property: for any session the checkout schema accepts, decide() returns a well-formed decision and never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionInputSchema } from '../checkout/session.schema.ts';
import { decisionOutcomes } from '../checkout/session.schema.ts';
import { makeRiskEngine } from './risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, testNow } from './testing/scenario.fixtures.ts';

const text = (max: number) =>
  fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' }).filter((value) => value.trim().length > 0);
const address = fc.record({
  street: text(60),
  house_number: text(10),
  postal_code: text(12),
  city: text(40),
  country: fc.constantFrom('NL', 'BE', 'DE', 'GB', 'US', 'ZZ'),
});
const session = fc
  .record(
    {
      amount: fc.record({ value: fc.integer({ min: 1, max: 100_000_000 }), currency: fc.constantFrom('EUR', 'USD') }),
      merchant_reference: text(20),
      lines: fc.array(
        fc.record({
          name: text(30),
          // Small enough that five lines stay within the largest amount they must add up to.
          quantity: fc.integer({ min: 1, max: 20 }),
          unit_price: fc.integer({ min: 0, max: 1_000_000 }),
          category: fc.option(text(20), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      customer: fc.record({
        name: text(60),
        email: fc.emailAddress(),
        phone: fc.stringMatching(/^\+?[0-9 ()-]{6,20}$/),
        date_of_birth: fc.option(fc.constantFrom('1985-03-02', '2001-12-31'), { nil: undefined }),
      }),
      billing_address: address,
      shipping_address: fc.option(address, { nil: undefined }),
      device: fc.option(
        fc.record({
          id: fc.option(text(30), { nil: undefined }),
          ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      extra_merchant_data: fc.option(
        fc.dictionary(
          fc.string({ maxLength: 20 }),
          fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 10 }), fc.constant(null)),
          { maxKeys: 5 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['amount', 'merchant_reference', 'lines', 'customer', 'billing_address'] },
  )
  .map((candidate) => {
    // The schema wants the lines to add up to the amount; most carts do, so generate them that way.
    const total = candidate.lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
    return total >= 1 && total <= 100_000_000
      ? { ...candidate, amount: { ...candidate.amount, value: total } }
      : candidate;
  });

describe('decide on arbitrary valid sessions', () => {
  it('always returns a decision with reasons, and challenge options exactly when stepping up', async () => {
    const engine = makeRiskEngine();
    for (const event of customerHistory(person(1), { since: testNow - 100 * dayMs, orders: 2 }))
      await engine.record(event);
    await fc.assert(
      fc.asyncProperty(session, fc.integer({ min: 0, max: 1_000_000 }), async (candidate, offset) => {
        const parsed = sessionInputSchema.safeParse(candidate);
        fc.pre(parsed.success);
        if (!parsed.success) return;
        const decision = await engine.decide(decisionInput(parsed.data, testNow + offset));
        expect(decisionOutcomes).toContain(decision.outcome);
        expect(decision.reasons.length).toBeGreaterThan(0);
        expect(decision.challengeOptions.length > 0).toBe(decision.outcome === 'step_up');
        expect(decision.ruleResults.filter((result) => result.kind === 'error')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
