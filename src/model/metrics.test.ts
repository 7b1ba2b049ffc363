// Metric values checked by hand (and against scikit-learn's definitions) on small tables.
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  precisionRecallCurve,
  recallAtFalsePositiveRate,
  rocAuc,
  rocCurve,
  summariseRanking,
  sweepThresholds,
} from './metrics.ts';
import { populationStabilityIndex } from './population-stability.ts';
import { thresholdTable } from './threshold-costs.ts';

// Ranked high to low: fraud at ranks 1, 3, 4, 7 of 10.
const ranked = {
  scores: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
  labels: [1, 0, 1, 1, 0, 0, 1, 0, 0, 0],
};

describe('ranking metrics', () => {
  it.each([
    // sklearn: roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75, average_precision_score = 0.8333
    { name: 'the scikit-learn example', scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1], auc: 0.75, ap: 5 / 6 },
    // Each fraud beats 6, 5, 5, 3 of the 6 legit rows: 19 / 24. Precision at each fraud: 1, 2/3, 3/4, 4/7.
    { name: 'ten ranked rows', ...ranked, auc: 19 / 24, ap: (1 + 2 / 3 + 3 / 4 + 4 / 7) / 4 },
    { name: 'all tied', scores: [0.5, 0.5, 0.5, 0.5], labels: [0, 1, 0, 1], auc: 0.5, ap: 0.5 },
    { name: 'perfect', scores: [0.2, 0.9, 0.1, 0.8], labels: [0, 1, 0, 1], auc: 1, ap: 1 },
    { name: 'inverted', scores: [0.9, 0.2, 0.8, 0.1], labels: [0, 1, 0, 1], auc: 0, ap: 0.5 * (1 / 3) + 0.5 * 0.5 },
    // The fraud at 0.5 ties the legit row at 0.5: that pair counts half, so AUC = 3.5 / 4.
    {
      name: 'a cross-class tie',
      scores: [0.9, 0.5, 0.5, 0.1],
      labels: [1, 1, 0, 0],
      auc: 0.875,
      ap: 0.5 + 0.5 * (2 / 3),
    },
  ])('$name', ({ scores, labels, auc, ap }) => {
    const sweep = sweepThresholds(scores, labels);
    expect(rocAuc(sweep)).toBeCloseTo(auc, 12);
    expect(averagePrecision(sweep)).toBeCloseTo(ap, 12);
  });

  it('gives null when a class is absent', () => {
    expect(summariseRanking([0.1, 0.2], [0, 0])).toMatchObject({ rocAuc: null, prAuc: null });
    expect(summariseRanking([0.1, 0.2], [1, 1])).toMatchObject({ rocAuc: null, prAuc: 1 });
  });

  it.each([
    { rate: 0, recall: 0.25, threshold: 0.9 },
    { rate: 0.1, recall: 0.25, threshold: 0.9 },
    { rate: 1 / 6, recall: 0.75, threshold: 0.6 },
    { rate: 0.5, recall: 1, threshold: 0.3 },
    { rate: 1, recall: 1, threshold: 0.05 },
  ])('recall at false-positive rate $rate is $recall', ({ rate, recall, threshold }) => {
    const result = recallAtFalsePositiveRate(sweepThresholds(ranked.scores, ranked.labels), rate);
    expect(result?.recall).toBeCloseTo(recall, 12);
    expect(result?.threshold).toBe(threshold);
    expect(result?.falsePositiveRate).toBeLessThanOrEqual(rate);
  });

  it('draws curves from (0,0) to (1,1) for ROC and from precision 1 for PR', () => {
    const sweep = sweepThresholds(ranked.scores, ranked.labels);
    const roc = rocCurve(sweep);
    expect(roc[0]).toMatchObject({ x: 0, y: 0 });
    expect(roc.at(-1)).toMatchObject({ x: 1, y: 1, threshold: 0.05 });
    const pr = precisionRecallCurve(sweep);
    expect(pr[0]).toMatchObject({ x: 0.25, y: 1 });
    expect(pr.at(-1)).toMatchObject({ x: 1, y: 0.4 });
  });

  it('summarises with the field names the evaluate command prints', () => {
    expect(summariseRanking(ranked.scores, ranked.labels)).toEqual({
      count: 10,
      positives: 4,
      negatives: 6,
      rocAuc: 19 / 24,
      prAuc: expect.closeTo((1 + 2 / 3 + 3 / 4 + 4 / 7) / 4, 12) as number,
      recallAt1PercentFalsePositiveRate: 0.25,
      recallAt5PercentFalsePositiveRate: 0.25,
    });
  });
});

