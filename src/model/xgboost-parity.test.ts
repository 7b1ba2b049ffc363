// Checks the TypeScript walker and TreeSHAP against libxgboost's own predictions on the same model.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeRandomEnsembleJson } from './random-ensemble.ts';
import { loadModel, type ContributionMethod, type ScoringModel } from './scoring-model.ts';
import { makeRandom, makeSyntheticData } from './synthetic-data.ts';
import { loadXgboost } from './xgboost.library.ts';
import { predictWithXgboost } from './xgboost.predictor.ts';
import { trainModel } from './xgboost.trainer.ts';

const library = loadXgboost();
if (!library.ok) console.warn(`skipping libxgboost parity tests: ${library.error.message}`);

const featureCount = 12;

/** Test rows that stress the walker: NaN, values exactly on split thresholds, extremes (libxgboost refuses infinities). */
function edgeRows(modelJson: string, count: number): Float32Array {
  const trees = (JSON.parse(modelJson) as { learner: { gradient_booster: { model: { trees: TreeJson[] } } } }).learner
    .gradient_booster.model.trees;
  const random = makeRandom(7);
  const rows = makeSyntheticData({ rowCount: count, featureCount, seed: 99, missingRate: 0.15 }).rows;
  for (let rowIndex = 0; rowIndex < count; rowIndex++) {
    const tree = trees[rowIndex % trees.length]!;
    for (let node = 0; node < tree.split_indices.length; node++) {
      if (tree.left_children[node] !== -1 && random() < 0.3) {
        rows[rowIndex * featureCount + tree.split_indices[node]!] = tree.split_conditions[node]!;
      }
    }
    if (rowIndex % 17 === 0) rows[rowIndex * featureCount + (rowIndex % featureCount)] = 3e38;
    if (rowIndex % 19 === 0) rows[rowIndex * featureCount + 1] = -1e30;
  }
  return rows;
}
interface TreeJson {
  left_children: number[];
  split_indices: number[];
  split_conditions: number[];
}

