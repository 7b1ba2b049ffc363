// A trained model as shipped and registered: XGBoost JSON plus metadata (encoding, data range, metrics, thresholds, reference distributions).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { calibrate, calibrationSchema, type Calibration } from '../model/calibration.ts';
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

/** How the windows were cut and the parameters chosen: all on the validation window, never on the test window. */
const selectionSchema = z.object({
  windows: z.object({
    trainTo: z.string(),
    validationFrom: z.string(),
    validationTo: z.string(),
    testFrom: z.string(),
    dataTo: z.string(),
  }),
  stoppingMetric: z.string(),
  earlyStoppingRounds: z.number(),
  candidates: z.array(
    z.object({
      params: z.record(z.string(), z.unknown()),
      rounds: z.number(),
      validation: z.number(),
    }),
  ),
  chosen: z.number(),
  monotoneConstraints: z.record(z.string(), z.number()),
});

/** The first-party model: the buyer is who they say but never means to pay. Its probability drives the credit limit. */
const firstPartySchema = z.object({
  modelJson: z.string(),
  calibration: calibrationSchema,
  params: z.record(z.string(), z.unknown()),
  rounds: z.number(),
  metrics: z.record(z.string(), z.unknown()),
});

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
  /** Present on models trained for identity fraud with calibration: the engine then serves probabilities. */
  calibration: calibrationSchema.optional(),
  target: z.enum(['any', 'third_party', 'first_party']).optional(),
  selection: selectionSchema.optional(),
  firstParty: firstPartySchema.optional(),
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

type Features = Parameters<RiskModel['score']>[0];

/** A model ready to serve: the tree walker plus the encoder its training used. */
export interface ServingModel {
  readonly version: string;
  readonly metadata: ModelMetadata;
  readonly scoring: ScoringModel;
  /** The model's fraud probability for one engine feature vector (calibrated when the artifact carries a calibrator). */
  probability(features: Features): number;
  /** The first-party model's calibrated probability, when the artifact has one. */
  readonly firstPartyProbability?: (features: Features) => number;
}

/** The probability the engine serves for a raw model score: calibrated when the artifact carries a calibrator. */
export function servedProbability(metadata: ModelMetadata, rawScore: number): number {
  return metadata.calibration === undefined ? rawScore : calibrate(metadata.calibration, rawScore);
}

function loadScoring(version: string, modelJson: string, encoding: FeatureEncoding): ScoringModel {
  const loaded = loadModel(modelJson);
  if (!loaded.ok) throw new Error(`model ${version}: ${loaded.error.message}`);
  const names = encoding.columns.map((column) => column.name);
  if (names.join('\n') !== loaded.value.featureNames.join('\n')) {
    throw new Error(`model ${version}: metadata encoding does not match the model's feature names`);
  }
  return loaded.value;
}

function firstPartyScorer(
  version: string,
  metadata: ModelMetadata,
  encode: (features: Features) => Float32Array,
): ((features: Features) => number) | undefined {
  const firstParty = metadata.firstParty;
  if (firstParty === undefined) return undefined;
  const scoring = loadScoring(`${version} (first party)`, firstParty.modelJson, metadata.encoding);
  const calibration: Calibration = firstParty.calibration;
  return (features) => calibrate(calibration, scoring.score(encode(features)));
}

export function makeServingModel(version: string, artifact: ModelArtifact): ServingModel {
  const encoding: FeatureEncoding = artifact.metadata.encoding;
  const scoring = loadScoring(version, artifact.modelJson, encoding);
  const encode = makeFixedEncoder(encoding);
  const firstPartyProbability = firstPartyScorer(version, artifact.metadata, encode);
  return {
    version,
    metadata: artifact.metadata,
    scoring,
    probability: (features) => servedProbability(artifact.metadata, scoring.score(encode(features))),
    ...(firstPartyProbability === undefined ? {} : { firstPartyProbability }),
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

/**
 * What the risk engine's `model` dependency receives. A calibrated model passes its probability unchanged (the
 * policy cuts it by expected loss and the decision record stores it); an older, uncalibrated one is rescaled.
 */
export function asRiskModel(model: ServingModel, policy: Ruleset['thresholds']): RiskModel {
  if (model.metadata.calibration !== undefined) {
    return {
      version: model.version,
      calibrated: true,
      score: model.probability,
      ...(model.firstPartyProbability === undefined ? {} : { firstPartyProbability: model.firstPartyProbability }),
    };
  }
  const scale = policyScale(model.metadata.thresholds, policy);
  return { version: model.version, score: (features) => scale(model.probability(features)) };
}
