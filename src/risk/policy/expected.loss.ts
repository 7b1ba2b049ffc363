// Bands by expected loss: which action costs least for this probability and this amount, and the first-party credit limit.
import { z } from 'zod';

/**
 * Money in minor units (cents). A missed fraud loses the order amount (times `missedFraudShare`); each action
 * costs a fixed friction on a good buyer and stops a share of fraud. Part of the ruleset, so an analyst tunes it
 * like a rule and a backtest shows the effect.
 */
export const expectedLossSchema = z
  .object({
    /** Share of the amount lost on a missed identity fraud (the victim never pays; the provider does). */
    missedFraudShare: z.number().min(0).max(1),
    stepUpFriction: z.number().min(0),
    reviewFriction: z.number().min(0),
    declineFriction: z.number().min(0),
    /** Share of identity fraud a step-up stops (a code to an on-file channel; some attackers control that too). */
    stepUpStops: z.number().min(0).max(1),
    /** Share a manual review stops. A decline stops all of it. */
    reviewStops: z.number().min(0).max(1),
    /** Expected first-party loss accepted on one order: the credit limit is this budget / first-party probability. */
    firstPartyBudget: z.number().min(0),
  })
  .refine((costs) => costs.stepUpStops <= costs.reviewStops, {
    message: 'stepUpStops must not be above reviewStops (a stronger action stops at least as much fraud)',
    path: ['stepUpStops'],
  });
export type ExpectedLossCosts = z.infer<typeof expectedLossSchema>;

export const defaultExpectedLossCosts: ExpectedLossCosts = {
  missedFraudShare: 1,
  stepUpFriction: 300,
  reviewFriction: 1500,
  declineFriction: 6000,
  stepUpStops: 0.8,
  reviewStops: 0.95,
  firstPartyBudget: 5000,
};

export const bands = ['approve', 'step_up', 'review', 'decline'] as const;
export type Band = (typeof bands)[number];

/** What the engine passes when a calibrated model serves: probabilities, never rescaled scores. */
export interface ModelProbabilities {
  /** Calibrated probability of third-party (identity) fraud: drives step-up, review and decline. */
  readonly probability?: number;
  /** Calibrated probability of first-party fraud (the buyer never means to pay): drives the credit limit. */
  readonly firstPartyProbability?: number;
}

/** Expected cost of each action on one order: friction on the good buyer plus the fraud it lets through. */
export function expectedCosts(probability: number, amount: number, costs: ExpectedLossCosts): Record<Band, number> {
  const loss = probability * amount * costs.missedFraudShare;
  const good = 1 - probability;
  return {
    approve: loss,
    step_up: good * costs.stepUpFriction + loss * (1 - costs.stepUpStops),
    review: good * costs.reviewFriction + loss * (1 - costs.reviewStops),
    decline: good * costs.declineFriction,
  };
}

/** The cheapest action; on a tie the milder one, so that equal costs never add friction. */
export function bandFor(probability: number, amount: number, costs: ExpectedLossCosts): Band {
  const expected = expectedCosts(probability, amount, costs);
  let best: Band = 'approve';
  for (const band of bands) if (expected[band] < expected[best]) best = band;
  return best;
}

/**
 * The lowest probability at which `band` (or a stronger one) is chosen for this amount, found by bisection
 * (the chosen band only rises with the probability); 1 when it never is. For reports: "a EUR 15 order steps up
 * from 21%, a EUR 900 one from 0.4%".
 */
export function bandThreshold(band: Exclude<Band, 'approve'>, amount: number, costs: ExpectedLossCosts): number {
  const rank = bands.indexOf(band);
  const reached = (probability: number) => bands.indexOf(bandFor(probability, amount, costs)) >= rank;
  if (!reached(1)) return 1;
  let low = 0;
  let high = 1;
  for (let step = 0; step < 40; step++) {
    const middle = (low + high) / 2;
    if (reached(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** The largest amount (minor units) offered on credit for this first-party probability; Infinity at zero. */
export function creditLimit(firstPartyProbability: number, costs: ExpectedLossCosts): number {
  return firstPartyProbability > 0 ? costs.firstPartyBudget / firstPartyProbability : Number.POSITIVE_INFINITY;
}
