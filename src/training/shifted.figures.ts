// The shifted-world comparison of `rearguard train`: another world's test window, with bootstrap intervals of the drop.
import { bootstrapSamples, intervalOf, type Interval } from '../model/bootstrap.ts';
import { summariseScores, type ScoreSummary } from './evaluation.metrics.ts';
import type { ReplayedHistory } from './history.replay.ts';
import { replayOrigin } from './history.source.ts';
import type { ModelMetadata } from './model.artifact.ts';
import { timeWindows, windowSets, type SelectedModel } from './model.selection.ts';
import type { ProgressBar } from './progress.bar.ts';
import type { LabelledSet } from './training.set.ts';
import { reencodeRows } from './world.transfer.ts';

/** Enough resamples that the 2.5th and 97.5th percentiles are stable to about a hundredth. */
export const dropResamples = 1000;

export interface FigureIntervals {
  readonly roc_auc: Interval;
  readonly recall_at_1pct_fpr: Interval;
}

export interface ShiftedFigures {
  readonly source: string;
  readonly test: ScoreSummary;
  readonly scores: Float64Array;
  readonly labels: LabelledSet['labels'];
}

export interface DropFigures {
  readonly resamples: number;
  readonly test: FigureIntervals;
  readonly shifted: FigureIntervals;
  /** Test minus shifted (positive: worse in the shifted world), from independent resamples of the two windows. */
  readonly drop: FigureIntervals;
}

/** The world the model was not trained on, scored in its own test window: how much of the quality transfers. */
export async function shiftedFigures(
  path: string,
  shares: { readonly validation: number; readonly test: number },
  bar: ProgressBar,
  selected: SelectedModel,
  encoding: ModelMetadata['encoding'],
): Promise<ShiftedFigures> {
  const { history } = await replayOrigin({ kind: 'file', path }, bar);
  const windows = timeWindows(history, shares.validation, shares.test);
  const test = windowSets(history, windows, 'third_party').test;
  const scores = selected.fitted.scoring.scoreRows(reencodeRows(history, test, encoding));
  return { source: `file:${path}`, test: summary(history, test, scores), scores, labels: test.labels };
}

function summary(history: ReplayedHistory, set: LabelledSet, scores: ArrayLike<number>): ScoreSummary {
  return summariseScores(
    scores,
    set.labels,
    Array.from(set.indexes, (index) => history.typologies[index] ?? null),
  );
}

/**
 * Bootstrap intervals of both windows and of the drop. The two worlds are independent samples, so the i-th
 * resample of one minus the i-th of the other is a draw of the drop's sampling distribution.
 */
export function dropFigures(
  test: { readonly scores: ArrayLike<number>; readonly labels: LabelledSet['labels'] },
  shifted: { readonly scores: ArrayLike<number>; readonly labels: LabelledSet['labels'] },
  resamples = dropResamples,
): DropFigures {
  const here = bootstrapSamples(test.scores, test.labels, { resamples, seed: 1 });
  const there = bootstrapSamples(shifted.scores, shifted.labels, { resamples, seed: 2 });
  const difference = (first: readonly number[], second: readonly number[]) =>
    first.slice(0, Math.min(first.length, second.length)).map((value, index) => value - second[index]!);
  const minus = (first: number | null, second: number | null) =>
    first === null || second === null ? null : first - second;
  const figures = (samples: typeof here): FigureIntervals => ({
    roc_auc: intervalOf(samples.estimate[0] ?? null, samples.roc_auc),
    recall_at_1pct_fpr: intervalOf(samples.estimate[2] ?? null, samples.recall_at_1pct_fpr),
  });
  return {
    resamples,
    test: figures(here),
    shifted: figures(there),
    drop: {
      roc_auc: intervalOf(
        minus(here.estimate[0] ?? null, there.estimate[0] ?? null),
        difference(here.roc_auc, there.roc_auc),
      ),
      recall_at_1pct_fpr: intervalOf(
        minus(here.estimate[2] ?? null, there.estimate[2] ?? null),
        difference(here.recall_at_1pct_fpr, there.recall_at_1pct_fpr),
      ),
    },
  };
}
