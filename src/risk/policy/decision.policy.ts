// Policy: turns list hits, rule results, the score and provider outages into one decision, in a fixed precedence.
import type { DecisionOutcome, Reason } from '../../checkout/session.schema.ts';
import type { ChallengeMethod, ChallengeOption, DeliveryRequirement, RuleResult } from '../engine.ts';
import type { Resolution } from '../identity/identity.resolution.ts';
import type { NormalisedSession } from '../normalise/session.normaliser.ts';
import type { Rule, Ruleset } from '../rules/rule.schema.ts';
import type { ScoreResult } from '../rules/rules.evaluator.ts';
import {
  challengeOptions,
  defaultChallengeContext,
  identityEstablished,
  type ChallengeContext,
} from './challenge.options.ts';
import {
  bandFor,
  creditLimit,
  defaultExpectedLossCosts,
  type Band,
  type ExpectedLossCosts,
  type ModelProbabilities,
} from './expected.loss.ts';
import { allowListKinds, listEntries, type Lists } from './list.view.ts';

/**
 * PRECEDENCE (first that applies wins; docs/features.md repeats it). Ask before you refuse: doubt about WHO is buying
 * is settled by a proof whenever a method exists for this person; refusals are for hard evidence and credit.
 *  1. a block-list hit on any entity                                        -> declined
 *  2. a credit rule with action decline (exposure, unpaid invoices), or an
 *     amount above the first-party credit limit (budget / first-party probability) -> declined (credit_* reasons)
 *  3. any other decline / review rule (hard evidence: confirmed-fraud links,
 *     floods; and every rule without a family, which acts as written)     -> declined / review
 *  4. identity doubt: a step_up rule, an identity rule with decline/review, a rule
 *     error, or an unproven first order above the new-customer floor or not
 *     delivered to the billing address                                      -> step_up
 *  5. an allow-list hit (device or IP only) or an allow rule                -> approved, the score is not consulted
 *  6. the score's band is step-up, review or decline                          -> step_up
 *     (a calibrated model: the action with the least expected cost for probability x amount, expected.loss.ts;
 *     otherwise the ruleset's thresholds on the score)
 *  7. a provider unavailable and score >= its threshold (a calibrated model:
 *     expected loss probability x amount >= the step-up friction)             -> step_up
 *  8. otherwise                                                             -> approved; an unproven first order
 *     carries delivery requirements (no redirect, no pick-up point, ID check on delivery)
 * A step_up with no method for this person (a rule that accepts none that exists, no proofs configured) falls back
 * to the rule's own action or the score band, with a review for a step-up rule: someone looks instead of nobody.
 * A passed proof re-decides: only 1-3 remain (checkout.service), so score-based and identity refusals are lifted.
 * Allow lists sit below the identity checks on purpose: an e-mail or phone is a claim anyone can type, and even a
 * trusted device must not skip them.
 */
export interface PolicyInput {
  readonly claim: NormalisedSession;
  readonly resolution: Resolution;
  readonly ruleResults: readonly RuleResult[];
  readonly ruleset: Ruleset;
  readonly score: ScoreResult & ModelProbabilities;
  readonly lists: Lists;
  readonly unavailableProviders: readonly string[];
  /** Amount and new-customer floor (minor units) and the proofs on offer; defaults: no floor, both proofs. */
  readonly challenge?: ChallengeContext;
}

export interface PolicyOutcome {
  readonly outcome: DecisionOutcome;
  readonly reasons: readonly Reason[];
  readonly challengeOptions: readonly ChallengeOption[];
  readonly deliveryRequirements: readonly DeliveryRequirement[];
}

