// Chooses regularisation and the number of rounds on the validation window only, with monotone constraints, then calibrates.
import { fitIsotonic, type Calibration } from '../model/calibration.ts';
import type { ParameterValue } from '../model/xgboost.trainer.ts';
import type { Result } from '../model/index.ts';
import type { ReplayedHistory } from './history.replay.ts';
import { fitModel, scoreSet, type FittedModel } from './model.fitting.ts';
import { monotoneConstraints, monotoneParameter } from './monotone.constraints.ts';
import { labelledSet, splitTime, type FraudTarget, type LabelledSet } from './training.set.ts';

/**
 * From shallow and strongly regularised to deeper: the first candidates are the ones that transfer best to
 * another world; the validation window decides whether the deeper ones earn their keep.
 */
export const regularisationCandidates: readonly Readonly<Record<string, ParameterValue>>[] = [
  { max_depth: 4, min_child_weight: 5, lambda: 5, alpha: 0, subsample: 0.8, colsample_bytree: 0.8, eta: 0.1 },
  { max_depth: 6, min_child_weight: 3, lambda: 2, alpha: 0, subsample: 0.8, colsample_bytree: 0.8, eta: 0.1 },
  { max_depth: 8, min_child_weight: 10, lambda: 10, alpha: 1, subsample: 0.8, colsample_bytree: 0.6, eta: 0.1 },
];

/** Validation area under the precision-recall curve: the ranking of the rare positives is what the bands use. */
export const stoppingMetric = 'aucpr';

/**
 * The first-party model stops on validation log loss instead: its window holds a score of positives, and the
 * area under the precision-recall curve over so few jumps by chance (it peaked at the first round once, leaving
 * a constant model); log loss is a proper score over every order, and the credit limit reads the probability.
 */
export const firstPartyStoppingMetric = 'logloss';

/** Three windows by order time: train on the oldest, choose on the next, measure on the newest. */
export interface TimeWindows {
  readonly trainTo: number;
  readonly testFrom: number;
}

export function timeWindows(history: ReplayedHistory, validationShare: number, testShare: number): TimeWindows {
  return {
    trainTo: splitTime(history, 1 - validationShare - testShare),
    testFrom: splitTime(history, 1 - testShare),
  };
}

export interface WindowSets {
  readonly train: LabelledSet;
  readonly validation: LabelledSet;
  readonly test: LabelledSet;
}

/**
 * Training labels are those known at the end of the training window (nothing from the future leaks in);
 * validation and test use every label the history knows, as an analyst evaluating today would.
 */
export function windowSets(history: ReplayedHistory, windows: TimeWindows, target: FraudTarget): WindowSets {
  return {
    train: labelledSet(history, Number.NEGATIVE_INFINITY, windows.trainTo, windows.trainTo, target),
    validation: labelledSet(history, windows.trainTo, windows.testFrom, Number.POSITIVE_INFINITY, target),
    test: labelledSet(history, windows.testFrom, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, target),
  };
}

export interface Candidate {
  readonly params: Readonly<Record<string, ParameterValue>>;
  readonly rounds: number;
  readonly validation: number;
}

export interface SelectedModel {
  readonly fitted: FittedModel;
  readonly calibration: Calibration;
  readonly candidates: readonly Candidate[];
  readonly chosen: number;
  readonly monotoneConstraints: Readonly<Record<string, number>>;
}

export interface SelectionInput {
  readonly history: ReplayedHistory;
  readonly sets: WindowSets;
  readonly candidates: readonly Readonly<Record<string, ParameterValue>>[];
  readonly maxRounds: number;
  readonly earlyStoppingRounds: number;
  readonly onCandidate?: (index: number, count: number) => void;
  readonly onRound?: (round: number, rounds: number, evaluation: Readonly<Record<string, number>>) => void;
  readonly libraryPath?: string;
  /** The validation figure that stops each candidate and chooses among them (default: `stoppingMetric`). */
  readonly stoppingMetric?: string;
}

/** Each candidate stops early on the validation window; the best validation value wins; isotonic calibration on it. */
export async function selectModel(input: SelectionInput): Promise<Result<SelectedModel>> {
  const monotone = monotoneParameter(input.history.encoding);
  const metric = input.stoppingMetric ?? stoppingMetric;
  const higherIsBetter = /^(auc|aucpr)$/.test(metric);
  const tried: Candidate[] = [];
  let best: FittedModel | null = null;
  let chosen = -1;
  for (const [index, params] of input.candidates.entries()) {
    input.onCandidate?.(index, input.candidates.length);
    const fitted = await fitModel({
      history: input.history,
      train: input.sets.train,
      validation: input.sets.validation,
      rounds: input.maxRounds,
      params: { ...params, monotone_constraints: monotone },
      earlyStoppingRounds: input.earlyStoppingRounds,
      stoppingMetric: metric,
      ...(input.onRound === undefined ? {} : { onRound: input.onRound }),
      ...(input.libraryPath === undefined ? {} : { libraryPath: input.libraryPath }),
    });
    if (!fitted.ok) return fitted;
    const validation = fitted.value.trained.bestValidation ?? Number.NaN;
    tried.push({ params, rounds: fitted.value.trained.rounds, validation });
    const previous = chosen < 0 ? Number.NaN : tried[chosen]!.validation;
    if (chosen < 0 || (higherIsBetter ? validation > previous : validation < previous)) {
      chosen = index;
      best = fitted.value;
    }
  }
  if (best === null) return { ok: false, error: { code: 'invalid_training_data', message: 'no candidate' } };
  const scores = scoreSet(best.scoring, input.history, input.sets.validation);
  return {
    ok: true,
    value: {
      fitted: best,
      calibration: fitIsotonic(scores, input.sets.validation.labels),
      candidates: tried,
      chosen,
      monotoneConstraints: monotoneConstraints(input.history.encoding),
    },
  };
}
