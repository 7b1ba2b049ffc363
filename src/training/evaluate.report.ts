// Assembles the HTML report of `rearguard evaluate`: figures, bands, intervals, splits, run metadata and the other world.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { meanAbsoluteContributions, writeEvaluationReport, type EvaluationReportInput } from '../model/index.ts';
import type { BootstrapIntervals } from '../model/bootstrap.ts';
import type { ScoredSet } from '../model/report.sections.ts';
import type { ScoreSummary } from './evaluation.metrics.ts';
import type { EvaluateOptions } from './evaluate.options.ts';
import { bandThreshold } from '../risk/policy/expected.loss.ts';
import {
  bandCosts,
  bandNames,
  modelRows,
  type ModelUnderTest,
  type World,
  type WorldFigures,
} from './evaluate.world.ts';
import { ruleOutcomes } from './history.replay.ts';
import { defaultPolicyCosts } from './model.fitting.ts';
import { pick } from './training.set.ts';

/** How the model under test came to be: trained in this run (with its training set) or read from an artifact. */
export interface TrainingRun {
  readonly source: string;
  readonly dataFrom: string | null;
  readonly dataTo: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly rounds: number;
  readonly xgboostVersion: string;
  readonly trainSet: { scores: Float64Array; labels: Float32Array; count: number; positives: number } | null;
  /** A validation window's scores, when the training that made the model had one (13a's time windows). */
  readonly validation: ScoredSet | null;
}

export interface EvaluationRun {
  readonly world: World;
  readonly figures: WorldFigures;
  readonly model: ModelUnderTest;
  readonly training: TrainingRun;
  readonly intervals: BootstrapIntervals | null;
  readonly baseline: { readonly world: World; readonly figures: WorldFigures } | null;
  readonly options: EvaluateOptions;
}

/** The commit the code ran from, when it runs from a git checkout; a release tarball simply has none. */
function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

function dataRange(world: World): string {
  const { placedAt, count } = world.history;
  if (count === 0) return 'no orders';
  return `${new Date(placedAt[0]!).toISOString()} – ${new Date(placedAt[count - 1]!).toISOString()}`;
}

/** How the model's band was cut, in words: per amount by expected loss when calibrated (as served), else thresholds. */
function bandRule(run: EvaluationRun): string {
  const { model, world } = run;
  if (model.calibration === undefined)
    return `by its thresholds (step-up ${model.thresholds.stepUp}, review ${model.thresholds.review}, decline ${model.thresholds.decline})`;
  const costs = bandCosts(world.history);
  const cut = (amount: number) =>
    `EUR ${amount / 100}: step-up ${bandThreshold('step_up', amount, costs).toFixed(4)}, ` +
    `review ${bandThreshold('review', amount, costs).toFixed(4)}, decline ${bandThreshold('decline', amount, costs).toFixed(4)}`;
  return (
    'calibrated probability cut by expected loss per order amount, as the engine serves it ' +
    `(${cut(1_500)}; ${cut(90_000)}; costs ${JSON.stringify(costs)})`
  );
}

function metadata(run: EvaluationRun): Record<string, string | number | null> {
  const { world, training, model, options } = run;
  return {
    'evaluated file': world.name,
    'data range': dataRange(world),
    'orders replayed': world.history.count,
    'rejected lines': world.run.rejectedLines,
    'test window from': Number.isNaN(world.cut) ? null : new Date(world.cut).toISOString(),
    'test orders (labelled)': world.test.indexes.length,
    model: training.source,
    'model data range': `${training.dataFrom ?? '?'} – ${training.dataTo ?? '?'}`,
    'training orders (labelled)': training.trainSet?.count ?? null,
    'training parameters': JSON.stringify(training.params),
    'boosting rounds': training.rounds,
    'band thresholds (probability)': bandRule(run),
    'policy costs (cents)': JSON.stringify(
      model.calibration === undefined ? defaultPolicyCosts : bandCosts(world.history),
    ),
    split: `time:${options.fraction}`,
    bootstrap: options.resamples > 0 ? `${options.resamples} resamples, seed ${options.seed}` : 'off',
    'rearguard version': packageVersion(),
    'XGBoost version': training.xgboostVersion,
    'Node.js version': process.version,
    'git commit': gitCommit(),
  };
}

