// Fits a model on a replayed training set, then chooses cost-based thresholds and records drift baselines for it.
import {
  defaultTrainingParams,
  loadModel,
  thresholdTable,
  trainModel,
  type DecisionCosts,
  type Result,
  type ScoringModel,
  type ThresholdTable,
  type TrainedModel,
} from '../model/index.ts';
import type { ParameterValue } from '../model/xgboost.trainer.ts';
import { defaultExpectedLossCosts, type ExpectedLossCosts } from '../risk/policy/expected.loss.ts';
import type { ReplayedHistory } from './history.replay.ts';
import type { ModelThresholds } from './model.artifact.ts';
import { gatherRows, pick, type LabelledSet } from './training.set.ts';

/** The costs of fraud and friction live with the policy (the ruleset's expectedLoss); training reads the same ones. */
export type PolicyCosts = ExpectedLossCosts;
export const defaultPolicyCosts: PolicyCosts = defaultExpectedLossCosts;

/** Fine steps at the low end, where thresholds of a rare-positive model live. */
export const candidateThresholds: readonly number[] = [
  ...Array.from({ length: 9 }, (_, index) => (index + 1) / 1000),
  ...Array.from({ length: 99 }, (_, index) => (index + 1) / 100),
];

export interface FittedModel {
  readonly trained: TrainedModel;
  readonly scoring: ScoringModel;
  readonly params: Readonly<Record<string, ParameterValue>>;
}

export interface FitInput {
  readonly history: ReplayedHistory;
  readonly train: LabelledSet;
  readonly validation: LabelledSet | null;
  readonly rounds: number;
  readonly params?: Readonly<Record<string, ParameterValue>>;
  /** Early stopping on the validation set (never the test window): see TrainingInput. */
  readonly earlyStoppingRounds?: number;
  readonly stoppingMetric?: string;
  readonly onRound?: (round: number, rounds: number, evaluation: Readonly<Record<string, number>>) => void;
  /** libxgboost's path when it is not in a standard place. */
  readonly libraryPath?: string;
}

export async function fitModel(input: FitInput): Promise<Result<FittedModel>> {
  const featureNames = input.history.encoding.columns.map((column) => column.name);
  const params = { ...defaultTrainingParams, ...input.params };
  const validation =
    input.validation && input.validation.indexes.length > 0
      ? { rows: gatherRows(input.history, input.validation.indexes), labels: input.validation.labels }
      : undefined;
  const trained = await trainModel({
    rows: gatherRows(input.history, input.train.indexes),
    labels: input.train.labels,
    featureNames,
    ...(validation ? { validation } : {}),
    params,
    rounds: input.rounds,
    ...(input.earlyStoppingRounds === undefined ? {} : { earlyStoppingRounds: input.earlyStoppingRounds }),
    ...(input.stoppingMetric === undefined ? {} : { stoppingMetric: input.stoppingMetric }),
    onProgress: (progress) => input.onRound?.(progress.round, progress.rounds, progress.evaluation),
    ...(input.libraryPath === undefined ? {} : { libraryPath: input.libraryPath }),
  });
  if (!trained.ok) return trained;
  const scoring = loadModel(trained.value.modelJson);
  if (!scoring.ok) return scoring;
  return { ok: true, value: { trained: trained.value, scoring: scoring.value, params } };
}

export function scoreSet(model: ScoringModel, history: ReplayedHistory, set: LabelledSet): Float64Array {
  return model.scoreRows(gatherRows(history, set.indexes));
}

export interface ChosenThresholds {
  readonly thresholds: ModelThresholds;
  readonly tables: Readonly<Record<'stepUp' | 'review' | 'decline', ThresholdTable>>;
}

/**
 * One cost-minimising threshold per step up the ladder, each judged on what it adds over the step below:
 * step-up against approving, review against step-up (the fraud a step-up lets through vs the extra friction),
 * decline against review. Kept in order step-up <= review <= decline.
 */
export function chooseThresholds(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  amounts: ArrayLike<number>,
  costs: PolicyCosts,
): ChosenThresholds {
  const table = (stops: number, friction: number) => {
    const decisionCosts: DecisionCosts = {
      missedFraud: costs.missedFraudShare * stops,
      friction: Math.max(0, friction),
    };
    return thresholdTable({ scores, labels, amounts, costs: decisionCosts, thresholds: candidateThresholds });
  };
  const tables = {
    stepUp: table(costs.stepUpStops, costs.stepUpFriction),
    review: table(costs.reviewStops - costs.stepUpStops, costs.reviewFriction - costs.stepUpFriction),
    decline: table(1 - costs.reviewStops, costs.declineFriction - costs.reviewFriction),
  };
  const stepUp = tables.stepUp.best.threshold;
  const review = Math.max(stepUp, tables.review.best.threshold);
  const decline = Math.max(review, tables.decline.best.threshold);
  return { thresholds: { stepUp, review, decline }, tables };
}

/** 100 evenly spaced quantiles; missing values kept as a matching share of nulls, so PSI sees them as a bin. */
export function referenceQuantiles(values: ArrayLike<number>, points = 100): (number | null)[] {
  const present: number[] = [];
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isNaN(value)) present.push(value);
  }
  if (values.length === 0) return [];
  const missing = Math.round(((values.length - present.length) / values.length) * points);
  present.sort((first, second) => first - second);
  const quantiles: (number | null)[] = Array.from({ length: missing }, () => null);
  const kept = points - missing;
  for (let index = 0; index < kept && present.length > 0; index++) {
    const position = Math.min(present.length - 1, Math.floor(((index + 0.5) / kept) * present.length));
    quantiles.push(Math.fround(present[position]!));
  }
  return quantiles;
}

export function featureReference(history: ReplayedHistory, set: LabelledSet): Record<string, (number | null)[]> {
  const width = history.encoding.columns.length;
  const reference: Record<string, (number | null)[]> = {};
  const column = new Float64Array(set.indexes.length);
  history.encoding.columns.forEach((encoding, feature) => {
    for (let position = 0; position < set.indexes.length; position++) {
      column[position] = history.rows[set.indexes[position]! * width + feature]!;
    }
    reference[encoding.name] = referenceQuantiles(column);
  });
  return reference;
}

export function amountsOf(history: ReplayedHistory, set: LabelledSet): Float64Array {
  return pick(history.amounts, set.indexes);
}
