// Which features the model leans on: mean |contribution| over rows, or average split gain from the trees.
import type { ContributionMethod, ScoringModel } from './scoring-model.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

export interface FeatureImportance {
  readonly feature: string;
  readonly value: number;
}

export interface ContributionImportanceOptions {
  /** Exact TreeSHAP costs milliseconds per row on big models, so at most this many rows are used; default 2000. */
  readonly maxRows?: number;
  readonly method?: ContributionMethod;
}

/** Mean absolute contribution per feature (log-odds units) over evenly spaced rows, largest first. */
export function meanAbsoluteContributions(
  model: ScoringModel,
  rows: Float32Array,
  options: ContributionImportanceOptions = {},
): FeatureImportance[] {
  const featureCount = model.featureNames.length;
  const rowCount = Math.floor(rows.length / featureCount);
  const used = Math.min(rowCount, options.maxRows ?? 2000);
  const totals = new Float64Array(featureCount);
  for (let sample = 0; sample < used; sample++) {
    const rowIndex = Math.floor((sample * rowCount) / used);
    const row = rows.subarray(rowIndex * featureCount, (rowIndex + 1) * featureCount);
    const { byFeature } = model.contributions(row, options.method ?? 'exact');
    for (let column = 0; column < featureCount; column++) totals[column]! += Math.abs(byFeature[column]!);
  }
  return sortImportance(
    model.featureNames.map((feature, index) => ({ feature, value: used ? totals[index]! / used : 0 })),
  );
}

/** XGBoost's "gain" importance: average loss reduction of the splits on each feature; unused features omitted. */
export function averageGain(ensemble: TreeEnsemble): FeatureImportance[] {
  const featureCount = ensemble.featureNames.length;
  const gains = new Float64Array(featureCount);
  const splits = new Float64Array(featureCount);
  for (let node = 0; node < ensemble.splitFeatures.length; node++) {
    const feature = ensemble.splitFeatures[node]!;
    if (feature < 0) continue;
    gains[feature]! += ensemble.gains[node]!;
    splits[feature]! += 1;
  }
  const used = ensemble.featureNames.flatMap((feature, index) =>
    splits[index]! > 0 ? [{ feature, value: gains[index]! / splits[index]! }] : [],
  );
  return sortImportance(used);
}

function sortImportance(entries: FeatureImportance[]): FeatureImportance[] {
  return entries.sort((first, second) => second.value - first.value || first.feature.localeCompare(second.feature));
}
