// `rearguard train`: replay history point-in-time, train on the past, validate on the latest slice, save and register.
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { summariseScores } from './evaluation.metrics.ts';
import type { CommandOutput } from './evaluate.command.ts';
import { replayOrigin, type HistoryOrigin } from './history.source.ts';
import { writeArtifact, type ModelArtifact } from './model.artifact.ts';
import {
  amountsOf,
  chooseThresholds,
  defaultPolicyCosts,
  featureReference,
  fitModel,
  referenceQuantiles,
  scoreSet,
  type PolicyCosts,
} from './model.fitting.ts';
import { makeModelRegistry } from './model.registry.ts';
import { makeProgressBar } from './progress.bar.ts';
import { labelledSet, splitTime } from './training.set.ts';

export const trainUsage = `rearguard train [--file FILE] [--out models/NAME.json] [--rounds N] [options]

Replays history point-in-time (FILE in the import format, or the database when --file is absent), trains
gradient-boosted trees on all but the latest --validation share of orders (labels known by then only),
measures them on that latest slice, chooses step-up / review / decline thresholds from costs, writes
NAME.json (XGBoost JSON) and NAME.meta.json, and registers the version as a challenger.

  --rounds N               boosting rounds (default 200)
  --max-depth N            tree depth (default 6)
  --validation F           latest share of orders held out by time (default 0.1)
  --name NAME              version name (default: the --out file name)
  --cost-step-up CENTS     friction cost of a step-up of a good buyer (default ${defaultPolicyCosts.stepUpFriction})
  --cost-review CENTS      ... of a manual review (default ${defaultPolicyCosts.reviewFriction})
  --cost-decline CENTS     ... of declining a good buyer (default ${defaultPolicyCosts.declineFriction})
  --step-up-stops F        share of fraud a step-up stops (default ${defaultPolicyCosts.stepUpStops})
  --review-stops F         share of fraud a manual review stops (default ${defaultPolicyCosts.reviewStops})
  --no-register            do not register the version in the database
  --promote                make the new version the champion at once
  --xgboost-library PATH   libxgboost's path when it is not in a standard place
  --quiet                  no progress bars`;

interface TrainOptions {
  readonly file: string | null;
  readonly out: string;
  readonly name: string;
  readonly rounds: number;
  readonly maxDepth: number;
  readonly validation: number;
  readonly costs: PolicyCosts;
  readonly register: boolean;
  readonly promote: boolean;
  readonly quiet: boolean;
  readonly xgboostLibrary: string | null;
}

function parseTrainArguments(argv: string[]): TrainOptions | string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      file: { type: 'string' },
      out: { type: 'string', default: 'models/model.json' },
      name: { type: 'string' },
      rounds: { type: 'string', default: '200' },
      'max-depth': { type: 'string', default: '6' },
      validation: { type: 'string', default: '0.1' },
      'cost-step-up': { type: 'string' },
      'cost-review': { type: 'string' },
      'cost-decline': { type: 'string' },
      'step-up-stops': { type: 'string' },
      'review-stops': { type: 'string' },
      'no-register': { type: 'boolean', default: false },
      promote: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'xgboost-library': { type: 'string' },
    },
  });
  const positive = (text: string | undefined, fallback: number) => (text === undefined ? fallback : Number(text));
  const rounds = positive(values.rounds, 200);
  const maxDepth = positive(values['max-depth'], 6);
  const validation = positive(values.validation, 0.1);
  const costs: PolicyCosts = {
    ...defaultPolicyCosts,
    stepUpFriction: positive(values['cost-step-up'], defaultPolicyCosts.stepUpFriction),
    reviewFriction: positive(values['cost-review'], defaultPolicyCosts.reviewFriction),
    declineFriction: positive(values['cost-decline'], defaultPolicyCosts.declineFriction),
    stepUpStops: positive(values['step-up-stops'], defaultPolicyCosts.stepUpStops),
    reviewStops: positive(values['review-stops'], defaultPolicyCosts.reviewStops),
  };
  if (!Number.isInteger(rounds) || rounds < 1) return '--rounds must be a positive integer';
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 16) return '--max-depth must be 1..16';
  if (!(validation > 0 && validation < 0.5)) return '--validation must be between 0 and 0.5';
  if (Object.values(costs).some((cost) => !(cost >= 0))) return 'costs must be non-negative numbers';
  if (!(costs.stepUpStops <= costs.reviewStops && costs.reviewStops <= 1)) {
    return '--step-up-stops <= --review-stops <= 1 (a stronger action stops at least as much fraud)';
  }
  const out = values.out ?? 'models/model.json';
  return {
    file: values.file ?? null,
    out,
    name: values.name ?? (out.split('/').pop() ?? out).replace(/\.json$/, ''),
    rounds,
    maxDepth,
    validation,
    costs,
    register: !(values['no-register'] ?? false),
    promote: values.promote ?? false,
    quiet: values.quiet ?? false,
    xgboostLibrary: values['xgboost-library'] ?? null,
  };
}

