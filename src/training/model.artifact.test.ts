// The policy scale and the serving encoder: model thresholds land exactly on the ruleset's bands; encoding is stable.
import { describe, expect, it } from 'vitest';
import type { FeatureVector } from '../risk/engine.ts';
import { makeFixedEncoder, makeGrowingEncoder } from './feature.encoding.ts';
import { policyScale } from './model.artifact.ts';

describe('policyScale', () => {
  const policy = { stepUp: 0.5, review: 0.8, decline: 0.95, stepUpWhenProviderUnavailable: 0.3 };
  const scale = policyScale({ stepUp: 0.03, review: 0.2, decline: 0.7 }, policy);

  it.each([
    [0, 0],
    [0.03, 0.5],
    [0.2, 0.8],
    [0.7, 0.95],
    [1, 1],
  ])('maps probability %f onto %f', (probability, score) => expect(scale(probability)).toBe(score));

  it('keeps the order of scores and the bands of the policy', () => {
    const probabilities = Array.from({ length: 1001 }, (_, index) => index / 1000);
    const scores = probabilities.map(scale);
    for (let index = 1; index < scores.length; index++)
      expect(scores[index]!).toBeGreaterThanOrEqual(scores[index - 1]!);
    probabilities.forEach((probability, index) => {
      expect(scores[index]! >= policy.stepUp).toBe(probability >= 0.03);
      expect(scores[index]! >= policy.decline).toBe(probability >= 0.7);
    });
  });

  it('tolerates equal model thresholds (review and decline at once)', () => {
    const equal = policyScale({ stepUp: 0.1, review: 0.4, decline: 0.4 }, policy);
    expect(equal(0.4)).toBe(0.8);
    expect(equal(0.39)).toBeLessThan(0.8);
    expect(equal(1)).toBe(1);
  });
});

describe('feature encoding', () => {
  it('learns merchant columns and categories in replay, and serves them the same way', () => {
    const growing = makeGrowingEncoder([
      { name: 'cart_amount', kind: 'number' },
      { name: 'cart_is_first_order', kind: 'boolean' },
      { name: 'shipping_country', kind: 'category', categories: [] },
    ]);
    const vectors: FeatureVector[] = [
      { cart_amount: 100, cart_is_first_order: true, shipping_country: 'NL', emd_age: 3, unknown_thing: 5 },
      { cart_amount: null, cart_is_first_order: false, shipping_country: 'BE' },
    ];
    const rows = vectors.map((features) => {
      const row = new Float32Array(growing.register(features)).fill(Number.NaN);
      growing.encodeInto(features, row, 0);
      return Array.from(row);
    });
    expect(rows[0]).toEqual([100, 1, 0, 3]);
    expect(rows[1]).toEqual([Number.NaN, 0, 1, Number.NaN]);
    const spec = growing.spec();
    expect(spec.columns.map((column) => column.name)).toEqual([
      'cart_amount',
      'cart_is_first_order',
      'shipping_country',
      'emd_age',
    ]);
    const serve = makeFixedEncoder(spec);
    expect(Array.from(serve({ cart_amount: 7, shipping_country: 'BE', emd_age: 1 }))).toEqual([7, Number.NaN, 1, 1]);
    // A category never seen in training is missing, not a new code.
    expect(Array.from(serve({ shipping_country: 'FR' }))[2]).toBeNaN();
  });
});
