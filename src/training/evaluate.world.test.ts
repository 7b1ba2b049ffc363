// Evaluation cuts a calibrated model's probability into bands exactly as the engine's policy does, per amount.
import { describe, expect, it } from 'vitest';
import { scoreBand } from '../risk/policy/decision.policy.ts';
import { bands, defaultExpectedLossCosts } from '../risk/policy/expected.loss.ts';
import { loadDefaultRuleset } from '../risk/rules/ruleset.loader.ts';
import { fitIsotonic } from '../model/calibration.ts';
import type { ScoringModel } from '../model/index.ts';
import { modelBand, servedBand, type ModelUnderTest } from './evaluate.world.ts';

const scoring = { scoreRows: () => new Float64Array() } as unknown as ScoringModel;
const encoding = { version: 1 as const, columns: [] };
const thresholds = { stepUp: 0.3, review: 0.6, decline: 0.9 };
const calibrated: ModelUnderTest = {
  scoring,
  encoding,
  thresholds,
  calibration: fitIsotonic([0.1, 0.9], [0, 1]),
};
const uncalibrated: ModelUnderTest = { scoring, encoding, thresholds };

describe('the band evaluation gives a model', () => {
  it('is the engine policy’s band for a calibrated probability, at every amount', () => {
    const ruleset = loadDefaultRuleset();
    const costs = ruleset.expectedLoss ?? defaultExpectedLossCosts;
    for (const amount of [500, 1_500, 4_999, 15_000, 39_900, 90_000, 250_000])
      for (const probability of [0, 0.0005, 0.002, 0.005, 0.01, 0.03, 0.08, 0.2, 0.5, 0.9, 1]) {
        const engine = scoreBand(
          { score: probability, points: 0, contributions: [], probability },
          ruleset,
          amount,
          costs,
        );
        expect(servedBand(calibrated, probability, amount, costs), `${probability} at ${amount}`).toBe(
          bands.indexOf(engine),
        );
      }
  });

  it('cuts one probability differently for a EUR 15 and a EUR 900 order', () => {
    const costs = defaultExpectedLossCosts;
    expect(bands[servedBand(calibrated, 0.01, 1_500, costs)]).toBe('approve');
    expect(bands[servedBand(calibrated, 0.01, 90_000, costs)]).toBe('step_up');
  });

  it('keeps the stored thresholds for a model without calibration, whatever the amount', () => {
    for (const amount of [1_500, 90_000]) {
      expect(servedBand(uncalibrated, 0.31, amount, defaultExpectedLossCosts)).toBe(modelBand(0.31, thresholds));
      expect(servedBand(uncalibrated, 0.31, amount, defaultExpectedLossCosts)).toBe(1);
      expect(servedBand(uncalibrated, 0.2, amount, defaultExpectedLossCosts)).toBe(0);
    }
  });
});
