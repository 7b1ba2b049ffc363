// Small registered-model artifacts for tests: a random ensemble over engine feature names, with complete metadata.
import { makeRandomEnsembleJson } from '../model/index.ts';
import type { ModelArtifact } from './model.artifact.ts';

/** The random ensemble names its features feature_0..n; rename them so the encoder and the model agree. */
function namedEnsemble(featureNames: readonly string[], seed: number): string {
  const model = JSON.parse(makeRandomEnsembleJson({ treeCount: 3, depth: 2, featureCount: featureNames.length, seed }));
  model.learner.feature_names = [...featureNames];
  return JSON.stringify(model);
}

export function testArtifact(name: string, featureNames: readonly string[] = ['cart_amount']): ModelArtifact {
  return {
    modelJson: namedEnsemble(featureNames, name.length),
    metadata: {
      format: 'rearguard-model-1',
      name,
      createdAt: '2026-01-01T00:00:00.000Z',
      encoding: { version: 1, columns: featureNames.map((feature) => ({ name: feature, kind: 'number' as const })) },
      training: {
        source: 'test',
        orders: 10,
        positives: 1,
        negatives: 9,
        dataFrom: '2025-01-01T00:00:00.000Z',
        dataTo: '2025-06-01T00:00:00.000Z',
        labelsKnownBy: '2025-06-01T00:00:00.000Z',
        validationFrom: null,
      },
      params: { max_depth: 2 },
      rounds: 3,
      xgboostVersion: 'test',
      metrics: { validation: { roc_auc: 0.9 } },
      thresholds: { stepUp: 0.2, review: 0.5, decline: 0.9 },
      costs: { stepUpFriction: 300 },
      reference: { scores: [0.1, 0.2], features: Object.fromEntries(featureNames.map((feature) => [feature, [1, 2]])) },
    },
  };
}
