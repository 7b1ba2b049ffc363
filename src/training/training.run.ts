// The training pipeline behind `rearguard train`: windows, selection, calibration, first-party model, artifact, figures.
import type { HistoryRange } from '../storage/history.reader.ts';
import { calibrateAll } from '../model/calibration.ts';
import { bandThreshold, type ExpectedLossCosts } from '../risk/policy/expected.loss.ts';
import { systemClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { summariseScores, type ScoreSummary } from './evaluation.metrics.ts';
import type { CommandOutput } from './evaluate.command.ts';
import type { ReplayedHistory } from './history.replay.ts';
import { replayOrigin, type HistoryOrigin } from './history.source.ts';
import { writeArtifact, type ModelArtifact, type ModelMetadata } from './model.artifact.ts';
import { amountsOf, chooseThresholds, featureReference, referenceQuantiles, scoreSet } from './model.fitting.ts';
import { makeModelRegistry } from './model.registry.ts';
import {
  firstPartyStoppingMetric,
  regularisationCandidates,
  selectModel,
  stoppingMetric,
  timeWindows,
  windowSets,
  type SelectedModel,
  type TimeWindows,
  type WindowSets,
} from './model.selection.ts';
import { makeProgressBar, type ProgressBar } from './progress.bar.ts';
import type { LabelledSet } from './training.set.ts';
import { dropFigures, shiftedFigures } from './shifted.figures.ts';

export interface TrainOptions {
  readonly file: string | null;
  readonly out: string;
  readonly name: string;
  readonly rounds: number;
  readonly candidates: number;
  readonly earlyStopping: number;
  readonly validation: number;
  readonly test: number;
  readonly costs: ExpectedLossCosts;
  readonly shifted: string | null;
  readonly register: boolean;
  readonly promote: boolean;
  readonly quiet: boolean;
  readonly xgboostLibrary: string | null;
}

/** Amounts (cents) at which the report says from which probability each band starts. */
const bandAmounts = [1_500, 5_000, 15_000, 40_000, 90_000];

const iso = (time: number) => new Date(time).toISOString();
const typologiesOf = (history: ReplayedHistory, set: LabelledSet) =>
  Array.from(set.indexes, (index) => history.typologies[index] ?? null);

function summary(history: ReplayedHistory, set: LabelledSet, scores: ArrayLike<number>): ScoreSummary {
  return summariseScores(scores, set.labels, typologiesOf(history, set));
}

/** Mean squared error of the calibrated probabilities: lower is better; 0.01 for a constant 1% on a 1% base rate. */
function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < labels.length; index++) sum += (probabilities[index]! - labels[index]!) ** 2;
  return labels.length === 0 ? Number.NaN : Math.round((sum / labels.length) * 1e6) / 1e6;
}

function enoughLabels(sets: WindowSets): boolean {
  const positives = sets.train.labels.reduce((sum, label) => sum + label, 0);
  return (
    positives > 0 &&
    positives < sets.train.labels.length &&
    sets.validation.labels.some((label) => label === 1) &&
    sets.test.indexes.length > 0
  );
}

async function select(
  options: TrainOptions,
  history: ReplayedHistory,
  sets: WindowSets,
  bar: ProgressBar,
  what: string,
  metric: string = stoppingMetric,
) {
  const candidates = regularisationCandidates.slice(0, options.candidates);
  let label = what;
  return selectModel({
    history,
    sets,
    candidates,
    maxRounds: options.rounds,
    earlyStoppingRounds: options.earlyStopping,
    onCandidate: (index, count) => {
      label = `${what} ${index + 1}/${count}`;
      bar.start(options.rounds, label);
    },
    onRound: (round, _rounds, evaluation) =>
      bar.update(round, {
        detail: `validation-${metric} ${evaluation[`validation-${metric}`]?.toFixed(4) ?? '-'}`,
      }),
    stoppingMetric: metric,
    ...(options.xgboostLibrary === null ? {} : { libraryPath: options.xgboostLibrary }),
  });
}

function selectionRecord(
  history: ReplayedHistory,
  windows: TimeWindows,
  selected: SelectedModel,
  options: TrainOptions,
) {
  return {
    windows: {
      trainTo: iso(windows.trainTo),
      validationFrom: iso(windows.trainTo),
      validationTo: iso(windows.testFrom),
      testFrom: iso(windows.testFrom),
      dataTo: iso(history.placedAt[history.count - 1]!),
    },
    stoppingMetric,
    earlyStoppingRounds: options.earlyStopping,
    candidates: selected.candidates.map((candidate) => ({ ...candidate, params: { ...candidate.params } })),
    chosen: selected.chosen,
    monotoneConstraints: { ...selected.monotoneConstraints },
  };
}

