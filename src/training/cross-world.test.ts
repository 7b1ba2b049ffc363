// A model from one replay reads another replay's rows by column name and category value, never by position.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSimulationFile } from '../simulation/output.simulation.ts';
import { scratchDirectory } from './command.testing.ts';
import { scoreOrders } from './evaluate.world.ts';
import { readHistoryFile } from './history.file.ts';
import { replayHistory } from './history.replay.ts';
import { makeServingModel, readArtifact } from './model.artifact.ts';
import { labelledSet } from './training.set.ts';
import { describeDrop, figureDrop, rowsInEncoding } from './cross-world.ts';
import type { ScoreSummary } from './evaluation.metrics.ts';
import type { FeatureEncoding } from './feature.encoding.ts';
import type { ReplayedHistory } from './history.replay.ts';

const replayed = {
  encoding: {
    version: 1,
    columns: [
      { name: 'amount', kind: 'number' },
      { name: 'emd_channel', kind: 'category', categories: ['web', 'app', 'phone'] },
      { name: 'emd_only_here', kind: 'number' },
    ],
  },
  rows: Float32Array.from([10, 0, 1, 20, 1, 2, 30, 2, 3, 40, Number.NaN, 4]),
} as unknown as ReplayedHistory;

const modelEncoding: FeatureEncoding = {
  version: 1,
  columns: [
    { name: 'emd_channel', kind: 'category', categories: ['app', 'web'] },
    { name: 'emd_only_in_model', kind: 'boolean' },
    { name: 'amount', kind: 'number' },
  ],
};

describe('rowsInEncoding', () => {
  it('moves columns by name, renumbers categories, and leaves what the model never saw missing', () => {
    const rows = rowsInEncoding(replayed, Uint32Array.from([0, 1, 2, 3]), modelEncoding);
    expect(Array.from(rows)).toEqual([
      1,
      Number.NaN,
      10,
      0,
      Number.NaN,
      20,
      Number.NaN,
      Number.NaN,
      30,
      Number.NaN,
      Number.NaN,
      40,
    ]);
  });

  it('is the identity on the replay’s own encoding', () => {
    const rows = rowsInEncoding(replayed, Uint32Array.from([2, 0]), replayed.encoding);
    expect(Array.from(rows)).toEqual([30, 2, 3, 10, 0, 1]);
  });
});

const scratch = scratchDirectory('rearguard-cross-world-');

describe('a stored model on a replayed file', () => {
  it('scores every order exactly as serving does (the fixed encoder on the live feature vector)', async () => {
    const path = join(scratch.path, 'world.ndjson');
    await writeSimulationFile({ orders: 600, seed: 41, months: 2, fraudRate: 0.05, labelDelayDays: 7 }, path);
    const artifact = await readArtifact('models/default.json');
    const serving = makeServingModel('shipped', artifact);
    const served = new Map<string, number>();
    const file = await readHistoryFile(path);
    const history = await replayHistory(file.events, {
      onDecision: (orderId, decision) => served.set(orderId, serving.probability(decision.features)),
    });
    const all = labelledSet(history, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    const model = {
      scoring: serving.scoring,
      encoding: artifact.metadata.encoding,
      thresholds: artifact.metadata.thresholds,
      calibration: artifact.metadata.calibration,
    };
    expect(history.encoding).not.toEqual(artifact.metadata.encoding);
    const scores = scoreOrders(model, history, all);
    expect(all.indexes.length).toBeGreaterThan(400);
    all.indexes.forEach((index, position) => expect(scores[position]).toBe(served.get(history.orderIds[index]!)));
  }, 60_000);
});

describe('figureDrop', () => {
  const summary = (rocAuc: number | null, recall: number): ScoreSummary => ({
    count: 100,
    positives: 5,
    negatives: 95,
    roc_auc: rocAuc,
    pr_auc: 0.5,
    recall_at_1pct_fpr: recall,
    recall_at_5pct_fpr: recall,
    per_typology: {},
  });

  it('is baseline minus this world, null where a figure is missing, and is printed as such', () => {
    expect(figureDrop(summary(0.99, 0.9), summary(0.95, 0.7))).toEqual({
      roc_auc: 0.04,
      pr_auc: 0,
      recall_at_1pct_fpr: 0.2,
      recall_at_5pct_fpr: 0.2,
    });
    expect(figureDrop(summary(null, 0.9), summary(0.95, 0.9)).roc_auc).toBeNull();
    expect(describeDrop('default.ndjson', 'shifted.ndjson', summary(0.99, 0.9), summary(0.95, 0.7))).toContain(
      'model on default.ndjson -> shifted.ndjson: roc_auc 0.99 -> 0.95 (drop 0.04)',
    );
  });
});
