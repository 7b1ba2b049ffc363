// Training input is checked before libxgboost sees it, and a missing libxgboost is an answer, not a crash.
import { describe, expect, it } from 'vitest';
import { makeRandom } from './synthetic-data.ts';
import { loadXgboost } from './xgboost.library.ts';
import { parseEvaluation, trainModel, type TrainingInput } from './xgboost.trainer.ts';

const library = loadXgboost();
if (!library.ok) console.warn(`skipping libxgboost training tests: ${library.error.message}`);

const valid: TrainingInput = {
  featureNames: ['amount', 'new_address'],
  rows: Float32Array.from([10, 0, 900, 1, 15, 0, 850, 1]),
  labels: [0, 1, 0, 1],
  rounds: 3,
};

describe('trainModel input checks', () => {
  it.each([
    { change: { featureNames: [] }, message: 'featureNames must not be empty' },
    { change: { featureNames: ['a', 'a'] }, message: 'unique' },
    { change: { featureNames: ['a[0]', 'b'] }, message: 'contains one of' },
    { change: { rounds: 0 }, message: 'rounds must be a positive integer' },
    { change: { labels: [0, 1, 0] }, message: 'expected labels.length * featureNames.length = 6' },
    { change: { labels: [0, 1, Number.NaN, 1] }, message: 'labels[2]' },
    { change: { weights: [1, 1] }, message: 'one value per row' },
    { change: { weights: [1, -1, 1, 1] }, message: 'weights[1]' },
    { change: { rows: Float32Array.from([10, 0, Infinity, 1, 15, 0, 850, 1]) }, message: 'row 1, column 0' },
    {
      change: { validation: { rows: new Float32Array(3), labels: [0, 1] } },
      message: 'validation.rows has 3 values',
    },
  ])('rejects: $message', async ({ change, message }) => {
    const result = await trainModel({ ...valid, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_training_data');
      expect(result.error.message).toContain(message);
    }
  });

  it('explains how to install libxgboost when it cannot be loaded', async () => {
    const result = await trainModel({ ...valid, libraryPath: '/nonexistent/libxgboost.so' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('xgboost_unavailable');
      expect(result.error.message).toContain('apt-get install -y libxgboost-dev');
    }
  });

  it('parses an evaluation line', () => {
    expect(parseEvaluation('[4]\ttrain-auc:0.91\tvalidation-logloss:0.25')).toEqual({
      'train-auc': 0.91,
      'validation-logloss': 0.25,
    });
  });
});

describe.skipIf(!library.ok)('trainModel with libxgboost', () => {
  it('trains, reports every round with train and validation metrics, and passes parameters through', async () => {
    const rounds: number[] = [];
    const keys = new Set<string>();
    const result = await trainModel({
      ...valid,
      weights: [1, 2, 1, 2],
      validation: { rows: valid.rows, labels: valid.labels },
      params: { max_depth: 2, eval_metric: ['auc'] },
      onProgress: (progress) => {
        rounds.push(progress.round);
        for (const key of Object.keys(progress.evaluation)) keys.add(key);
      },
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(rounds).toEqual([1, 2, 3]);
    expect(keys).toContain('validation-auc');
    const model = JSON.parse(result.value.modelJson) as { learner: Record<string, unknown> };
    expect(model.learner['feature_names']).toEqual(['amount', 'new_address']);
    expect(result.value.xgboostVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('turns a libxgboost refusal into a Result', async () => {
    const result = await trainModel({ ...valid, params: { objective: 'no:such_objective' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('xgboost_failed');
  });
});

describe.skipIf(!library.ok)('early stopping', () => {
  it('stops once the validation metric stops improving and keeps the model of the best round', async () => {
    // Noise labels: validation log-loss gets worse almost at once, so the best round is early.
    const random = makeRandom(7);
    const rowCount = 400;
    const rows = Float32Array.from({ length: rowCount * 2 }, () => random());
    const labels = Float32Array.from({ length: rowCount }, () => (random() < 0.3 ? 1 : 0));
    const validationRows = Float32Array.from({ length: rowCount * 2 }, () => random());
    const validationLabels = Float32Array.from({ length: rowCount }, () => (random() < 0.3 ? 1 : 0));
    const result = await trainModel({
      featureNames: ['a', 'b'],
      rows,
      labels,
      validation: { rows: validationRows, labels: validationLabels },
      params: { max_depth: 6, eta: 0.5 },
      rounds: 200,
      earlyStoppingRounds: 5,
      stoppingMetric: 'logloss',
    });
    if (!result.ok) throw new Error(result.error.message);
    const { rounds, roundsRun, bestValidation } = result.value;
    expect(roundsRun).toBeLessThan(200);
    expect(roundsRun - rounds).toBe(5);
    expect(bestValidation).toBeGreaterThan(0);
    const model = JSON.parse(result.value.modelJson) as {
      learner: { gradient_booster: { model: { trees: unknown[] } } };
    };
    expect(model.learner.gradient_booster.model.trees).toHaveLength(rounds);
  });

  it('refuses early stopping without a validation set', async () => {
    const result = await trainModel({ ...valid, earlyStoppingRounds: 3 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('needs a validation set');
  });
});
