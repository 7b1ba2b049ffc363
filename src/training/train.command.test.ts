// `rearguard train` end to end on a small simulated world: windows, early stopping, monotone constraints,
// calibration and the first-party model land in the artifact, and the served model speaks probabilities.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../model/calibration.ts';
import { loadXgboost } from '../model/index.ts';
import { loadDefaultRuleset } from '../risk/rules/ruleset.loader.ts';
import { writeSimulationFile } from '../simulation/output.simulation.ts';
import { captureCommand, scratchDirectory } from './command.testing.ts';
import { asRiskModel, makeServingModel, readArtifact } from './model.artifact.ts';
import { runTrainCommand } from './train.command.ts';

const xgboost = loadXgboost();
const scratch = scratchDirectory('rearguard-train-');
const noDatabase = () => Promise.reject(new Error('train --file --no-register needs no database'));
const train = (argv: string[]) => captureCommand((io) => runTrainCommand(argv, io, noDatabase));

describe('rearguard train', () => {
  it('rejects windows that leave too little to train on', async () => {
    const result = await train(['--file', 'x.ndjson', '--validation', '0.3', '--test', '0.3']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('leave at least 40% for training');
  });

  it.skipIf(!xgboost.ok)(
    'chooses on validation, calibrates, trains a first-party model and serves probabilities',
    async () => {
      const world = join(scratch.path, 'world.ndjson');
      const shifted = join(scratch.path, 'shifted.ndjson');
      const options = { orders: 3000, months: 3, fraudRate: 0.08, labelDelayDays: 7 };
      await writeSimulationFile({ ...options, seed: 21 }, world);
      await writeSimulationFile({ ...options, seed: 22, profile: 'shifted' }, shifted);
      const out = join(scratch.path, 'model.json');
      const result = await train([
        ...['--file', world, '--out', out, '--no-register', '--quiet', '--shifted', shifted],
        ...['--candidates', '2', '--rounds', '60', '--early-stopping', '5'],
      ]);
      expect(result.code, result.err).toBe(0);
      const printed = JSON.parse(result.out);
      expect(printed.test.roc_auc).toBeGreaterThan(0.7);
      expect(printed.shifted_test.count).toBeGreaterThan(0);
      expect(typeof printed.drop.roc_auc).toBe('number');
      // The drop comes with bootstrap intervals, and the shifted world's recall per attack shows where it is lost.
      const drop = printed.intervals.drop.recall_at_1pct_fpr;
      expect(drop.estimate).toBeCloseTo(printed.drop.recall_at_1pct_fpr, 3);
      expect(drop.low).toBeLessThanOrEqual(drop.estimate);
      expect(drop.high).toBeGreaterThanOrEqual(drop.estimate);
      expect(printed.intervals.shifted.roc_auc.estimate).toBeCloseTo(printed.shifted_test.roc_auc, 3);
      expect(Object.keys(printed.shifted_per_typology).length).toBeGreaterThan(3);

      const { metadata, modelJson } = await readArtifact(out);
      const selection = metadata.selection!;
      expect(selection.candidates).toHaveLength(2);
      for (const candidate of selection.candidates) expect(candidate.rounds).toBeLessThanOrEqual(60);
      expect(metadata.rounds).toBe(selection.candidates[selection.chosen]!.rounds);
      expect(Date.parse(selection.windows.trainTo)).toBeLessThan(Date.parse(selection.windows.testFrom));
      expect(selection.windows.validationTo).toBe(selection.windows.testFrom);
      expect(selection.monotoneConstraints['distinct_device_accounts_30d']).toBe(1);
      expect(String(metadata.params['monotone_constraints'])).toMatch(/^\(.*1.*\)$/);
      expect(metadata.target).toBe('third_party');
      expect(metadata.firstParty?.calibration.probabilities.length).toBeGreaterThan(0);
      // Stopped on validation log loss, the first-party model grows past its first round (aucpr over a score of
      // positives once stopped it there, leaving a constant credit limit).
      expect(metadata.firstParty!.rounds).toBeGreaterThan(1);
      const calibration = metadata.calibration!;
      for (let index = 1; index < calibration.probabilities.length; index++)
        expect(calibration.probabilities[index]!).toBeGreaterThanOrEqual(calibration.probabilities[index - 1]!);

      // The served probability is the calibrated one, and the engine is told so.
      const serving = makeServingModel('test', { metadata, modelJson });
      const features = { device_distinct_accounts: 1, cart_amount: 12_000 };
      const raw = serving.scoring.score(
        Float32Array.from(metadata.encoding.columns, (column) =>
          Number((features as Record<string, number>)[column.name] ?? Number.NaN),
        ),
      );
      expect(serving.probability(features)).toBeCloseTo(calibrate(calibration, raw), 6);
      const riskModel = asRiskModel(serving, loadDefaultRuleset().thresholds);
      expect(riskModel.calibrated).toBe(true);
      expect(riskModel.firstPartyProbability?.(features)).toBeGreaterThanOrEqual(0);

      // A constrained feature never lowers the raw score as it grows, whatever else the row holds.
      const column = metadata.encoding.columns.findIndex((entry) => entry.name === 'distinct_device_accounts_30d');
      const row = new Float32Array(metadata.encoding.columns.length).fill(Number.NaN);
      let previous = Number.NEGATIVE_INFINITY;
      for (let accounts = 0; accounts <= 12; accounts++) {
        row[column] = accounts;
        const score = serving.scoring.score(row);
        expect(score).toBeGreaterThanOrEqual(previous);
        previous = score;
      }
    },
    600_000,
  );
});