describe('threshold table from costs', () => {
  it.each([
    // Missed fraud 100, friction 5: flag-none 400, >=0.6 costs 100 + 5, >=0.3 costs 3 x 5, flag-all 6 x 5.
    { threshold: 0.95, cost: 400 },
    { threshold: 0.6, cost: 105 },
    { threshold: 0.3, cost: 15 },
    { threshold: 0.05, cost: 30 },
  ])('costs $cost at threshold $threshold', ({ threshold, cost }) => {
    const table = thresholdTable({ ...ranked, costs: { missedFraud: 100, friction: 5 }, thresholds: [threshold] });
    expect(table.rows[0]?.totalCost).toBe(cost);
  });

  it('picks the cheapest threshold and reports the confusion counts there', () => {
    const table = thresholdTable({ ...ranked, costs: { missedFraud: 100, friction: 5 } });
    expect(table.rows).toHaveLength(99);
    expect(table.best).toMatchObject({ truePositives: 4, falsePositives: 3, falseNegatives: 0, totalCost: 15 });
    expect(table.best.threshold).toBeGreaterThan(0.2);
    expect(table.best.threshold).toBeLessThanOrEqual(0.3);
  });

  it('weighs missed fraud by amount when amounts are given', () => {
    const amounts = [900, 20, 20, 20, 20, 20, 20, 20, 20, 20];
    const table = thresholdTable({
      ...ranked,
      amounts,
      costs: { missedFraud: 1, friction: 5, caughtFraud: 2 },
      thresholds: [0.95, 0.85],
    });
    // Nothing flagged: 900 + 3 x 20. Flag the first: caught (2), misses 3 x 20.
    expect(table.rows.map((row) => row.totalCost)).toEqual([62, 960]);
    expect(table.best.threshold).toBe(0.85);
  });
});

describe('population stability index', () => {
  it('is 0 for the same sample and matches a hand-computed two-bin shift', () => {
    expect(populationStabilityIndex([1, 2, 3, 4], [1, 2, 3, 4], { bins: 2 }).psi).toBe(0);
    // Bins (-inf, 2] and (2, inf): expected 0.5 / 0.5, actual 0.75 / 0.25.
    const shifted = populationStabilityIndex([1, 2, 3, 4], [1, 1, 1, 4], { bins: 2 });
    expect(shifted.psi).toBeCloseTo(0.25 * Math.log(1.5) + -0.25 * Math.log(0.5), 12);
    expect(shifted.bins.map((bin) => [bin.lower, bin.upper])).toEqual([
      [Number.NEGATIVE_INFINITY, 2],
      [2, Number.POSITIVE_INFINITY],
    ]);
  });

  it('puts missing values in their own bin and floors empty bins', () => {
    const result = populationStabilityIndex([1, 2, 3, 4], [1, 2, Number.NaN, Number.NaN], { bins: 2 });
    expect(result.bins).toHaveLength(3);
    expect(result.bins[2]).toMatchObject({ expectedShare: 0, actualShare: 0.5 });
    // Bin 2 holds nothing now, and the missing bin appeared: both floored at 1e-4.
    const expected = 0 + (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
    expect(result.psi).toBeCloseTo(expected, 10);
  });

  it('uses equally wide bins when asked, and fewer bins for a feature with few values', () => {
    const uniform = populationStabilityIndex([0, 10], [0, 10], { bins: 4, binning: 'uniform' });
    expect(uniform.bins.map((bin) => bin.upper)).toEqual([2.5, 5, 7.5, Number.POSITIVE_INFINITY]);
    const flags = populationStabilityIndex([0, 0, 0, 1], [0, 1, 1, 1], { bins: 10 });
    expect(flags.bins).toHaveLength(2);
    expect(flags.psi).toBeCloseTo((0.25 - 0.75) * Math.log(0.25 / 0.75) + (0.75 - 0.25) * Math.log(0.75 / 0.25), 12);
  });
});