const reasonTexts = {
  blocked: { code: 'blocked', message: 'We cannot offer pay later for this purchase.' },
  ruleError: { code: 'rule_error', message: 'We could not complete every check, so we ask you to confirm it is you.' },
  allowed: { code: 'trusted', message: 'Approved: a trusted device or connection.' },
  scoreDecline: { code: 'risk_score_decline', message: 'We cannot offer pay later for this purchase.' },
  scoreReview: { code: 'risk_score_review', message: 'Your purchase needs a short manual check.' },
  scoreStepUp: { code: 'risk_score_step_up', message: 'Please confirm it is you to complete this purchase.' },
  newCustomerProof: {
    code: 'new_customer_proof',
    message: 'Welcome! Please confirm your identity with your bank once to pay later for this order.',
  },
  approved: { code: 'approved', message: 'Approved.' },
  creditLimit: {
    code: 'credit_limit',
    message: 'This amount is above the pay-later limit we can offer for this purchase.',
  },
} as const satisfies Record<string, Reason>;

function uniqueReasons(reasons: readonly Reason[]): Reason[] {
  const seen = new Set<string>();
  return reasons.filter((reason) => (seen.has(reason.code) ? false : (seen.add(reason.code), true)));
}

function outageReasons(providers: readonly string[]): Reason[] {
  return providers.map((provider) => ({
    code: `provider_unavailable_${provider}`,
    message: `A data check (${provider.replaceAll('_', ' ')}) was unavailable; we decided on what we know.`,
  }));
}

function allowedMethods(
  hits: readonly RuleResult[],
  rulesById: ReadonlyMap<string, Rule>,
): Set<ChallengeMethod> | undefined {
  let allowed: Set<ChallengeMethod> | undefined;
  for (const hit of hits) {
    const methods = rulesById.get(hit.ruleId)?.challengeMethods;
    if (methods === undefined) continue;
    allowed = allowed === undefined ? new Set(methods) : new Set(methods.filter((method) => allowed?.has(method)));
  }
  return allowed;
}

/** Delivery conditions for a first order whose buyer never proved to be the person named. */
export const unprovenFirstOrderRequirements: readonly DeliveryRequirement[] = [
  'no_redirect',
  'no_pickup_point',
  'id_check_on_delivery',
];

/** No account, or one that never proved its identity and never paid: this is, in effect, a first order. */
export function isUnprovenFirstOrder(resolution: Resolution): boolean {
  const account = resolution.account;
  return account === null || !identityEstablished(account);
}