describe.skipIf(!library.ok)('scoring matches libxgboost', () => {
  let modelJson = '';
  let model: ScoringModel;
  let rows: Float32Array;
  const rowCount = 2000;

  beforeAll(async () => {
    const data = makeSyntheticData({ rowCount: 5000, featureCount, seed: 3 });
    const progress: number[] = [];
    const trained = await trainModel({
      ...data,
      rounds: 60,
      params: { max_depth: 6, eta: 0.3 },
      onProgress: (step) => progress.push(step.round),
    });
    if (!trained.ok) throw new Error(trained.error.message);
    expect(progress).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
    modelJson = trained.value.modelJson;
    const loaded = loadModel(modelJson);
    if (!loaded.ok) throw new Error(loaded.error.message);
    model = loaded.value;
    rows = edgeRows(modelJson, rowCount);
  });

  it('stores the feature names in the model', () => {
    expect(model.featureNames).toEqual(makeSyntheticData({ rowCount: 1, featureCount }).featureNames);
    expect(model.treeCount).toBe(60);
  });

  it('matches probabilities and margins to 1e-6', () => {
    for (const type of ['probability', 'margin'] as const) {
      const reference = predictWithXgboost({ modelJson, rows, columnCount: featureCount, type });
      if (!reference.ok) throw new Error(reference.error.message);
      let largest = 0;
      for (let rowIndex = 0; rowIndex < rowCount; rowIndex++) {
        const row = rows.subarray(rowIndex * featureCount, (rowIndex + 1) * featureCount);
        const ours = type === 'probability' ? model.score(row) : model.margin(row);
        largest = Math.max(largest, Math.abs(ours - reference.value[rowIndex]!));
      }
      console.info(`max |difference| vs libxgboost ${type}: ${largest}`);
      expect(largest).toBeLessThanOrEqual(1e-6);
    }
  });

  it('rounds number[] rows to float32 before comparing with thresholds', () => {
    const reference = predictWithXgboost({ modelJson, rows, columnCount: featureCount, type: 'margin' });
    if (!reference.ok) throw new Error(reference.error.message);
    for (let rowIndex = 0; rowIndex < 200; rowIndex++) {
      // Nudging by far less than a float32 step must land on the same float32 value.
      const row = Array.from(rows.subarray(rowIndex * featureCount, (rowIndex + 1) * featureCount), (value) =>
        Number.isFinite(value) && value !== 0 ? value * (1 - 1e-12) : value,
      );
      expect(Math.abs(model.margin(row) - reference.value[rowIndex]!)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('matches exact TreeSHAP (to 1e-5) and Saabas (to 1e-6) contributions', () => {
    const exact = largestContributionDifference(model, modelJson, rows, 'exact');
    console.info(`max |difference| vs libxgboost exact contributions: ${exact}`);
    expect(exact).toBeLessThanOrEqual(1e-5);
    const approximate = largestContributionDifference(model, modelJson, rows, 'approximate');
    console.info(`max |difference| vs libxgboost approximate contributions: ${approximate}`);
    expect(approximate).toBeLessThanOrEqual(1e-6);
  });
});

describe.skipIf(!library.ok)('a full-depth ensemble that splits on the same few features again and again', () => {
  const columns = 4;
  const json = makeRandomEnsembleJson({ treeCount: 30, depth: 8, featureCount: columns, seed: 5 });
  const loaded = loadModel(json);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const rows = makeSyntheticData({ rowCount: 300, featureCount: columns, seed: 8, missingRate: 0.2 }).rows;
  for (let index = 0; index < rows.length; index++) rows[index] = Math.fround(rows[index]! % 1);

  it('matches margins and exact contributions', () => {
    const reference = predictWithXgboost({ modelJson: json, rows, columnCount: columns, type: 'margin' });
    if (!reference.ok) throw new Error(reference.error.message);
    for (let rowIndex = 0; rowIndex < 300; rowIndex++) {
      const margin = loaded.value.margin(rows.subarray(rowIndex * columns, (rowIndex + 1) * columns));
      expect(Math.abs(margin - reference.value[rowIndex]!)).toBeLessThanOrEqual(1e-6);
    }
    const exact = largestContributionDifference(loaded.value, json, rows, 'exact');
    console.info(`max |difference| vs libxgboost exact contributions, repeated features: ${exact}`);
    expect(exact).toBeLessThanOrEqual(1e-5);
  });
});

function largestContributionDifference(
  model: ScoringModel,
  modelJson: string,
  rows: Float32Array,
  method: ContributionMethod,
): number {
  const columns = model.featureNames.length;
  const type = method === 'exact' ? 'contributions' : 'approximateContributions';
  const reference = predictWithXgboost({ modelJson, rows, columnCount: columns, type });
  if (!reference.ok) throw new Error(reference.error.message);
  const rowCount = rows.length / columns;
  expect(reference.value.length).toBe(rowCount * (columns + 1));
  let largest = 0;
  for (let rowIndex = 0; rowIndex < rowCount; rowIndex++) {
    const row = rows.subarray(rowIndex * columns, (rowIndex + 1) * columns);
    const { byFeature, bias } = model.contributions(row, method);
    const expected = reference.value.subarray(rowIndex * (columns + 1), (rowIndex + 1) * (columns + 1));
    for (let column = 0; column < columns; column++) {
      largest = Math.max(largest, Math.abs(byFeature[column]! - expected[column]!));
    }
    largest = Math.max(largest, Math.abs(bias - expected[columns]!));
    // Contributions are an additive split of the margin, whichever method made them.
    const total = byFeature.reduce((sum, value) => sum + value, bias);
    expect(Math.abs(total - model.margin(row))).toBeLessThan(1e-4);
  }
  return largest;
}
