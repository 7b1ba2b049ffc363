// Discrete decisions against labels: a confusion matrix per band and a decision rule as one point on the ROC/PR plane.
import type { Labels } from './metrics.ts';

export interface BandConfusion {
  readonly band: string;
  readonly fraud: number;
  readonly legitimate: number;
}

/** Orders per band (approve, step-up, review, decline, ...) split by label; `assigned[i]` indexes `names`. */
export function confusionByBand(
  names: readonly string[],
  assigned: ArrayLike<number>,
  labels: Labels,
): BandConfusion[] {
  const rows = names.map((band) => ({ band, fraud: 0, legitimate: 0 }));
  for (let index = 0; index < assigned.length; index++) {
    const row = rows[assigned[index]!];
    if (!row) throw new RangeError(`band ${assigned[index]} of order ${index} is not one of ${names.length} bands`);
    if (labels[index] === 1) row.fraud += 1;
    else row.legitimate += 1;
  }
  return rows;
}

export interface OperatingPoint {
  readonly label: string;
  readonly flagged: number;
  readonly falsePositiveRate: number | null;
  readonly recall: number | null;
  readonly precision: number | null;
}

/** Where a yes/no decision (flagged or not) sits: its false-positive rate, recall and precision. */
export function operatingPoint(label: string, flagged: ArrayLike<boolean>, labels: Labels): OperatingPoint {
  let truePositives = 0;
  let falsePositives = 0;
  let positives = 0;
  let negatives = 0;
  for (let index = 0; index < flagged.length; index++) {
    const fraud = labels[index] === 1;
    if (fraud) positives++;
    else negatives++;
    if (!flagged[index]) continue;
    if (fraud) truePositives++;
    else falsePositives++;
  }
  const flaggedCount = truePositives + falsePositives;
  return {
    label,
    flagged: flaggedCount,
    falsePositiveRate: negatives === 0 ? null : falsePositives / negatives,
    recall: positives === 0 ? null : truePositives / positives,
    precision: flaggedCount === 0 ? null : truePositives / flaggedCount,
  };
}
