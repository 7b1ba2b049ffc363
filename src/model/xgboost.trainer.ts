// Trains gradient-boosted trees with libxgboost and returns the model in XGBoost's JSON format.
import { failure, success, type Result } from './model.result.ts';
import { loadXgboost, XgboostCallError, type MatrixHandle, type XgboostLibrary } from './xgboost.library.ts';

export type ParameterValue = string | number | boolean | readonly (string | number)[];

/** Row-major float32 features (NaN = missing) with one label (0/1) and optional weight per row. */
export interface LabelledRows {
  readonly rows: Float32Array;
  readonly labels: Float32Array | readonly number[];
  readonly weights?: Float32Array | readonly number[];
}

export interface TrainingProgress {
  /** 1-based number of boosting rounds done. */
  readonly round: number;
  readonly rounds: number;
  /** Metric values of this round keyed like "train-auc" or "validation-logloss". */
  readonly evaluation: Readonly<Record<string, number>>;
}

export interface TrainingInput extends LabelledRows {
  readonly featureNames: readonly string[];
  /** Scored after each round and reported in progress; XGBoost never fits on it. */
  readonly validation?: LabelledRows;
  /** XGBoost parameters, merged over `defaultTrainingParams`; an array sets a repeatable key (eval_metric). */
  readonly params?: Readonly<Record<string, ParameterValue>>;
  readonly rounds?: number;
  /**
   * Stop when the validation set's `stoppingMetric` has not improved for this many rounds, and keep the model
   * as it was at its best round. Needs `validation`; the test window must never be passed here.
   */
  readonly earlyStoppingRounds?: number;
  /** A validation metric named like XGBoost's evaluation ("logloss", "auc"); default logloss (lower is better). */
  readonly stoppingMetric?: string;
  readonly onProgress?: (progress: TrainingProgress) => void;
  readonly libraryPath?: string;
}

export interface TrainedModel {
  readonly modelJson: string;
  /** Rounds kept in the model: the best round under early stopping, else all rounds run. */
  readonly rounds: number;
  /** Rounds actually run (more than `rounds` when early stopping looked past the best). */
  readonly roundsRun: number;
  /** The validation set's stopping metric at the kept round (null without validation). */
  readonly bestValidation: number | null;
  readonly xgboostVersion: string;
  /** Evaluation after the last round, e.g. { "train-auc": 0.97 }. */
  readonly finalEvaluation: Readonly<Record<string, number>>;
}

/** Fraud data is rare-positive: depth 6 trees on histograms, AUC and log-loss reported, seeded for repeatability. */
export const defaultTrainingParams: Readonly<Record<string, ParameterValue>> = {
  objective: 'binary:logistic',
  tree_method: 'hist',
  max_depth: 6,
  eta: 0.1,
  min_child_weight: 1,
  subsample: 1,
  eval_metric: ['logloss', 'auc', 'aucpr'],
  seed: 0,
  verbosity: 1,
};

export const defaultRounds = 200;

export async function trainModel(input: TrainingInput): Promise<Result<TrainedModel>> {
  const rounds = input.rounds ?? defaultRounds;
  const invalid = validateInput(input, rounds);
  if (invalid) return failure('invalid_training_data', invalid);
  const library = loadXgboost(input.libraryPath);
  if (!library.ok) return library;
  try {
    return success(await train(library.value, input, rounds));
  } catch (error) {
    if (error instanceof XgboostCallError) return failure('xgboost_failed', error.message);
    throw error;
  }
}

async function train(library: XgboostLibrary, input: TrainingInput, rounds: number): Promise<TrainedModel> {
  const columnCount = input.featureNames.length;
  const matrices: MatrixHandle[] = [];
  const names: string[] = [];
  let booster: ReturnType<XgboostLibrary['createBooster']> | undefined;
  try {
    const training = labelledMatrix(library, input, columnCount);
    matrices.push(training);
    names.push('train');
    if (input.validation) {
      matrices.push(labelledMatrix(library, input.validation, columnCount));
      names.push('validation');
    }
    booster = library.createBooster(matrices);
    for (const [name, value] of Object.entries({ ...defaultTrainingParams, ...input.params })) {
      for (const single of Array.isArray(value) ? value : [value]) library.setParam(booster, name, String(single));
    }
    library.setFeatureNames(booster, input.featureNames);
    let evaluation: Record<string, number> = {};
    const stopping = makeEarlyStopping(input);
    let roundsRun = 0;
    for (let round = 0; round < rounds; round++) {
      // libxgboost configures the learner on the first update and that fails off the main thread, so the
      // first round runs in place; the others run on koffi's worker thread to keep the event loop free.
      if (round === 0) library.updateOneIterationSync(booster, round, training);
      else await library.updateOneIteration(booster, round, training);
      evaluation = parseEvaluation(library.evaluateOneIteration(booster, round, matrices, names));
      roundsRun = round + 1;
      input.onProgress?.({ round: round + 1, rounds, evaluation });
      if (stopping?.stop(round + 1, evaluation)) break;
    }
    const kept = stopping?.best() ?? { round: roundsRun, value: null };
    let modelJson: string;
    if (kept.round < roundsRun) {
      const sliced = library.sliceBooster(booster, kept.round);
      try {
        modelJson = library.saveModelJson(sliced);
      } finally {
        library.freeBooster(sliced);
      }
    } else modelJson = library.saveModelJson(booster);
    return {
      modelJson,
      rounds: kept.round,
      roundsRun,
      bestValidation: kept.value,
      xgboostVersion: library.version,
      finalEvaluation: evaluation,
    };
  } finally {
    if (booster !== undefined) library.freeBooster(booster);
    for (const matrix of matrices) library.freeMatrix(matrix);
  }
}

