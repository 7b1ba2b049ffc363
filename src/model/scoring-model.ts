// The model as the risk engine sees it: load XGBoost JSON once, then score and explain rows in-process.
import { failure, success, type Result } from './model.result.ts';
import { makeShapExplainer } from './tree-shap.ts';
import { parseXgboostModel, type SupportedObjective } from './tree-ensemble.ts';
import { marginOfRow, transformMargin } from './tree-walker.ts';

export type FeatureRow = Float32Array | readonly number[];
export type FeatureRecord = Readonly<Record<string, number | boolean | string | null | undefined>>;

export type ContributionMethod = 'exact' | 'approximate';

export interface Contributions {
  /** One value per feature, in featureNames order, in margin (log-odds) units. */
  readonly byFeature: Float64Array;
  /** Expected margin over the training data, base_score included; bias + sum(byFeature) = margin. */
  readonly bias: number;
}

export interface ScoringModel {
  readonly featureNames: readonly string[];
  readonly objective: SupportedObjective;
  readonly treeCount: number;
  /** Probability for logistic objectives, the raw value otherwise. */
  score(row: FeatureRow): number;
  margin(row: FeatureRow): number;
  /** Scores many row-major rows at once (evaluation, backtests). */
  scoreRows(rows: Float32Array): Float64Array;
  /**
   * Per-feature contributions to the margin: exact TreeSHAP (default; about as costly as libxgboost's
   * own, milliseconds for hundreds of deep trees) or Saabas' approximation (microseconds).
   */
  contributions(row: FeatureRow, method?: ContributionMethod): Contributions;
  /** Builds a row by feature name; absent, null and non-numeric values become NaN (missing). */
  rowFromRecord(record: FeatureRecord): Float32Array;
}

export function loadModel(json: string | unknown): Result<ScoringModel> {
  const parsed = parseXgboostModel(json);
  if (!parsed.ok) return parsed;
  const ensemble = parsed.value;
  const featureCount = ensemble.featureNames.length;
  const explainer = makeShapExplainer(ensemble);
  // Rows given as number[] are copied here, so the float32 rounding libxgboost applies happens once.
  const scratch = new Float32Array(featureCount);
  const asFloat32 = (row: FeatureRow): Float32Array => {
    if (row.length !== featureCount) {
      throw new RangeError(`row has ${row.length} values, the model expects ${featureCount}`);
    }
    if (row instanceof Float32Array) return row;
    scratch.set(row);
    return scratch;
  };
  const indexByName = new Map(ensemble.featureNames.map((name, index) => [name, index]));
  if (indexByName.size !== featureCount) return failure('invalid_model', 'feature names are not unique');
  return success({
    featureNames: ensemble.featureNames,
    objective: ensemble.objective,
    treeCount: ensemble.treeRoots.length,
    score: (row) => transformMargin(ensemble.objective, marginOfRow(ensemble, asFloat32(row))),
    margin: (row) => marginOfRow(ensemble, asFloat32(row)),
    scoreRows(rows) {
      if (rows.length % featureCount !== 0) {
        throw new RangeError(`rows has ${rows.length} values, not a multiple of ${featureCount} features`);
      }
      const scores = new Float64Array(rows.length / featureCount);
      for (let index = 0; index < scores.length; index++) {
        const row = rows.subarray(index * featureCount, (index + 1) * featureCount);
        scores[index] = transformMargin(ensemble.objective, marginOfRow(ensemble, row));
      }
      return scores;
    },
    contributions(row, method = 'exact') {
      const input = asFloat32(row);
      const values = method === 'exact' ? explainer.contributions(input) : explainer.approximateContributions(input);
      return { byFeature: values.subarray(0, featureCount), bias: values[featureCount]! };
    },
    rowFromRecord(record) {
      const row = new Float32Array(featureCount).fill(Number.NaN);
      for (const [name, value] of Object.entries(record)) {
        const index = indexByName.get(name);
        if (index === undefined) continue;
        if (typeof value === 'number') row[index] = value;
        else if (typeof value === 'boolean') row[index] = value ? 1 : 0;
      }
      return row;
    },
  });
}
