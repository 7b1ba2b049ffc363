// Population stability index (PSI): how far a feature's or score's distribution moved since training.

export interface StabilityBin {
  /** Exclusive lower and inclusive upper edge; the missing-value bin has both NaN. */
  readonly lower: number;
  readonly upper: number;
  readonly expectedShare: number;
  readonly actualShare: number;
  readonly contribution: number;
}

export interface StabilityResult {
  /** Rule of thumb: < 0.1 stable, 0.1-0.25 shifting, > 0.25 drifted. */
  readonly psi: number;
  readonly bins: readonly StabilityBin[];
}

export interface StabilityOptions {
  /** Number of bins; default 10. */
  readonly bins?: number;
  /** 'quantile' bins hold equal shares of the expected sample (default); 'uniform' bins are equally wide. */
  readonly binning?: 'quantile' | 'uniform';
  /** Floor for an empty bin's share, so that ln(actual / expected) stays finite; default 1e-4. */
  readonly minimumShare?: number;
}

/** PSI = sum over bins of (actual - expected) x ln(actual / expected); missing values get their own bin. */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  options: StabilityOptions = {},
): StabilityResult {
  const edges = binEdges(expected, options.bins ?? 10, options.binning ?? 'quantile');
  const expectedCounts = countIntoBins(expected, edges);
  const actualCounts = countIntoBins(actual, edges);
  const minimumShare = options.minimumShare ?? 1e-4;
  const hasMissing = (expectedCounts.at(-1) ?? 0) + (actualCounts.at(-1) ?? 0) > 0;
  const binCount = edges.length + 1 + (hasMissing ? 1 : 0);
  const bins: StabilityBin[] = [];
  let psi = 0;
  for (let bin = 0; bin < binCount; bin++) {
    const expectedShare = share(expectedCounts[bin] ?? 0, expected.length);
    const actualShare = share(actualCounts[bin] ?? 0, actual.length);
    const floorExpected = Math.max(expectedShare, minimumShare);
    const floorActual = Math.max(actualShare, minimumShare);
    const contribution = (floorActual - floorExpected) * Math.log(floorActual / floorExpected);
    psi += contribution;
    const isMissingBin = bin === edges.length + 1;
    bins.push({
      lower: isMissingBin ? Number.NaN : bin === 0 ? Number.NEGATIVE_INFINITY : edges[bin - 1]!,
      upper: isMissingBin ? Number.NaN : bin === edges.length ? Number.POSITIVE_INFINITY : edges[bin]!,
      expectedShare,
      actualShare,
      contribution,
    });
  }
  return { psi, bins };
}

function share(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

/** Upper edges of all bins but the last, deduplicated (a feature with few values yields fewer bins). */
function binEdges(sample: ArrayLike<number>, bins: number, binning: 'quantile' | 'uniform'): number[] {
  const values = Array.from(sample).filter((value) => !Number.isNaN(value));
  if (values.length === 0 || bins < 2) return [];
  values.sort((first, second) => first - second);
  const edges: number[] = [];
  for (let bin = 1; bin < bins; bin++) {
    const edge =
      binning === 'quantile'
        ? values[Math.ceil((bin / bins) * values.length) - 1]!
        : values[0]! + ((values.at(-1)! - values[0]!) * bin) / bins;
    if (edge < values.at(-1)! && edge !== edges.at(-1)) edges.push(edge);
  }
  return edges;
}

/** Counts per bin; index edges.length + 1 holds the missing (NaN) values. */
function countIntoBins(sample: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (let index = 0; index < sample.length; index++) {
    const value = sample[index]!;
    if (Number.isNaN(value)) {
      counts[edges.length + 1]!++;
      continue;
    }
    let low = 0;
    let high = edges.length;
    // Binary search for the first edge >= value: bins are (edge[k-1], edge[k]].
    while (low < high) {
      const middle = (low + high) >> 1;
      if (edges[middle]! < value) low = middle + 1;
      else high = middle;
    }
    counts[low]!++;
  }
  return counts;
}
