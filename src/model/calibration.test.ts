// Isotonic calibration: rates that only rise with the score, and a curve that reproduces them.
import { describe, expect, it } from 'vitest';
import { calibrate, calibrateAll, fitIsotonic } from './calibration.ts';
import { makeRandom } from './synthetic-data.ts';

describe('isotonic calibration', () => {
  it('pools a violating pair into one block at their mean rate', () => {
    const calibration = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(calibration.scores).toEqual([0.1, 0.25, 0.4]);
    expect(calibration.probabilities).toEqual([0, 0.5, 1]);
    expect(calibrate(calibration, 0.25)).toBe(0.5);
    expect(calibrate(calibration, 0.325)).toBeCloseTo(0.75);
    expect(calibrate(calibration, -1)).toBe(0);
    expect(calibrate(calibration, 2)).toBe(1);
  });

  it('turns an overconfident score into the observed fraud rate', () => {
    // The true probability is score / 4: a model that says 0.8 is right one time in five.
    const random = makeRandom(3);
    const scores = Array.from({ length: 20_000 }, () => random());
    const labels = scores.map((score): number => (random() < score / 4 ? 1 : 0));
    const calibration = fitIsotonic(scores, labels);
    for (let index = 1; index < calibration.probabilities.length; index++) {
      expect(calibration.probabilities[index]!).toBeGreaterThanOrEqual(calibration.probabilities[index - 1]!);
    }
    expect(calibrate(calibration, 0.8)).toBeCloseTo(0.2, 1);
    expect(calibrate(calibration, 0.2)).toBeCloseTo(0.05, 1);
    const mean = calibrateAll(calibration, scores).reduce((sum, value) => sum + value, 0) / scores.length;
    const rate = labels.reduce((sum, label) => sum + label, 0) / labels.length;
    expect(mean).toBeCloseTo(rate, 2);
  });
});
