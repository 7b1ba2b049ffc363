// Reliability of probabilities: predicted vs observed fraud rate per score bin, the Brier score and the expected calibration error.
import type { Labels, Scores } from './metrics.ts';

export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly fraud: number;
  /** Mean predicted probability in the bin; null when the bin is empty. */
  readonly meanPredicted: number | null;
  readonly observedRate: number | null;
}

export interface Calibration {
  readonly bins: readonly CalibrationBin[];
  /** Mean squared error of the probability against the 0/1 label; lower is better, base rate x (1 - base rate) is "knows nothing". */
  readonly brier: number | null;
  /** Weighted mean |predicted - observed| over bins (expected calibration error). */
  readonly expectedCalibrationError: number | null;
  /** Scores outside 0..1 are not probabilities; they are clamped into the end bins and counted here. */
  readonly outOfRange: number;
}

export function calibration(scores: Scores, labels: Labels, binCount = 10): Calibration {
  const counts = new Float64Array(binCount);
  const frauds = new Float64Array(binCount);
  const sums = new Float64Array(binCount);
  let squared = 0;
  let outOfRange = 0;
  for (let index = 0; index < scores.length; index++) {
    const raw = scores[index]!;
    if (raw < 0 || raw > 1) outOfRange++;
    const score = Math.min(1, Math.max(0, raw));
    const bin = Math.min(binCount - 1, Math.floor(score * binCount));
    const label = labels[index] === 1 ? 1 : 0;
    counts[bin]! += 1;
    frauds[bin]! += label;
    sums[bin]! += score;
    squared += (score - label) ** 2;
  }
  const bins = Array.from({ length: binCount }, (_, bin): CalibrationBin => {
    const count = counts[bin]!;
    return {
      from: bin / binCount,
      to: (bin + 1) / binCount,
      count,
      fraud: frauds[bin]!,
      meanPredicted: count === 0 ? null : sums[bin]! / count,
      observedRate: count === 0 ? null : frauds[bin]! / count,
    };
  });
  const total = scores.length;
  let gap = 0;
  for (const bin of bins)
    if (bin.count > 0) gap += (bin.count / total) * Math.abs(bin.meanPredicted! - bin.observedRate!);
  return {
    bins,
    brier: total === 0 ? null : squared / total,
    expectedCalibrationError: total === 0 ? null : gap,
    outOfRange,
  };
}
