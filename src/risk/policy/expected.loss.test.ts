// Bands by expected loss: the same probability is cut differently for a EUR 15 and a EUR 900 order.
import { describe, expect, it } from 'vitest';
import { bandFor, bandThreshold, creditLimit, defaultExpectedLossCosts, expectedCosts } from './expected.loss.ts';

const costs = defaultExpectedLossCosts;

describe('expected-loss bands', () => {
  it.each([
    { probability: 0.01, amount: 1_500, band: 'approve' },
    { probability: 0.01, amount: 90_000, band: 'step_up' },
    { probability: 0.3, amount: 1_500, band: 'step_up' },
    { probability: 0.3, amount: 90_000, band: 'review' },
    { probability: 0.9, amount: 90_000, band: 'decline' },
    { probability: 0.001, amount: 90_000, band: 'approve' },
    { probability: 0, amount: 1_000_000, band: 'approve' },
  ])('probability $probability on $amount cents: $band', ({ probability, amount, band }) => {
    expect(bandFor(probability, amount, costs)).toBe(band);
  });

  it('chooses the action with the least expected cost', () => {
    const expected = expectedCosts(0.01, 90_000, costs);
    expect(expected.approve).toBeCloseTo(900);
    expect(expected.step_up).toBeCloseTo(0.99 * 300 + 900 * 0.2);
    expect(Math.min(...Object.values(expected))).toBe(expected.step_up);
  });

  it('steps a dear order up at a far lower probability than a cheap one', () => {
    const cheap = bandThreshold('step_up', 1_500, costs);
    const dear = bandThreshold('step_up', 90_000, costs);
    expect(cheap).toBeCloseTo(0.2, 3);
    expect(dear).toBeLessThan(0.005);
    expect(bandFor(cheap - 0.001, 1_500, costs)).toBe('approve');
    expect(bandFor(cheap + 0.001, 1_500, costs)).toBe('step_up');
    // A EUR 1 order is declined only when fraud is all but certain.
    expect(bandThreshold('decline', 100, costs)).toBeGreaterThan(0.99);
  });

  it('gives a credit limit of budget / first-party probability', () => {
    expect(creditLimit(0.05, costs)).toBe(100_000);
    expect(creditLimit(0, costs)).toBe(Number.POSITIVE_INFINITY);
  });
});
