// `rearguard evaluate`: replay a file, train on the past by a time split (or load a model), test on the future; model vs rules vs both, across worlds.
import { loadModel } from '../model/index.ts';
import { bootstrapIntervals } from '../model/bootstrap.ts';
import { calibration } from '../model/reliability.ts';
import { confusionByBand } from '../model/operating-points.ts';
import { describeDrop, figureDrop } from './cross-world.ts';
import { writeEvaluation, type TrainingRun } from './evaluate.report.ts';
import { evaluateUsage, parseEvaluateArguments, type EvaluateOptions } from './evaluate.options.ts';
import {
  bandNames,
  countPositives,
  evaluateWorld,
  loadWorld,
  ruleDecisionCounts,
  rulesOnly,
  scoreOrders,
  type ModelUnderTest,
  type World,
} from './evaluate.world.ts';
import { readArtifact } from './model.artifact.ts';
import { amountsOf, chooseThresholds, defaultPolicyCosts, fitModel } from './model.fitting.ts';
import { makeProgressBar, type ProgressBar } from './progress.bar.ts';
import { labelledSet } from './training.set.ts';

export { evaluateUsage, parseEvaluateArguments, type EvaluateOptions } from './evaluate.options.ts';

export interface CommandOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

type Obtained = { ok: true; model: ModelUnderTest; training: TrainingRun } | { ok: false; message: string };

/** The model under test: read from an artifact, or trained on the training world's past (labels known by the cut). */
async function obtainModel(options: EvaluateOptions, world: World, bar: ProgressBar): Promise<Obtained> {
  if (options.model !== null) {
    const artifact = await readArtifact(options.model);
    const scoring = loadModel(artifact.modelJson);
    if (!scoring.ok) return { ok: false, message: `${scoring.error.code}: ${scoring.error.message}` };
    const { metadata } = artifact;
    return {
      ok: true,
      model: {
        scoring: scoring.value,
        encoding: metadata.encoding,
        thresholds: metadata.thresholds,
        calibration: metadata.calibration,
      },
      training: {
        source: `model ${options.model} (${metadata.name}), trained on ${metadata.training.source}`,
        dataFrom: metadata.training.dataFrom,
        dataTo: metadata.training.dataTo,
        params: metadata.params,
        rounds: metadata.rounds,
        xgboostVersion: metadata.xgboostVersion,
        trainSet: null,
        validation: null,
      },
    };
  }
  const { history, cut } = world;
  const train = labelledSet(history, Number.NEGATIVE_INFINITY, cut, cut);
  if (countPositives(train) === 0 || countPositives(train) === train.indexes.length || world.test.indexes.length === 0)
    return { ok: false, message: 'the training or test side lacks fraud or legitimate orders; model not trained' };
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
  if (!fitted.ok) return { ok: false, message: `${fitted.error.code}: ${fitted.error.message}` };
  const model: ModelUnderTest = {
    scoring: fitted.value.scoring,
    encoding: history.encoding,
    thresholds: { stepUp: 1, review: 1, decline: 1 },
  };
  const trainScores = scoreOrders(model, history, train);
  // In-sample scores: the bands are as optimistic as the training figures; a stored model brings its own.
  const { thresholds } = chooseThresholds(trainScores, train.labels, amountsOf(history, train), defaultPolicyCosts);
  return {
    ok: true,
    model: { ...model, thresholds },
    training: {
      source: `trained here on ${world.name} before ${new Date(cut).toISOString()}`,
      dataFrom: history.count > 0 ? new Date(history.placedAt[0]!).toISOString() : null,
      dataTo: Number.isNaN(cut) ? null : new Date(cut).toISOString(),
      params: fitted.value.params,
      rounds: fitted.value.trained.rounds,
      xgboostVersion: fitted.value.trained.xgboostVersion,
      trainSet: {
        scores: trainScores,
        labels: train.labels,
        count: train.indexes.length,
        positives: countPositives(train),
      },
      validation: null,
    },
  };
}

function worldFacts(world: World) {
  return {
    file: world.name,
    split_at: Number.isNaN(world.cut) ? null : new Date(world.cut).toISOString(),
    orders: world.history.count,
    rejected_lines: world.run.rejectedLines,
    rejected_examples: world.run.rejectedExamples,
    engine_failures: world.history.failures.count,
    test: { count: world.test.indexes.length, positives: countPositives(world.test) },
  };
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
  const current = await loadWorld(options.file, options.mapping, options.fraction, bar);
  const baseline =
    options.baseline === null
      ? null
      : await loadWorld(options.baseline, options.baselineMapping, options.fraction, bar);
  for (const loaded of [current, baseline]) {
    if (typeof loaded === 'string') {
      io.stderr.write(`evaluate: ${loaded}\n`);
      return 2;
    }
  }
  const world = current as World;
  const trainingWorld = (baseline as World | null) ?? world;
  for (const example of world.run.rejectedExamples) io.stderr.write(`evaluate: skipped ${example}\n`);
  const figures: Record<string, unknown> = {
    ...worldFacts(world),
    split: `time:${options.fraction}`,
    rules_decisions_on_test: ruleDecisionCounts(world),
  };
  const obtained = await obtainModel(options, trainingWorld, bar);
  if (!obtained.ok) {
    io.stderr.write(`evaluate: ${obtained.message}\n`);
    io.stdout.write(`${JSON.stringify({ ...figures, model: null, rules: rulesOnly(world), combined: null })}\n`);
    return 1;
  }
  const { model, training } = obtained;
  const here = evaluateWorld(model, world);
  const there = baseline === null ? null : evaluateWorld(model, baseline as World);
  const intervals =
    options.resamples > 0
      ? bootstrapIntervals(here.scores, world.test.labels, { resamples: options.resamples, seed: options.seed })
      : null;
  const calibrated = calibration(here.scores, world.test.labels);
  const output = {
    ...here.model,
    ...figures,
    train: training.trainSet ? { count: training.trainSet.count, positives: training.trainSet.positives } : null,
    model_source: training.source,
    model: here.model,
    rules: here.rules,
    combined: here.combined,
    intervals,
    calibration: { brier: calibrated.brier, expected_calibration_error: calibrated.expectedCalibrationError },
    bands_on_test: confusionByBand(bandNames, here.bands, world.test.labels),
    ...(there && baseline
      ? {
          baseline: {
            ...worldFacts(baseline as World),
            model: there.model,
            rules: there.rules,
            combined: there.combined,
          },
          drop: figureDrop(there.model, here.model),
        }
      : {}),
  };
  io.stdout.write(`${JSON.stringify(output)}\n`);
  if (there)
    io.stderr.write(`evaluate: ${describeDrop((baseline as World).name, world.name, there.model, here.model)}\n`);
  if (options.report !== null) {
    const written = await writeEvaluation(options.report, {
      world,
      figures: here,
      model,
      training,
      intervals,
      baseline: there && baseline ? { world: baseline as World, figures: there } : null,
      options,
    });
    if (!written.ok) {
      io.stderr.write(`evaluate: ${written.error.message}\n`);
      return 1;
    }
    io.stderr.write(`evaluate: report written to ${options.report}\n`);
  }
  return 0;
}
