// Bootstrap confidence intervals for ROC AUC, PR AUC and recall at 1% FPR: seeded, one sort, each resample a weighted sweep.
import type { Labels, Scores } from './metrics.ts';
import { makeRandom } from './synthetic-data.ts';

export interface Interval {
  /** The figure on the data as it is (equal to metrics.ts on the same scores). */
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

export interface BootstrapIntervals {
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  readonly roc_auc: Interval;
  readonly pr_auc: Interval;
  readonly recall_at_1pct_fpr: Interval;
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly seed?: number;
  /** Central coverage, e.g. 0.95 for the 2.5th to 97.5th percentile. */
  readonly level?: number;
}

type Figures = readonly [rocAuc: number | null, prAuc: number | null, recallAt1: number | null];

/** Rows sorted by score, high to low, with the start of each run of tied scores (no threshold splits a tie). */
function rankedGroups(scores: Scores): { order: Uint32Array; groupEnds: Uint32Array } {
  const order = Uint32Array.from({ length: scores.length }, (_, index) => index).sort(
    (first, second) => scores[second]! - scores[first]!,
  );
  const ends: number[] = [];
  for (let position = 0; position < order.length; position++) {
    const next = order[position + 1];
    if (next === undefined || scores[next] !== scores[order[position]!]) ends.push(position + 1);
  }
  return { order, groupEnds: Uint32Array.from(ends) };
}

/** The three figures with each row counted `weights[row]` times: the same sweep as metrics.ts, weighted. */
function weightedFigures(
  order: Uint32Array,
  groupEnds: Uint32Array,
  labels: Labels,
  weights: ArrayLike<number>,
): Figures {
  let positives = 0;
  let negatives = 0;
  for (let row = 0; row < labels.length; row++) {
    if (labels[row] === 1) positives += weights[row]!;
    else negatives += weights[row]!;
  }
  if (positives === 0) return [null, null, null];
  let truePositives = 0;
  let falsePositives = 0;
  let area = 0;
  let precisionSum = 0;
  let recallAt1 = 0;
  let withinRate = true;
  let start = 0;
  for (const end of groupEnds) {
    const previousTrue = truePositives;
    const previousFalse = falsePositives;
    for (let position = start; position < end; position++) {
      const row = order[position]!;
      if (labels[row] === 1) truePositives += weights[row]!;
      else falsePositives += weights[row]!;
    }
    start = end;
    if (negatives > 0) {
      area += ((falsePositives - previousFalse) / negatives) * ((truePositives + previousTrue) / 2 / positives);
      if (withinRate && falsePositives / negatives <= 0.01) recallAt1 = truePositives / positives;
      else withinRate = false;
    }
    const flagged = truePositives + falsePositives;
    precisionSum += ((truePositives - previousTrue) / positives) * (flagged === 0 ? 1 : truePositives / flagged);
  }
  return negatives === 0 ? [null, precisionSum, null] : [area, precisionSum, recallAt1];
}

function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  const position = share * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The figures of each resample (a resample without one of the classes is left out of that figure's list). */
export interface BootstrapSamples {
  readonly estimate: Figures;
  readonly roc_auc: readonly number[];
  readonly pr_auc: readonly number[];
  readonly recall_at_1pct_fpr: readonly number[];
}

export function bootstrapSamples(scores: Scores, labels: Labels, options: BootstrapOptions = {}): BootstrapSamples {
  const resamples = options.resamples ?? 200;
  const { order, groupEnds } = rankedGroups(scores);
  const count = scores.length;
  const estimate = weightedFigures(order, groupEnds, labels, new Uint32Array(count).fill(1));
  const random = makeRandom(options.seed ?? 1);
  const samples: number[][] = [[], [], []];
  const weights = new Uint32Array(count);
  for (let resample = 0; resample < resamples && count > 0; resample++) {
    weights.fill(0);
    for (let draw = 0; draw < count; draw++) weights[Math.floor(random() * count)]! += 1;
    // A resample without one of the classes has no figure; it is left out rather than counted as 0.
    weightedFigures(order, groupEnds, labels, weights).forEach((value, figure) => {
      if (value !== null) samples[figure]!.push(value);
    });
  }
  return { estimate, roc_auc: samples[0]!, pr_auc: samples[1]!, recall_at_1pct_fpr: samples[2]! };
}

/** The central `level` of some resampled values, around the figure on the data as it is. */
export function intervalOf(estimate: number | null, values: readonly number[], level = 0.95): Interval {
  const sorted = [...values].sort((first, second) => first - second);
  return { estimate, low: percentile(sorted, (1 - level) / 2), high: percentile(sorted, 1 - (1 - level) / 2) };
}

export function bootstrapIntervals(scores: Scores, labels: Labels, options: BootstrapOptions = {}): BootstrapIntervals {
  const resamples = options.resamples ?? 200;
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.95;
  const samples = bootstrapSamples(scores, labels, { resamples, seed });
  return {
    resamples,
    seed,
    level,
    roc_auc: intervalOf(samples.estimate[0] ?? null, samples.roc_auc, level),
    pr_auc: intervalOf(samples.estimate[1] ?? null, samples.pr_auc, level),
    recall_at_1pct_fpr: intervalOf(samples.estimate[2] ?? null, samples.recall_at_1pct_fpr, level),
  };
}
