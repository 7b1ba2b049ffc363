// One world under evaluation: a replayed file with its time split, and a model's scores, bands and figures on its test orders.
import { calibrateAll, type Calibration } from '../model/calibration.ts';
import { CsvHeaderError } from '../ingest/csv.records.ts';
import { resolveImportFormat } from '../ingest/import.format.ts';
import type { ScoringModel } from '../model/index.ts';
import { rowsInEncoding } from './cross-world.ts';
import { bandFor, bands, defaultExpectedLossCosts, type ExpectedLossCosts } from '../risk/policy/expected.loss.ts';
import { combinedScore, ruleActionRank, rulesScore, summariseScores, type ScoreSummary } from './evaluation.metrics.ts';
import type { FeatureEncoding } from './feature.encoding.ts';
import { ruleOutcomes, type ReplayedHistory } from './history.replay.ts';
import { replayOrigin, type ReplayRun } from './history.source.ts';
import type { ModelThresholds } from './model.artifact.ts';
import type { ProgressBar } from './progress.bar.ts';
import { gatherRows, labelledSet, splitTime, type LabelledSet } from './training.set.ts';

export interface World {
  readonly name: string;
  readonly run: ReplayRun;
  readonly history: ReplayedHistory;
  /** Orders before this time train; orders from it on test. */
  readonly cut: number;
  readonly test: LabelledSet;
}

/** Replays a file (NDJSON, or CSV through a mapping); a mapping or header problem is a message, not a crash. */
export async function loadWorld(
  file: string,
  mappingPath: string | null,
  fraction: number,
  bar: ProgressBar,
): Promise<World | string> {
  const resolved = await resolveImportFormat(file, mappingPath);
  if (!resolved.ok) return resolved.error;
  let run: ReplayRun;
  try {
    run = await replayOrigin({ kind: 'file', path: file, format: resolved.format }, bar);
  } catch (error) {
    if (error instanceof CsvHeaderError) return `${file}: ${error.message}`;
    throw error;
  }
  const { history } = run;
  const cut = splitTime(history, fraction);
  return {
    name: file,
    run,
    history,
    cut,
    test: labelledSet(history, cut, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY),
  };
}

/** What evaluation needs of a model, trained here or read from an artifact. */
export interface ModelUnderTest {
  readonly scoring: ScoringModel;
  readonly encoding: FeatureEncoding;
  readonly thresholds: ModelThresholds;
  /** A stored model's calibrator: scores are then the probabilities the engine serves, not raw model outputs. */
  readonly calibration?: Calibration | undefined;
}

/** Feature rows of some orders as the model reads them (re-encoded when the model came from another replay). */
export function modelRows(model: ModelUnderTest, history: ReplayedHistory, indexes: Uint32Array): Float32Array {
  return history.encoding === model.encoding
    ? gatherRows(history, indexes)
    : rowsInEncoding(history, indexes, model.encoding);
}

export function scoreOrders(model: ModelUnderTest, history: ReplayedHistory, set: LabelledSet): Float64Array {
  const raw = model.scoring.scoreRows(modelRows(model, history, set.indexes));
  return model.calibration === undefined ? raw : calibrateAll(model.calibration, raw);
}

export const bandNames = ['approve', 'step-up', 'review', 'decline'] as const;

/** The model's band by its thresholds: 0 approve, 1 step-up, 2 review, 3 decline. */
export function modelBand(probability: number, thresholds: ModelThresholds): number {
  if (probability >= thresholds.decline) return 3;
  if (probability >= thresholds.review) return 2;
  if (probability >= thresholds.stepUp) return 1;
  return 0;
}

/** The costs a calibrated model's bands are cut by: the replayed ruleset's, as the engine reads them. */
export function bandCosts(history: ReplayedHistory): ExpectedLossCosts {
  return history.ruleset.expectedLoss ?? defaultExpectedLossCosts;
}

/**
 * The model's band as the engine serves it: a calibrated probability by expected loss for this order's amount
 * (a EUR 15 and a EUR 900 order are not cut at the same probability); an uncalibrated score by its thresholds.
 */
export function servedBand(model: ModelUnderTest, score: number, amount: number, costs: ExpectedLossCosts): number {
  if (model.calibration === undefined) return modelBand(score, model.thresholds);
  return bands.indexOf(bandFor(score, amount, costs));
}

export interface WorldFigures {
  readonly scores: Float64Array;
  readonly model: ScoreSummary;
  readonly rules: ScoreSummary;
  readonly combined: ScoreSummary;
  /** Per test order: the strongest of the rules' action and the model's band (an index into bandNames). */
  readonly bands: Uint8Array;
  /** Per test order: what the ruleset alone decided (an index into ruleOutcomes). */
  readonly ruleDecisions: Uint8Array;
}

export function evaluateWorld(model: ModelUnderTest, world: World): WorldFigures {
  const { history, test } = world;
  const typologies = Array.from(test.indexes, (index) => history.typologies[index] ?? null);
  const scores = scoreOrders(model, history, test);
  const rules = Float64Array.from(test.indexes, (index) => rulesScore(history, index));
  const combined = Float64Array.from(test.indexes, (index, position) =>
    combinedScore(history, index, scores[position]!),
  );
  const costs = bandCosts(history);
  const assigned = Uint8Array.from(test.indexes, (index, position) =>
    Math.max(ruleActionRank(history, index), servedBand(model, scores[position]!, history.amounts[index]!, costs)),
  );
  return {
    scores,
    model: summariseScores(scores, test.labels, typologies),
    rules: summariseScores(rules, test.labels, typologies),
    combined: summariseScores(combined, test.labels, typologies),
    bands: assigned,
    ruleDecisions: Uint8Array.from(test.indexes, (index) => history.ruleOutcomes[index]!),
  };
}

export function rulesOnly(world: World): ScoreSummary {
  const { history, test } = world;
  const typologies = Array.from(test.indexes, (index) => history.typologies[index] ?? null);
  return summariseScores(
    Float64Array.from(test.indexes, (index) => rulesScore(history, index)),
    test.labels,
    typologies,
  );
}

export function ruleDecisionCounts(world: World): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ruleOutcomes.map((outcome) => [outcome, 0]));
  for (const index of world.test.indexes) counts[ruleOutcomes[world.history.ruleOutcomes[index]!]!]! += 1;
  return counts;
}

export function countPositives(set: LabelledSet): number {
  let positives = 0;
  for (const label of set.labels) positives += label;
  return positives;
}
