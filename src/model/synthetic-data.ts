// Seeded synthetic labelled rows for tests and benchmarks: nonlinear, rare positives, some values missing.

export interface SyntheticDataOptions {
  readonly rowCount: number;
  readonly featureCount: number;
  readonly seed?: number;
  /** Share of values set to NaN. */
  readonly missingRate?: number;
}

export interface SyntheticData {
  readonly featureNames: string[];
  readonly rows: Float32Array;
  readonly labels: Float32Array;
}

/** mulberry32: tiny, fast and good enough to make reproducible test data. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeSyntheticData(options: SyntheticDataOptions): SyntheticData {
  const { rowCount, featureCount } = options;
  const random = makeRandom(options.seed ?? 1);
  const missingRate = options.missingRate ?? 0.05;
  const rows = new Float32Array(rowCount * featureCount);
  const labels = new Float32Array(rowCount);
  for (let rowIndex = 0; rowIndex < rowCount; rowIndex++) {
    const base = rowIndex * featureCount;
    for (let column = 0; column < featureCount; column++) {
      // Mixed feature shapes: counts, amounts, flags and ratios, like checkout features.
      const kind = column % 4;
      const uniform = random();
      const value =
        kind === 0
          ? Math.floor(-Math.log(1 - uniform) * 3)
          : kind === 1
            ? Math.exp(uniform * 7)
            : kind === 2
              ? uniform < 0.2
                ? 1
                : 0
              : uniform;
      rows[base + column] = random() < missingRate ? Number.NaN : value;
    }
    const at = (column: number): number => {
      const value = rows[base + (column % featureCount)]!;
      return Number.isNaN(value) ? 0 : value;
    };
    // Risk rises with amount, a flag, and a flag-by-count interaction; noise keeps AUC below 1.
    const logit =
      -5.5 +
      0.4 * Math.log1p(at(1)) +
      1.5 * at(2) +
      0.3 * at(0) * at(6) +
      2 * (at(3) > 0.9 ? 1 : 0) +
      (random() - 0.5) * 2;
    labels[rowIndex] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  const featureNames = Array.from({ length: featureCount }, (_, index) => `feature_${index}`);
  return { featureNames, rows, labels };
}
