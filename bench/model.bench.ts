// Model scoring benchmark: per-row latency of the TypeScript tree walker and TreeSHAP on a realistic ensemble.
import { pathToFileURL } from 'node:url';
import { makeRandomEnsembleJson } from '../src/model/random-ensemble.ts';
import { loadModel } from '../src/model/scoring-model.ts';
import { makeSyntheticData } from '../src/model/synthetic-data.ts';
import { trainModel } from '../src/model/xgboost.trainer.ts';
import { quantile } from './stats.ts';

const treeCount = 200;
const depth = 6;
const featureCount = 100;

export async function runModelBench(options: {
  rows: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const { modelJson, trained } = await benchModel(options.log, figures);
  const loadStarted = performance.now();
  const loaded = loadModel(modelJson);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const model = loaded.value;
  figures['model_load_ms'] = round(performance.now() - loadStarted);
  figures['model_trees'] = model.treeCount;
  figures['model_features'] = featureCount;
  figures['model_trained_with_xgboost'] = trained ? 1 : 0;

  const data = makeSyntheticData({ rowCount: options.rows, featureCount, seed: 5 });
  const rowAt = (index: number) => data.rows.subarray(index * featureCount, (index + 1) * featureCount);
  let sink = 0;
  // Warm up so that the figures describe optimised code, as in a long-running server.
  for (let index = 0; index < Math.min(options.rows, 2000); index++) sink += model.score(rowAt(index));

  const scoreTimes: number[] = [];
  const scoreStarted = process.hrtime.bigint();
  for (let index = 0; index < options.rows; index++) {
    const started = process.hrtime.bigint();
    sink += model.score(rowAt(index));
    scoreTimes.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  const scoreSeconds = Number(process.hrtime.bigint() - scoreStarted) / 1e9;
  figures['model_score_p50_us'] = quantile(scoreTimes, 0.5);
  figures['model_score_p99_us'] = quantile(scoreTimes, 0.99);
  figures['model_score_rows_per_second'] = Math.round(options.rows / scoreSeconds);

  const explainRows = Math.max(1, Math.min(options.rows, 2000));
  const contributionTimes: number[] = [];
  for (let index = 0; index < explainRows; index++) {
    const started = process.hrtime.bigint();
    sink += model.contributions(rowAt(index)).bias;
    contributionTimes.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  figures['model_contributions_exact_p50_us'] = quantile(contributionTimes, 0.5);
  figures['model_contributions_exact_p99_us'] = quantile(contributionTimes, 0.99);
  const approximateTimes: number[] = [];
  for (let index = 0; index < explainRows; index++) {
    const started = process.hrtime.bigint();
    sink += model.contributions(rowAt(index), 'approximate').bias;
    approximateTimes.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  figures['model_contributions_approximate_p50_us'] = quantile(approximateTimes, 0.5);
  figures['model_contributions_approximate_p99_us'] = quantile(approximateTimes, 0.99);
  if (Number.isNaN(sink)) options.log('(checksum is NaN)');
  return figures;
}

/** A model trained by libxgboost when it is installed, else a random ensemble of the same shape. */
async function benchModel(
  log: (line: string) => void,
  figures: Record<string, number>,
): Promise<{ modelJson: string; trained: boolean }> {
  const data = makeSyntheticData({ rowCount: 20_000, featureCount, seed: 4 });
  const started = performance.now();
  const trained = await trainModel({
    ...data,
    rounds: treeCount,
    // Low child weight and no early stop so that trees reach full depth, like a production model's.
    params: { max_depth: depth, eta: 0.05, min_child_weight: 0.1, eval_metric: ['logloss'] },
  });
  if (trained.ok) {
    figures['model_train_seconds'] = round((performance.now() - started) / 1000);
    return { modelJson: trained.value.modelJson, trained: true };
  }
  log(`model bench: ${trained.error.message.split('.')[0]}; using a random ${treeCount}-tree ensemble instead`);
  return { modelJson: makeRandomEnsembleJson({ treeCount, depth, featureCount }), trained: false };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const figures = await runModelBench({ rows: 20_000, log });
  for (const [key, value] of Object.entries(figures)) log(`  ${key.padEnd(40)} ${value}`);
}
