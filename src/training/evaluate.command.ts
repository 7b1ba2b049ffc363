// `rearguard evaluate`: replay a file, train on the past by a time split, test on the future; model vs rules vs both.
import { parseArgs } from 'node:util';
import { meanAbsoluteContributions, writeEvaluationReport } from '../model/index.ts';
import { combinedScore, rulesScore, summariseScores, type ScoreSummary } from './evaluation.metrics.ts';
import { ruleOutcomes, type ReplayedHistory } from './history.replay.ts';
import { replayOrigin } from './history.source.ts';
import { defaultPolicyCosts, fitModel, scoreSet } from './model.fitting.ts';
import { makeProgressBar } from './progress.bar.ts';
import { labelledSet, pick, splitTime, type LabelledSet } from './training.set.ts';

export interface CommandOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const evaluateUsage = `rearguard evaluate --file FILE [--split time:0.8] [--report DIR] [--rounds N] [--quiet]

Replays FILE (import NDJSON) point-in-time through the risk engine, trains on the first part by time (labels
known by the split time only), tests on the rest, and prints one JSON line: the model alone (top level and
"model"), the rules alone ("rules") and both as the policy combines them ("combined"). DIR gets an HTML report. --xgboost-library PATH when libxgboost is not in a standard place.`;

export interface EvaluateOptions {
  readonly file: string;
  readonly fraction: number;
  readonly report: string | null;
  readonly rounds: number;
  readonly quiet: boolean;
  readonly xgboostLibrary: string | null;
}

export function parseEvaluateArguments(argv: string[]): EvaluateOptions | string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      file: { type: 'string' },
      split: { type: 'string', default: 'time:0.8' },
      report: { type: 'string' },
      rounds: { type: 'string', default: '200' },
      quiet: { type: 'boolean', default: false },
      'xgboost-library': { type: 'string' },
    },
  });
  if (!values.file) return '--file is required';
  const split = /^time:(0?\.\d+|0|1)$/.exec(values.split ?? '');
  const fraction = split ? Number(split[1]) : Number.NaN;
  if (!(fraction > 0 && fraction < 1)) return '--split must be time:F with 0 < F < 1, e.g. time:0.8';
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) return '--rounds must be a positive integer';
  return {
    file: values.file,
    fraction,
    report: values.report ?? null,
    rounds,
    quiet: values.quiet ?? false,
    xgboostLibrary: values['xgboost-library'] ?? null,
  };
}

function outcomeCounts(history: ReplayedHistory, set: LabelledSet): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ruleOutcomes.map((outcome) => [outcome, 0]));
  for (const index of set.indexes) counts[ruleOutcomes[history.ruleOutcomes[index]!]!]! += 1;
  return counts;
}