export async function runTraining(
  options: TrainOptions,
  io: CommandOutput,
  database: Database | null,
  openInput?: HistoryRange['openInput'],
): Promise<number> {
  const bar = makeProgressBar(io.stderr, options.quiet);
  const origin: HistoryOrigin =
    options.file !== null
      ? { kind: 'file', path: options.file }
      : { kind: 'database', database: database!, ...(openInput ? { openInput } : {}) };
  const { history, source } = await replayOrigin(origin, bar);
  const windows = timeWindows(history, options.validation, options.test);
  const identitySets = windowSets(history, windows, 'third_party');
  const firstPartySets = windowSets(history, windows, 'first_party');
  if (!enoughLabels(identitySets)) {
    io.stderr.write(
      'train: the history needs identity fraud and legitimate orders with known labels in every window\n',
    );
    return 1;
  }
  const identity = await select(options, history, identitySets, bar, 'identity');
  bar.stop();
  if (!identity.ok) {
    io.stderr.write(`train: ${identity.error.code}: ${identity.error.message}\n`);
    return 1;
  }
  // The first-party model is optional: a history without first-party labels still yields the identity model.
  const firstParty = enoughLabels(firstPartySets)
    ? await select({ ...options, candidates: 1 }, history, firstPartySets, bar, 'first-party', firstPartyStoppingMetric)
    : null;
  bar.stop();
  if (firstParty !== null && !firstParty.ok) {
    io.stderr.write(`train: ${firstParty.error.code}: ${firstParty.error.message}\n`);
    return 1;
  }
  const model = identity.value;
  const raw = (sets: WindowSets, chosen: SelectedModel, set: keyof WindowSets) =>
    scoreSet(chosen.fitted.scoring, history, sets[set]);
  const validationRaw = raw(identitySets, model, 'validation');
  const testRaw = raw(identitySets, model, 'test');
  const validationProbabilities = calibrateAll(model.calibration, validationRaw);
  const testProbabilities = calibrateAll(model.calibration, testRaw);
  const encoding = {
    version: 1 as const,
    columns: history.encoding.columns.map((column) =>
      column.kind === 'category' ? { ...column, categories: [...column.categories] } : { ...column },
    ),
  };
  const shifted =
    options.shifted === null ? null : await shiftedFigures(options.shifted, options, bar, model, encoding);
  const transfer =
    shifted === null ? null : dropFigures({ scores: testRaw, labels: identitySets.test.labels }, shifted);
  const trainPositives = identitySets.train.labels.reduce((sum, label) => sum + label, 0);
  const chosen = chooseThresholds(
    validationProbabilities,
    identitySets.validation.labels,
    amountsOf(history, identitySets.validation),
    options.costs,
  );
  const firstPartyMetadata =
    firstParty === null
      ? undefined
      : {
          modelJson: firstParty.value.fitted.trained.modelJson,
          calibration: firstParty.value.calibration,
          params: { ...firstParty.value.fitted.params },
          rounds: firstParty.value.fitted.trained.rounds,
          metrics: { test: summary(history, firstPartySets.test, raw(firstPartySets, firstParty.value, 'test')) },
        };
  const metadata: ModelMetadata = {
    format: 'rearguard-model-1',
    name: options.name,
    createdAt: new Date().toISOString(),
    encoding,
    training: {
      source,
      orders: identitySets.train.indexes.length,
      positives: trainPositives,
      negatives: identitySets.train.labels.length - trainPositives,
      dataFrom: iso(history.placedAt[0]!),
      dataTo: iso(windows.trainTo),
      labelsKnownBy: iso(windows.trainTo),
      validationFrom: iso(windows.trainTo),
    },
    params: { ...model.fitted.params },
    rounds: model.fitted.trained.rounds,
    xgboostVersion: model.fitted.trained.xgboostVersion,
    metrics: {
      validation: summary(history, identitySets.validation, validationRaw),
      test: summary(history, identitySets.test, testRaw),
      test_brier: brierScore(testProbabilities, identitySets.test.labels),
      ...(shifted === null || transfer === null
        ? {}
        : { shifted: { source: shifted.source, test: shifted.test, intervals: transfer } }),
      bands_by_amount: bandAmounts.map((amount) => ({
        amount,
        step_up: bandThreshold('step_up', amount, options.costs),
        review: bandThreshold('review', amount, options.costs),
        decline: bandThreshold('decline', amount, options.costs),
      })),
    },
    thresholds: chosen.thresholds,
    costs: { ...options.costs },
    calibration: model.calibration,
    target: 'third_party',
    selection: selectionRecord(history, windows, model, options),
    ...(firstPartyMetadata === undefined ? {} : { firstParty: firstPartyMetadata }),
    reference: {
      scores: referenceQuantiles(validationProbabilities).map((value) => value ?? 0),
      features: featureReference(history, identitySets.validation),
    },
  };
  const artifact: ModelArtifact = { modelJson: model.fitted.trained.modelJson, metadata };
  await writeArtifact(options.out, artifact);
  let id: string | null = null;
  if (options.register && database !== null) {
    const registry = makeModelRegistry({ database, clock: systemClock, ids: makeIds() });
    id = await registry.register(artifact);
    if (options.promote) await registry.promote(id);
  }
  const { validation, test } = metadata.metrics as { validation: ScoreSummary; test: ScoreSummary };
  const brief = (figures: ScoreSummary) => ({
    roc_auc: figures.roc_auc,
    recall_at_1pct_fpr: figures.recall_at_1pct_fpr,
    positives: figures.positives,
    count: figures.count,
  });
  io.stdout.write(
    `${JSON.stringify({
      out: options.out,
      id,
      status: id === null ? 'unregistered' : options.promote ? 'champion' : 'challenger',
      selection: { chosen: metadata.selection?.chosen, candidates: metadata.selection?.candidates },
      validation: brief(validation),
      test: brief(test),
      test_per_typology: test.per_typology,
      test_brier: metadata.metrics['test_brier'],
      ...(firstPartyMetadata === undefined ? {} : { first_party_test: brief(firstPartyMetadata.metrics.test) }),
      ...(shifted === null
        ? {}
        : {
            shifted_test: brief(shifted.test),
            drop: {
              recall_at_1pct_fpr: (test.recall_at_1pct_fpr ?? 0) - (shifted.test.recall_at_1pct_fpr ?? 0),
              roc_auc: (test.roc_auc ?? 0) - (shifted.test.roc_auc ?? 0),
            },
            intervals: transfer,
            shifted_per_typology: shifted.test.per_typology,
          }),
      bands_by_amount: metadata.metrics['bands_by_amount'],
      training: metadata.training,
    })}\n`,
  );
  return 0;
}
