// Chooses score thresholds from money: what a missed fraud costs against what friction on a good buyer costs.
import type { Labels, Scores } from './metrics.ts';

export interface DecisionCosts {
  /** Cost of one missed fraud; multiplied by the row's amount when amounts are given (a loss rate). */
  readonly missedFraud: number;
  /** Cost of flagging a legitimate purchase (step-up abandonment, review time, annoyance). */
  readonly friction: number;
  /** Cost of flagging a fraud, e.g. review time; default 0. */
  readonly caughtFraud?: number;
}

export interface ThresholdRow {
  readonly threshold: number;
  readonly flagged: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
  readonly totalCost: number;
  readonly costPerDecision: number;
}

export interface ThresholdTable {
  readonly rows: readonly ThresholdRow[];
  /** The row with the lowest total cost (the highest threshold among equals). */
  readonly best: ThresholdRow;
}

export interface ThresholdTableInput {
  readonly scores: Scores;
  readonly labels: Labels;
  readonly costs: DecisionCosts;
  /** Purchase amounts, so a missed EUR 900 phone costs more than a missed EUR 20 T-shirt. */
  readonly amounts?: ArrayLike<number>;
  /** Thresholds to report; by default 0.01, 0.02, ..., 0.99. */
  readonly thresholds?: readonly number[];
}

export const defaultThresholds: readonly number[] = Array.from({ length: 99 }, (_, index) => (index + 1) / 100);

export function thresholdTable(input: ThresholdTableInput): ThresholdTable {
  const { scores, labels, costs, amounts } = input;
  if (scores.length !== labels.length || (amounts && amounts.length !== scores.length)) {
    throw new RangeError('scores, labels and amounts must have one value per row');
  }
  const requested = input.thresholds?.length ? input.thresholds : defaultThresholds;
  const thresholds = [...requested].sort((first, second) => first - second);
  const rows = thresholds.map((threshold) => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    let cost = 0;
    for (let index = 0; index < scores.length; index++) {
      const flagged = scores[index]! >= threshold;
      const fraud = labels[index] === 1;
      if (fraud && flagged) {
        truePositives++;
        cost += costs.caughtFraud ?? 0;
      } else if (fraud) {
        falseNegatives++;
        cost += costs.missedFraud * (amounts ? amounts[index]! : 1);
      } else if (flagged) {
        falsePositives++;
        cost += costs.friction;
      }
    }
    const negatives = scores.length - truePositives - falseNegatives;
    const flagged = truePositives + falsePositives;
    return {
      threshold,
      flagged,
      truePositives,
      falsePositives,
      falseNegatives,
      precision: flagged === 0 ? 1 : truePositives / flagged,
      recall: truePositives + falseNegatives === 0 ? 0 : truePositives / (truePositives + falseNegatives),
      falsePositiveRate: negatives === 0 ? 0 : falsePositives / negatives,
      totalCost: cost,
      costPerDecision: scores.length === 0 ? 0 : cost / scores.length,
    };
  });
  const best = rows.reduce((chosen, row) => (row.totalCost <= chosen.totalCost ? row : chosen), rows[0]!);
  return { rows, best };
}