export function decidePolicy(input: PolicyInput): PolicyOutcome {
  const { ruleResults, score, ruleset, resolution } = input;
  const context = input.challenge ?? defaultChallengeContext;
  const outages = outageReasons(input.unavailableProviders);
  const rulesById = new Map(ruleset.rules.map((rule) => [rule.id, rule]));
  // A rule without a family acts as written: an analyst's new review rule stays a review until marked `identity`.
  const familyOf = (hit: RuleResult) => rulesById.get(hit.ruleId)?.family ?? 'hard';
  const finish = (
    outcome: DecisionOutcome,
    reasons: readonly Reason[],
    options: readonly ChallengeOption[] = [],
    deliveryRequirements: readonly DeliveryRequirement[] = [],
  ): PolicyOutcome => ({
    outcome,
    reasons: uniqueReasons([...reasons, ...outages]),
    challengeOptions: outcome === 'step_up' ? options : [],
    deliveryRequirements: outcome === 'approved' ? deliveryRequirements : [],
  });
  /** Ask when a method exists for this person; otherwise the refusal the doubt would have led to. */
  const askOr = (
    fallback: DecisionOutcome,
    reasons: readonly Reason[],
    hits: readonly RuleResult[] = [],
    fallbackReasons: readonly Reason[] = reasons,
  ): PolicyOutcome => {
    const options = challengeOptions(resolution, allowedMethods(hits, rulesById), context);
    return options.length > 0 ? finish('step_up', reasons, options) : finish(fallback, fallbackReasons);
  };

  const entries = listEntries(input.claim);
  if (entries.some(([kind, value]) => input.lists.block.has(kind, value)))
    return finish('declined', [reasonTexts.blocked]);

  const hits = ruleResults.filter((result) => result.kind === 'hit');
  const reasonsOf = (matching: readonly RuleResult[]): Reason[] =>
    matching.flatMap((hit) => (hit.kind === 'hit' ? [hit.reason] : []));
  const matching = (action: string, family: (family: string) => boolean) =>
    hits.filter((hit) => hit.action === action && family(familyOf(hit)));
  const creditDeclines = matching('decline', (family) => family === 'credit');
  if (creditDeclines.length > 0) return finish('declined', reasonsOf(creditDeclines));
  const costs = ruleset.expectedLoss ?? defaultExpectedLossCosts;
  if (score.firstPartyProbability !== undefined && context.amount > creditLimit(score.firstPartyProbability, costs))
    return finish('declined', [reasonTexts.creditLimit]);
  for (const action of ['decline', 'review'] as const) {
    const hard = matching(action, (family) => family === 'hard');
    if (hard.length > 0) return finish(action === 'decline' ? 'declined' : 'review', reasonsOf(hard));
  }

  for (const action of ['decline', 'review', 'step_up'] as const) {
    const asking = matching(action, (family) => action === 'step_up' || family === 'identity');
    if (asking.length === 0) continue;
    // Every rule that asks is a reason; the strongest one's action is what happens without a method.
    const all = hits.filter(
      (hit) => hit.action === 'step_up' || (hit.action !== 'allow' && familyOf(hit) === 'identity'),
    );
    const fallback: DecisionOutcome = action === 'decline' ? 'declined' : 'review';
    return askOr(fallback, reasonsOf(all), all);
  }
  if (ruleResults.some((result) => result.kind === 'error')) return askOr('review', [reasonTexts.ruleError]);

  const firstOrder = isUnprovenFirstOrder(resolution);
  if (firstOrder && (context.amount > context.newCustomerFloor || input.claim.shipping.key !== input.claim.billing.key))
    return askOr('review', [reasonTexts.newCustomerProof]);

  const requirements = firstOrder ? unprovenFirstOrderRequirements : [];
  const allowListed = entries.some(
    ([kind, value]) => allowListKinds.includes(kind) && input.lists.allow.has(kind, value),
  );
  const allowRules = reasonsOf(matching('allow', () => true));
  if (allowListed || allowRules.length > 0)
    return finish('approved', allowListed ? [reasonTexts.allowed] : allowRules, [], requirements);

  const band = scoreBand(score, ruleset, context.amount, costs);
  if (band === 'decline') return askOr('declined', [reasonTexts.scoreStepUp], [], [reasonTexts.scoreDecline]);
  if (band !== 'approve') return askOr('review', [reasonTexts.scoreStepUp], [], [reasonTexts.scoreReview]);
  if (input.unavailableProviders.length > 0 && outageRaisesDoubt(score, ruleset, context.amount, costs))
    return askOr('review', [reasonTexts.scoreStepUp], [], [reasonTexts.scoreReview]);
  return finish('approved', [reasonTexts.approved], [], requirements);
}

/** A calibrated probability is cut by expected loss for this amount; any other score by the ruleset's thresholds. */
export function scoreBand(
  score: ScoreResult & ModelProbabilities,
  ruleset: Ruleset,
  amount: number,
  costs: ExpectedLossCosts = ruleset.expectedLoss ?? defaultExpectedLossCosts,
): Band {
  if (score.probability !== undefined) return bandFor(score.probability, amount, costs);
  const { thresholds } = ruleset;
  if (score.score >= thresholds.decline) return 'decline';
  if (score.score >= thresholds.review) return 'review';
  if (score.score >= thresholds.stepUp) return 'step_up';
  return 'approve';
}

/** Without a provider's answer the risk is less known: ask once the expected loss alone pays for a step-up. */
function outageRaisesDoubt(
  score: ScoreResult & ModelProbabilities,
  ruleset: Ruleset,
  amount: number,
  costs: ExpectedLossCosts,
): boolean {
  if (score.probability !== undefined) return score.probability * amount >= costs.stepUpFriction;
  return score.score >= ruleset.thresholds.stepUpWhenProviderUnavailable;
}
