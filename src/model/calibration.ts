// Isotonic calibration: maps a model's raw score to the fraud rate observed at that score on held-out data.
import { z } from 'zod';

/**
 * A monotone piecewise-linear curve through (raw score, observed fraud rate) knots. Stored with the model, so
 * the live engine outputs a probability that means what it says ("3% of orders scored like this were fraud").
 */
export const calibrationSchema = z.object({
  method: z.literal('isotonic'),
  /** Raw scores, strictly increasing. */
  scores: z.array(z.number()),
  /** Calibrated probabilities, non-decreasing, one per score. */
  probabilities: z.array(z.number().min(0).max(1)),
  /** Orders and frauds it was fitted on (the validation window). */
  orders: z.number(),
  positives: z.number(),
});
export type Calibration = z.infer<typeof calibrationSchema>;

/**
 * Pool adjacent violators over the scores in ascending order: every block whose rate falls below the block
 * before merges with it, until the rates only rise. Each block becomes one knot at its mean score, and the
 * curve interpolates between knots, so orders the raw model ranks apart stay apart (ties only within a block's
 * flat ends).
 */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  const order = Array.from({ length: scores.length }, (_, index) => index).sort(
    (first, second) => scores[first]! - scores[second]!,
  );
  const blocks: { scoreSum: number; labelSum: number; count: number }[] = [];
  let positives = 0;
  for (const index of order) {
    const label = labels[index]! > 0 ? 1 : 0;
    positives += label;
    blocks.push({ scoreSum: scores[index]!, labelSum: label, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const before = blocks[blocks.length - 2]!;
      if (before.labelSum / before.count < last.labelSum / last.count) break;
      blocks.pop();
      before.scoreSum += last.scoreSum;
      before.labelSum += last.labelSum;
      before.count += last.count;
    }
  }
  const knots: { score: number; probability: number }[] = [];
  for (const block of blocks) {
    const score = block.scoreSum / block.count;
    const probability = block.labelSum / block.count;
    const previous = knots[knots.length - 1];
    // Equal mean scores can only come from tied raw scores; keep the curve a function.
    if (previous !== undefined && score <= previous.score)
      previous.probability = Math.max(previous.probability, probability);
    else knots.push({ score, probability });
  }
  return {
    method: 'isotonic',
    scores: knots.map((knot) => knot.score),
    probabilities: knots.map((knot) => knot.probability),
    orders: scores.length,
    positives,
  };
}

/** Flat beyond the outer knots: nothing was observed there to extrapolate from. */
export function calibrate(calibration: Calibration, score: number): number {
  const { scores, probabilities } = calibration;
  if (scores.length === 0) return score;
  if (score <= scores[0]!) return probabilities[0]!;
  let low = 0;
  let high = scores.length - 1;
  if (score >= scores[high]!) return probabilities[high]!;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (scores[middle]! <= score) low = middle;
    else high = middle;
  }
  const fraction = (score - scores[low]!) / (scores[high]! - scores[low]!);
  return probabilities[low]! + fraction * (probabilities[high]! - probabilities[low]!);
}

export function calibrateAll(calibration: Calibration, scores: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: scores.length }, (_, index) => calibrate(calibration, scores[index]!));
}
