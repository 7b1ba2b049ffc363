// Ranking metrics for a fraud score: ROC AUC, PR AUC (average precision), recall at a false-positive rate.
// Convention everywhere: label 1 = fraud, a row is flagged when score >= threshold.

export type Scores = ArrayLike<number>;
export type Labels = ArrayLike<number>;

/**
 * Cumulative counts after flagging everything scoring >= thresholds[k], one entry per distinct score
 * from high to low. Tied scores are one step, because no threshold can separate them.
 */
export interface ThresholdSweep {
  readonly thresholds: Float64Array;
  readonly truePositives: Float64Array;
  readonly falsePositives: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

export function sweepThresholds(scores: Scores, labels: Labels): ThresholdSweep {
  if (scores.length !== labels.length) {
    throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  const order = Array.from({ length: scores.length }, (_, index) => index).sort(
    (first, second) => scores[second]! - scores[first]!,
  );
  const thresholds: number[] = [];
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let positives = 0;
  let negatives = 0;
  for (let position = 0; position < order.length; position++) {
    const index = order[position]!;
    if (labels[index] === 1) positives++;
    else negatives++;
    const next = order[position + 1];
    if (next === undefined || scores[next] !== scores[index]) {
      thresholds.push(scores[index]!);
      truePositives.push(positives);
      falsePositives.push(negatives);
    }
  }
  return {
    thresholds: Float64Array.from(thresholds),
    truePositives: Float64Array.from(truePositives),
    falsePositives: Float64Array.from(falsePositives),
    positives,
    negatives,
  };
}

export interface CurvePoint {
  readonly x: number;
  readonly y: number;
  readonly threshold: number;
}

/** ROC points (x = false-positive rate, y = recall), starting at (0, 0) with threshold +Infinity. */
export function rocCurve(sweep: ThresholdSweep): CurvePoint[] {
  const points: CurvePoint[] = [{ x: 0, y: 0, threshold: Number.POSITIVE_INFINITY }];
  for (let step = 0; step < sweep.thresholds.length; step++) {
    points.push({
      x: sweep.negatives === 0 ? 0 : sweep.falsePositives[step]! / sweep.negatives,
      y: sweep.positives === 0 ? 0 : sweep.truePositives[step]! / sweep.positives,
      threshold: sweep.thresholds[step]!,
    });
  }
  return points;
}

/** Precision-recall points (x = recall, y = precision), one per distinct threshold. */
export function precisionRecallCurve(sweep: ThresholdSweep): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (let step = 0; step < sweep.thresholds.length; step++) {
    const truePositives = sweep.truePositives[step]!;
    const flagged = truePositives + sweep.falsePositives[step]!;
    points.push({
      x: sweep.positives === 0 ? 0 : truePositives / sweep.positives,
      y: flagged === 0 ? 1 : truePositives / flagged,
      threshold: sweep.thresholds[step]!,
    });
  }
  return points;
}

/** Area under the ROC curve (trapezoids, so ties count half); null without both classes. */
export function rocAuc(sweep: ThresholdSweep): number | null {
  if (sweep.positives === 0 || sweep.negatives === 0) return null;
  let area = 0;
  let previous = { x: 0, y: 0 };
  for (const point of rocCurve(sweep)) {
    area += ((point.x - previous.x) * (point.y + previous.y)) / 2;
    previous = point;
  }
  return area;
}

/**
 * PR AUC as average precision: sum over thresholds of (recall gained) x (precision there), the step
 * interpolation scikit-learn uses; trapezoids would overstate it. Null without positives.
 */
export function averagePrecision(sweep: ThresholdSweep): number | null {
  if (sweep.positives === 0) return null;
  let total = 0;
  let previousRecall = 0;
  for (const point of precisionRecallCurve(sweep)) {
    total += (point.x - previousRecall) * point.y;
    previousRecall = point.x;
  }
  return total;
}

export interface RecallAtRate {
  readonly recall: number;
  /** The lowest threshold whose false-positive rate stays within the target. */
  readonly threshold: number;
  readonly falsePositiveRate: number;
}

/** Best recall whose false-positive rate is <= the target; null without both classes. */
export function recallAtFalsePositiveRate(sweep: ThresholdSweep, targetRate: number): RecallAtRate | null {
  if (sweep.positives === 0 || sweep.negatives === 0) return null;
  let best: RecallAtRate = { recall: 0, threshold: Number.POSITIVE_INFINITY, falsePositiveRate: 0 };
  for (let step = 0; step < sweep.thresholds.length; step++) {
    const falsePositiveRate = sweep.falsePositives[step]! / sweep.negatives;
    if (falsePositiveRate > targetRate) break;
    best = {
      recall: sweep.truePositives[step]! / sweep.positives,
      threshold: sweep.thresholds[step]!,
      falsePositiveRate,
    };
  }
  return best;
}

export interface RankingSummary {
  readonly count: number;
  readonly positives: number;
  readonly negatives: number;
  readonly rocAuc: number | null;
  readonly prAuc: number | null;
  readonly recallAt1PercentFalsePositiveRate: number | null;
  readonly recallAt5PercentFalsePositiveRate: number | null;
}

export function summariseRanking(scores: Scores, labels: Labels): RankingSummary {
  const sweep = sweepThresholds(scores, labels);
  return {
    count: scores.length,
    positives: sweep.positives,
    negatives: sweep.negatives,
    rocAuc: rocAuc(sweep),
    prAuc: averagePrecision(sweep),
    recallAt1PercentFalsePositiveRate: recallAtFalsePositiveRate(sweep, 0.01)?.recall ?? null,
    recallAt5PercentFalsePositiveRate: recallAtFalsePositiveRate(sweep, 0.05)?.recall ?? null,
  };
}