export async function runEvaluateCommand(argv: string[], io: CommandOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${evaluateUsage}\n`);
    return 0;
  }
  let options: EvaluateOptions | string;
  try {
    options = parseEvaluateArguments(argv);
  } catch (error) {
    options = error instanceof Error ? error.message : String(error);
  }
  if (typeof options === 'string') {
    io.stderr.write(`evaluate: ${options}\n\n${evaluateUsage}\n`);
    return 2;
  }
  const bar = makeProgressBar(io.stderr, options.quiet);
  const run = await replayOrigin({ kind: 'file', path: options.file }, bar);
  const { history } = run;
  const cut = splitTime(history, options.fraction);
  // Training sees only what was known at the split; the test side is judged on everything the file knows.
  const train = labelledSet(history, Number.NEGATIVE_INFINITY, cut, cut);
  const test = labelledSet(history, cut, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  const typologies = Array.from(test.indexes, (index) => history.typologies[index] ?? null);
  const rules = Float64Array.from(test.indexes, (index) => rulesScore(history, index));
  const figures: Record<string, unknown> = {
    file: options.file,
    split: `time:${options.fraction}`,
    split_at: Number.isNaN(cut) ? null : new Date(cut).toISOString(),
    orders: history.count,
    rejected_lines: run.rejectedLines,
    engine_failures: history.failures.count,
    train: { count: train.indexes.length, positives: countPositives(train) },
    test: { count: test.indexes.length, positives: countPositives(test) },
    rules_decisions_on_test: outcomeCounts(history, test),
  };
  const rulesSummary = summariseScores(rules, test.labels, typologies);

  if (countPositives(train) === 0 || countPositives(train) === train.indexes.length || test.indexes.length === 0) {
    io.stderr.write('evaluate: the training or test side lacks fraud or legitimate orders; model not trained\n');
    io.stdout.write(`${JSON.stringify({ ...figures, model: null, rules: rulesSummary, combined: null })}\n`);
    return 1;
  }
  bar.start(options.rounds, 'train');
  const fitted = await fitModel({
    history,
    train,
    validation: null,
    rounds: options.rounds,
    onRound: (round) => bar.update(round),
    ...(options.xgboostLibrary === null ? {} : { libraryPath: options.xgboostLibrary }),
  });
  bar.stop();
  if (!fitted.ok) {
    io.stderr.write(`evaluate: ${fitted.error.code}: ${fitted.error.message}\n`);
    io.stdout.write(`${JSON.stringify({ ...figures, model: null, rules: rulesSummary, combined: null })}\n`);
    return 1;
  }
  const modelScores = scoreSet(fitted.value.scoring, history, test);
  const combined = Float64Array.from(test.indexes, (index, position) =>
    combinedScore(history, index, modelScores[position]!),
  );
  const modelSummary = summariseScores(modelScores, test.labels, typologies);
  const combinedSummary = summariseScores(combined, test.labels, typologies);
  io.stdout.write(
    `${JSON.stringify({ ...modelSummary, ...figures, model: modelSummary, rules: rulesSummary, combined: combinedSummary })}\n`,
  );
  if (options.report !== null) {
    const written = await writeReport(options.report, history, test, modelScores, fitted.value.scoring, {
      rules: rulesSummary,
      combined: combinedSummary,
      model: modelSummary,
    });
    if (!written.ok) {
      io.stderr.write(`evaluate: ${written.error.message}\n`);
      return 1;
    }
    io.stderr.write(`evaluate: report written to ${options.report}\n`);
  }
  return 0;
}

function countPositives(set: LabelledSet): number {
  let positives = 0;
  for (const label of set.labels) positives += label;
  return positives;
}

async function writeReport(
  directory: string,
  history: ReplayedHistory,
  test: LabelledSet,
  scores: Float64Array,
  scoring: Parameters<typeof meanAbsoluteContributions>[0],
  summaries: Record<'model' | 'rules' | 'combined', ScoreSummary>,
) {
  const width = history.encoding.columns.length;
  const sampleCount = Math.min(2000, test.indexes.length);
  const sample = new Float32Array(sampleCount * width);
  for (let position = 0; position < sampleCount; position++) {
    const index = test.indexes[Math.floor((position * test.indexes.length) / sampleCount)]!;
    sample.set(history.rows.subarray(index * width, index * width + width), position * width);
  }
  const extraMetrics: Record<string, number | string | null> = {
    orders_replayed: history.count,
    test_orders: test.indexes.length,
    test_from: new Date(history.placedAt[test.indexes[0]!]!).toISOString(),
  };
  for (const [name, summary] of Object.entries(summaries)) {
    for (const key of ['roc_auc', 'pr_auc', 'recall_at_1pct_fpr', 'recall_at_5pct_fpr'] as const) {
      extraMetrics[`${name} ${key}`] = summary[key];
    }
    for (const [typology, recall] of Object.entries(summary.per_typology)) {
      extraMetrics[`${name} recall@1%FPR ${typology} (n=${recall.count})`] = recall.recall_at_1pct_fpr;
    }
  }
  return writeEvaluationReport(directory, {
    title: 'Rearguard model evaluation (time split)',
    generatedAt: new Date().toISOString(),
    scores,
    labels: test.labels,
    featureImportance: meanAbsoluteContributions(scoring, sample, { method: 'approximate' }),
    importanceLabel: 'mean |Saabas contribution| (log-odds) on test orders',
    costs: { missedFraud: defaultPolicyCosts.missedFraudShare, friction: defaultPolicyCosts.stepUpFriction },
    amounts: pick(history.amounts, test.indexes),
    extraMetrics,
  });
}
