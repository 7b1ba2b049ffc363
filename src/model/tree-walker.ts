// Scores one row against a tree ensemble the way libxgboost does, in float32, in microseconds.
import type { SupportedObjective, TreeEnsemble } from './tree-ensemble.ts';

/** Index of the leaf one tree sends the row to; `root` is the tree's global root node. */
export function leafOf(ensemble: TreeEnsemble, row: Float32Array, root: number): number {
  const { splitFeatures, values, leftChildren, rightChildren, missingChildren } = ensemble;
  // Indices below come from a validated ensemble, so the non-null assertions cannot lie; they keep the
  // hot loop free of `?? fallback` branches.
  let node = root;
  let feature = splitFeatures[node]!;
  while (feature >= 0) {
    // Both sides are float32 values, so `<` is libxgboost's `fvalue < split_condition` exactly.
    // NaN fails both comparisons and takes the default (missing) branch.
    const value = row[feature]!;
    const threshold = values[node]!;
    if (value < threshold) node = leftChildren[node]!;
    else if (value >= threshold) node = rightChildren[node]!;
    else node = missingChildren[node]!;
    feature = splitFeatures[node]!;
  }
  return node;
}

/** Sum of leaves plus base margin, accumulated in float32 in tree order as libxgboost does. */
export function marginOfRow(ensemble: TreeEnsemble, row: Float32Array): number {
  const { treeRoots, values } = ensemble;
  let margin = ensemble.baseMargin;
  for (let tree = 0; tree < treeRoots.length; tree++) {
    margin = Math.fround(margin + values[leafOf(ensemble, row, treeRoots[tree]!)]!);
  }
  return margin;
}

/** The objective's output transform (XGBoost's PredTransform) applied to a margin. */
export function transformMargin(objective: SupportedObjective, margin: number): number {
  if (objective === 'binary:logistic' || objective === 'reg:logistic') return sigmoid(margin);
  return margin;
}

/** XGBoost's float32 sigmoid: 1 / (1 + exp(-x)), with -x capped at 88.7 so that expf cannot overflow. */
export function sigmoid(margin: number): number {
  const exponent = Math.min(-margin, 88.7);
  return Math.fround(1 / Math.fround(Math.fround(Math.exp(exponent)) + 1));
}

export function scoreRow(ensemble: TreeEnsemble, row: Float32Array): number {
  return transformMargin(ensemble.objective, marginOfRow(ensemble, row));
}