function summaryRows(summaries: Record<string, ScoreSummary>): Record<string, number | string | null> {
  const rows: Record<string, number | string | null> = {};
  for (const [name, summary] of Object.entries(summaries)) {
    for (const key of ['roc_auc', 'pr_auc', 'recall_at_1pct_fpr', 'recall_at_5pct_fpr'] as const)
      rows[`${name} ${key}`] = summary[key];
    for (const [typology, recall] of Object.entries(summary.per_typology))
      rows[`${name} recall@1%FPR ${typology} (n=${recall.count})`] = recall.recall_at_1pct_fpr;
  }
  return rows;
}

export function evaluationReportInput(run: EvaluationRun): EvaluationReportInput {
  const { world, figures, model, training } = run;
  const { history, test } = world;
  const sampleCount = Math.min(2000, test.indexes.length);
  const sampleIndexes = Uint32Array.from(
    { length: sampleCount },
    (_, position) => test.indexes[Math.floor((position * test.indexes.length) / sampleCount)]!,
  );
  const splits: ScoredSet[] = [
    ...(training.trainSet
      ? [{ name: 'train (in-sample)', scores: training.trainSet.scores, labels: training.trainSet.labels }]
      : []),
    ...(training.validation ? [training.validation] : []),
    { name: 'test', scores: figures.scores, labels: test.labels },
  ];
  const ruleAtLeast = (outcome: (typeof ruleOutcomes)[number]) => {
    const rank = ruleOutcomes.indexOf(outcome);
    return Array.from(figures.ruleDecisions, (decision) => decision >= rank);
  };
  const bandAtLeast = (band: number) => Array.from(figures.bands, (assigned) => assigned >= band);
  return {
    title: 'Rearguard model evaluation (time split)',
    generatedAt: new Date().toISOString(),
    scores: figures.scores,
    labels: test.labels,
    featureImportance: meanAbsoluteContributions(model.scoring, modelRows(model, history, sampleIndexes), {
      method: 'approximate',
    }),
    importanceLabel: 'mean |Saabas contribution| (log-odds) on test orders',
    costs: { missedFraud: defaultPolicyCosts.missedFraudShare, friction: defaultPolicyCosts.stepUpFriction },
    amounts: pick(history.amounts, test.indexes),
    extraMetrics: {
      orders_replayed: history.count,
      test_orders: test.indexes.length,
      test_from: test.indexes.length > 0 ? new Date(history.placedAt[test.indexes[0]!]!).toISOString() : null,
      ...summaryRows({ model: figures.model, rules: figures.rules, combined: figures.combined }),
    },
    metadata: metadata(run),
    ...(run.intervals ? { intervals: run.intervals } : {}),
    splits: {
      sets: splits,
      caption:
        'The same model on each window. Train figures are in-sample (the model saw these labels) and so flattering; ' +
        'the gap to test is the overfit.',
    },
    bands: {
      names: bandNames,
      assigned: figures.bands,
      note: `Band = the strongest of the rules’ action and the model’s band: ${bandRule(run)}.`,
    },
    operatingPoints: [
      { label: 'rules: step-up+', flagged: ruleAtLeast('step_up') },
      { label: 'rules: review+', flagged: ruleAtLeast('review') },
      { label: 'rules: decline', flagged: ruleAtLeast('declined') },
      { label: 'policy: step-up+', flagged: bandAtLeast(1) },
      { label: 'policy: review+', flagged: bandAtLeast(2) },
      { label: 'policy: decline', flagged: bandAtLeast(3) },
    ],
    ...(run.baseline
      ? {
          comparison: {
            current: world.name,
            baseline: {
              name: run.baseline.world.name,
              scores: run.baseline.figures.scores,
              labels: run.baseline.world.test.labels,
            },
          },
        }
      : {}),
  };
}

export function writeEvaluation(directory: string, run: EvaluationRun) {
  return writeEvaluationReport(directory, evaluationReportInput(run));
}
