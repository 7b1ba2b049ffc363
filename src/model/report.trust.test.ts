// The report's trust sections: calibration bins add up, intervals hold the estimate, bands add up, text stays text.
import { describe, expect, it } from 'vitest';
import { bootstrapIntervals } from './bootstrap.ts';
import { calibration } from './reliability.ts';
import { summariseRanking } from './metrics.ts';
import { confusionByBand, operatingPoint } from './operating-points.ts';
import { renderEvaluationReport } from './report.ts';
import { makeRandom } from './synthetic-data.ts';

const random = makeRandom(7);
const labels = Array.from({ length: 3000 }, () => (random() < 0.04 ? 1 : 0));
// Scores drawn as the probability the label was drawn from: calibrated by construction, with ties (rounded).
const scores = labels.map(
  (label) => Math.round(Math.min(1, Math.max(0, (label ? 0.4 : 0.15) + (random() - 0.5) * 0.5)) * 200) / 200,
);

describe('calibration', () => {
  it('puts every order in exactly one bin, and the Brier score is the mean squared error', () => {
    const result = calibration(scores, labels);
    expect(result.bins).toHaveLength(10);
    expect(result.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(scores.length);
    expect(result.bins.reduce((sum, bin) => sum + bin.fraud, 0)).toBe(labels.filter((label) => label === 1).length);
    const brier = scores.reduce((sum, score, index) => sum + (score - labels[index]!) ** 2, 0) / scores.length;
    expect(result.brier).toBeCloseTo(brier, 12);
    expect(result.outOfRange).toBe(0);
  });

  it('reads a perfectly calibrated table as calibrated and an overconfident one as not', () => {
    const honest = calibration([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75], [1, 0, 0, 0, 1, 1, 1, 0]);
    expect(honest.expectedCalibrationError).toBeCloseTo(0, 12);
    const overconfident = calibration([0.95, 0.95, 0.95, 0.95], [1, 0, 0, 0]);
    expect(overconfident.expectedCalibrationError).toBeCloseTo(0.7, 12);
    expect(overconfident.bins[9]).toMatchObject({ count: 4, fraud: 1, observedRate: 0.25 });
  });

  it('counts scores outside 0..1 instead of pretending they are probabilities', () => {
    expect(calibration([-1, 0.5, 3], [0, 1, 1]).outOfRange).toBe(2);
  });
});

describe('bootstrap intervals', () => {
  const intervals = bootstrapIntervals(scores, labels, { resamples: 200, seed: 5 });

  it('estimates exactly what metrics.ts computes, ties included', () => {
    const summary = summariseRanking(scores, labels);
    expect(intervals.roc_auc.estimate).toBeCloseTo(summary.rocAuc!, 12);
    expect(intervals.pr_auc.estimate).toBeCloseTo(summary.prAuc!, 12);
    expect(intervals.recall_at_1pct_fpr.estimate).toBeCloseTo(summary.recallAt1PercentFalsePositiveRate!, 12);
  });

  it('holds the point estimate inside a non-empty interval, and is repeatable by seed', () => {
    for (const interval of [intervals.roc_auc, intervals.pr_auc, intervals.recall_at_1pct_fpr]) {
      expect(interval.low!).toBeLessThan(interval.high!);
      expect(interval.low!).toBeLessThanOrEqual(interval.estimate!);
      expect(interval.high!).toBeGreaterThanOrEqual(interval.estimate!);
    }
    expect(bootstrapIntervals(scores, labels, { resamples: 200, seed: 5 })).toEqual(intervals);
    expect(bootstrapIntervals(scores, labels, { resamples: 200, seed: 6 }).roc_auc).not.toEqual(intervals.roc_auc);
  });

  it('narrows as the data grows', () => {
    const small = bootstrapIntervals(scores.slice(0, 600), labels.slice(0, 600), { resamples: 200, seed: 5 });
    const width = (interval: { low: number | null; high: number | null }) => interval.high! - interval.low!;
    expect(width(intervals.roc_auc)).toBeLessThan(width(small.roc_auc));
  });

  it('has no interval without both classes', () => {
    const single = bootstrapIntervals([0.1, 0.2], [0, 0], { resamples: 10 });
    expect(single.roc_auc).toEqual({ estimate: null, low: null, high: null });
  });
});

describe('bands and operating points', () => {
  it('splits every order by band and label', () => {
    const rows = confusionByBand(['approve', 'decline'], [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]);
    expect(rows).toEqual([
      { band: 'approve', fraud: 1, legitimate: 1 },
      { band: 'decline', fraud: 2, legitimate: 1 },
    ]);
    expect(() => confusionByBand(['approve'], [2], [0])).toThrow(RangeError);
  });

  it('places a yes/no decision at its false-positive rate, recall and precision', () => {
    const point = operatingPoint('rule', [true, true, false, false], [1, 0, 1, 0]);
    expect(point).toEqual({ label: 'rule', flagged: 2, falsePositiveRate: 0.5, recall: 0.5, precision: 0.5 });
  });
});

describe('report with the trust sections', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const html = renderEvaluationReport({
    title: 'trust',
    generatedAt: '2026-01-01T00:00:00.000Z',
    scores,
    labels,
    bands: { names: ['approve', evil], assigned: scores.map((score) => (score > 0.3 ? 1 : 0)), note: evil },
    intervals: bootstrapIntervals(scores, labels, { resamples: 50 }),
    splits: {
      sets: [
        { name: 'train', scores, labels },
        { name: `test ${evil}`, scores, labels },
      ],
      caption: 'caption',
    },
    operatingPoints: [{ label: `rule ${evil}`, flagged: scores.map((score) => score > 0.5) }],
    metadata: { 'git commit': evil, 'data range': '2025-01-01 – 2025-02-01' },
    comparison: { current: `shifted ${evil}`, baseline: { name: 'default', scores, labels } },
  });

  it('has every section, and the reliability and comparison charts', () => {
    for (const heading of [
      'Calibration',
      'Decisions by band (confusion matrix)',
      'Confidence intervals (bootstrap)',
      'Train, validation and test',
      'Rules and policy on the curves',
      'Run',
      'Shifted-world comparison',
    ]) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('Calibration (reliability diagram)');
    expect(html).toContain('ROC curve, baseline world vs this world');
    expect(html).toContain('Brier score');
    expect(html.match(/<svg /g)).toHaveLength(6);
  });

  it('escapes every name that came from data, in tables and in charts', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('draws the same model on an identical world with zero drop', () => {
    const comparison = html.slice(html.indexOf('<h2>Shifted-world comparison</h2>'));
    const rocRow =
      /<td>ROC AUC<\/td><td class="number">([\d.]+)<\/td><td class="number">([\d.]+)<\/td><td class="number">([\d.]+)<\/td>/.exec(
        comparison,
      );
    expect(rocRow).not.toBeNull();
    expect(rocRow![1]).toBe(rocRow![2]);
    expect(Number(rocRow![3])).toBe(0);
  });
});