export async function runTrainCommand(
  argv: string[],
  io: CommandOutput,
  openDatabase: () => Promise<Database>,
): Promise<number> {
  let options: TrainOptions | string;
  try {
    options = parseTrainArguments(argv);
  } catch (error) {
    options = error instanceof Error ? error.message : String(error);
  }
  if (typeof options === 'string') {
    io.stderr.write(`train: ${options}\n\n${trainUsage}\n`);
    return 2;
  }
  const needsDatabase = options.file === null || options.register;
  const database = needsDatabase ? await openDatabase() : null;
  try {
    return await train(options, io, database);
  } finally {
    await database?.close();
  }
}

async function train(options: TrainOptions, io: CommandOutput, database: Database | null): Promise<number> {
  const bar = makeProgressBar(io.stderr, options.quiet);
  const origin: HistoryOrigin =
    options.file !== null ? { kind: 'file', path: options.file } : { kind: 'database', database: database! };
  const { history, source } = await replayOrigin(origin, bar);
  const cut = splitTime(history, 1 - options.validation);
  const train = labelledSet(history, Number.NEGATIVE_INFINITY, cut, cut);
  const validation = labelledSet(history, cut, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
  const positives = train.labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === train.labels.length || validation.indexes.length === 0) {
    io.stderr.write(
      'train: the history needs fraud and legitimate orders with known labels on both sides of the split\n',
    );
    return 1;
  }
  bar.start(options.rounds, 'train');
  const fitted = await fitModel({
    history,
    train,
    validation,
    rounds: options.rounds,
    params: { max_depth: options.maxDepth },
    ...(options.xgboostLibrary === null ? {} : { libraryPath: options.xgboostLibrary }),
    onRound: (round, _rounds, evaluation) =>
      bar.update(round, { detail: `validation-auc ${evaluation['validation-auc']?.toFixed(4) ?? '-'}` }),
  });
  bar.stop();
  if (!fitted.ok) {
    io.stderr.write(`train: ${fitted.error.code}: ${fitted.error.message}\n`);
    return 1;
  }
  const scores = scoreSet(fitted.value.scoring, history, validation);
  const typologies = Array.from(validation.indexes, (index) => history.typologies[index] ?? null);
  const chosen = chooseThresholds(scores, validation.labels, amountsOf(history, validation), options.costs);
  const artifact: ModelArtifact = {
    modelJson: fitted.value.trained.modelJson,
    metadata: {
      format: 'rearguard-model-1',
      name: options.name,
      createdAt: new Date().toISOString(),
      encoding: {
        version: 1,
        columns: history.encoding.columns.map((column) =>
          column.kind === 'category' ? { ...column, categories: [...column.categories] } : { ...column },
        ),
      },
      training: {
        source,
        orders: train.indexes.length,
        positives,
        negatives: train.labels.length - positives,
        dataFrom: new Date(history.placedAt[0]!).toISOString(),
        dataTo: new Date(cut).toISOString(),
        labelsKnownBy: new Date(cut).toISOString(),
        validationFrom: new Date(cut).toISOString(),
      },
      params: { ...fitted.value.params },
      rounds: fitted.value.trained.rounds,
      xgboostVersion: fitted.value.trained.xgboostVersion,
      metrics: { validation: summariseScores(scores, validation.labels, typologies) },
      thresholds: chosen.thresholds,
      costs: { ...options.costs },
      reference: {
        scores: referenceQuantiles(scores).map((value) => value ?? 0),
        features: featureReference(history, validation),
      },
    },
  };
  await writeArtifact(options.out, artifact);
  let id: string | null = null;
  if (options.register && database !== null) {
    const registry = makeModelRegistry({ database, clock: systemClock, ids: makeIds() });
    id = await registry.register(artifact);
    if (options.promote) await registry.promote(id);
  }
  io.stdout.write(
    `${JSON.stringify({
      out: options.out,
      id,
      status: id === null ? 'unregistered' : options.promote ? 'champion' : 'challenger',
      thresholds: chosen.thresholds,
      ...artifact.metadata.metrics,
      training: artifact.metadata.training,
    })}\n`,
  );
  return 0;
}