/** Tracks the best validation round; metrics where higher is better are named here, all others are losses. */
function makeEarlyStopping(input: TrainingInput) {
  const patience = input.earlyStoppingRounds;
  if (patience === undefined || input.validation === undefined) return null;
  const metric = input.stoppingMetric ?? 'logloss';
  const key = `validation-${metric}`;
  const higherIsBetter = /^(auc|aucpr|map|ndcg)/.test(metric);
  let best = { round: 0, value: Number.NaN };
  return {
    stop(round: number, evaluation: Readonly<Record<string, number>>): boolean {
      const value = evaluation[key];
      if (value === undefined) throw new XgboostCallError(`early stopping: no "${key}" in the evaluation`);
      const better = Number.isNaN(best.value) || (higherIsBetter ? value > best.value : value < best.value);
      if (better) best = { round, value };
      return round - best.round >= patience;
    },
    best: () => (best.round === 0 ? null : best),
  };
}

function labelledMatrix(library: XgboostLibrary, data: LabelledRows, columnCount: number): MatrixHandle {
  const rowCount = data.labels.length;
  const matrix = library.createMatrix(data.rows, rowCount, columnCount);
  library.setFloatInfo(matrix, 'label', Float32Array.from(data.labels));
  if (data.weights) library.setFloatInfo(matrix, 'weight', Float32Array.from(data.weights));
  return matrix;
}

/** "[3]\ttrain-auc:0.91\tvalidation-auc:0.88" -> { "train-auc": 0.91, "validation-auc": 0.88 } */
export function parseEvaluation(line: string): Record<string, number> {
  const evaluation: Record<string, number> = {};
  for (const field of line.split('\t').slice(1)) {
    const separator = field.lastIndexOf(':');
    if (separator > 0) evaluation[field.slice(0, separator)] = Number(field.slice(separator + 1));
  }
  return evaluation;
}

function validateInput(input: TrainingInput, rounds: number): string | null {
  const columnCount = input.featureNames.length;
  if (columnCount === 0) return 'featureNames must not be empty';
  if (new Set(input.featureNames).size !== columnCount) return 'featureNames must be unique';
  // XGBoost rejects these characters in feature names when the model is saved or loaded.
  const badName = input.featureNames.find((name) => name === '' || /[[\]<,]/.test(name));
  if (badName !== undefined) return `feature name "${badName}" is empty or contains one of [ ] < ,`;
  if (!Number.isInteger(rounds) || rounds < 1) return 'rounds must be a positive integer';
  if (input.earlyStoppingRounds !== undefined) {
    if (!Number.isInteger(input.earlyStoppingRounds) || input.earlyStoppingRounds < 1)
      return 'earlyStoppingRounds must be a positive integer';
    if (input.validation === undefined) return 'earlyStoppingRounds needs a validation set';
  }
  return (
    validateRows('', input, columnCount) ??
    (input.validation ? validateRows('validation.', input.validation, columnCount) : null)
  );
}

function validateRows(prefix: string, data: LabelledRows, columnCount: number): string | null {
  const rowCount = data.labels.length;
  if (rowCount === 0) return `${prefix}labels must not be empty`;
  if (data.rows.length !== rowCount * columnCount) {
    return `${prefix}rows has ${data.rows.length} values, expected labels.length * featureNames.length = ${rowCount * columnCount}`;
  }
  // libxgboost rejects infinities with a C++ backtrace; name the offending cell instead.
  const infinite = data.rows.findIndex((value) => value === Infinity || value === -Infinity);
  if (infinite >= 0) {
    return `${prefix}rows[${infinite}] (row ${Math.floor(infinite / columnCount)}, column ${infinite % columnCount}) is infinite; use NaN for missing`;
  }
  for (let index = 0; index < rowCount; index++) {
    const label = data.labels[index];
    if (label === undefined || !Number.isFinite(label)) return `${prefix}labels[${index}] is not a finite number`;
  }
  if (data.weights) {
    if (data.weights.length !== rowCount) return `${prefix}weights must have one value per row`;
    const badWeight = Array.from(data.weights).findIndex((weight) => !(weight >= 0) || !Number.isFinite(weight));
    if (badWeight >= 0) return `${prefix}weights[${badWeight}] must be a finite number >= 0`;
  }
  return null;
}
