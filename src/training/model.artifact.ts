// A trained model as shipped and registered: XGBoost JSON plus metadata (encoding, data range, metrics, thresholds, reference distributions).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { loadModel, type ScoringModel } from '../model/index.ts';
import type { RiskModel } from '../risk/risk.engine.ts';
import type { Ruleset } from '../risk/rules/rule.schema.ts';
import { makeFixedEncoder, type FeatureEncoding } from './feature.encoding.ts';

/** Thresholds on the model's probability, chosen from costs; the policy's step-up / review / decline bands. */
export const modelThresholdsSchema = z.object({
  stepUp: z.number().min(0).max(1),
  review: z.number().min(0).max(1),
  decline: z.number().min(0).max(1),
});
export type ModelThresholds = z.infer<typeof modelThresholdsSchema>;

const columnSchema = z.union([
  z.object({ name: z.string(), kind: z.literal('number') }),
  z.object({ name: z.string(), kind: z.literal('boolean') }),
  z.object({ name: z.string(), kind: z.literal('category'), categories: z.array(z.string()) }),
]);

export const modelMetadataSchema = z.object({
  format: z.literal('rearguard-model-1'),
  name: z.string(),
  createdAt: z.string(),
  encoding: z.object({ version: z.literal(1), columns: z.array(columnSchema) }),
  training: z.object({
    source: z.string(),
    orders: z.number(),
    positives: z.number(),
    negatives: z.number(),
    dataFrom: z.string(),
    dataTo: z.string(),
    labelsKnownBy: z.string(),
    validationFrom: z.string().nullable(),
  }),
  params: z.record(z.string(), z.unknown()),
  rounds: z.number(),
  xgboostVersion: z.string(),
  metrics: z.record(z.string(), z.unknown()),
  thresholds: modelThresholdsSchema,
  costs: z.record(z.string(), z.number()),
  /** Quantiles of the validation scores and of each feature (null = missing), the baseline for drift (PSI). */
  reference: z.object({
    scores: z.array(z.number()),
    features: z.record(z.string(), z.array(z.number().nullable())),
  }),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export interface ModelArtifact {
  readonly modelJson: string;
  readonly metadata: ModelMetadata;
}

/** models/NAME.json holds XGBoost's own format (loadable by XGBoost itself); NAME.meta.json sits beside it. */
export function metadataPath(modelPath: string): string {
  return modelPath.replace(/\.json$/, '') + '.meta.json';
}

export async function writeArtifact(modelPath: string, artifact: ModelArtifact): Promise<void> {
  await mkdir(dirname(modelPath), { recursive: true });
  await writeFile(modelPath, artifact.modelJson);
  await writeFile(metadataPath(modelPath), `${JSON.stringify(artifact.metadata, null, 1)}\n`);
}

export async function readArtifact(modelPath: string): Promise<ModelArtifact> {
  const [modelJson, metadataText] = await Promise.all([
    readFile(modelPath, 'utf8'),
    readFile(metadataPath(modelPath), 'utf8'),
  ]);
  return { modelJson, metadata: modelMetadataSchema.parse(JSON.parse(metadataText)) };
}

/** A model ready to serve: the tree walker plus the encoder its training used. */
export interface ServingModel {
  readonly version: string;
  readonly metadata: ModelMetadata;
  readonly scoring: ScoringModel;
  /** The model's fraud probability for one engine feature vector. */
  probability(features: Parameters<RiskModel['score']>[0]): number;
}

export function makeServingModel(version: string, artifact: ModelArtifact): ServingModel {
  const loaded = loadModel(artifact.modelJson);
  if (!loaded.ok) throw new Error(`model ${version}: ${loaded.error.message}`);
  const scoring = loaded.value;
  const encoding: FeatureEncoding = artifact.metadata.encoding;
  const encode = makeFixedEncoder(encoding);
  const names = encoding.columns.map((column) => column.name);
  if (names.join('\n') !== scoring.featureNames.join('\n')) {
    throw new Error(`model ${version}: metadata encoding does not match the model's feature names`);
  }
  return {
    version,
    metadata: artifact.metadata,
    scoring,
    probability: (features) => scoring.score(encode(features)),
  };
}

/**
 * The policy compares one score with the ruleset's step-up / review / decline thresholds. The model's own
 * thresholds (chosen from costs, stored with the version) are mapped onto those by a monotone piecewise-linear
 * curve, so "probability >= model step-up threshold" is exactly "score >= ruleset step-up threshold" and the
 * policy needs no change when a model is promoted.
 */
export function policyScale(
  thresholds: ModelThresholds,
  policy: Ruleset['thresholds'],
): (probability: number) => number {
  const knots: [number, number][] = [[0, 0]];
  for (const [model, target] of [
    [thresholds.stepUp, policy.stepUp],
    [thresholds.review, policy.review],
    [thresholds.decline, policy.decline],
  ] as const) {
    const last = knots[knots.length - 1]!;
    if (model > last[0] && target > last[1]) knots.push([model, target]);
  }
  knots.push([1, 1]);
  return (probability) => {
    for (let index = 1; index < knots.length; index++) {
      const [x1, y1] = knots[index]!;
      const [x0, y0] = knots[index - 1]!;
      // Exactly on a knot: exactly the band's threshold, which floating-point interpolation may miss by an ulp.
      if (probability === x1) return y1;
      if (probability < x1) return y0 + ((probability - x0) / (x1 - x0 || 1)) * (y1 - y0);
    }
    return 1;
  };
}

/** What the risk engine's `model` dependency receives. */
export function asRiskModel(model: ServingModel, policy: Ruleset['thresholds']): RiskModel {
  const scale = policyScale(model.metadata.thresholds, policy);
  return { version: model.version, score: (features) => scale(model.probability(features)) };
}
