// Policy: turns list hits, rule results, the score and provider outages into one decision, in a fixed precedence.
import type { DecisionOutcome, Reason } from '../../checkout/session.schema.ts';
import type { ChallengeMethod, ChallengeOption, RuleResult } from '../engine.ts';
import type { Resolution } from '../identity/identity.resolution.ts';
import type { NormalisedSession } from '../normalise/session.normaliser.ts';
import type { Rule, Ruleset } from '../rules/rule.schema.ts';
import type { ScoreResult } from '../rules/rules.evaluator.ts';
import { challengeOptions } from './challenge.options.ts';
import { allowListKinds, listEntries, type Lists } from './list.view.ts';

/**
 * PRECEDENCE (first that applies wins; docs/features.md repeats it):
 *  1. a block-list hit on any entity                          -> declined
 *  2. any rule with action decline                            -> declined
 *  3. any rule with action review                             -> review
 *  4. any rule with action step_up                            -> step_up
 *  5. a rule error (a broken rule never lets a purchase pass)  -> step_up
 *  6. an allow-list hit (device or IP only) or an allow rule  -> approved, the score is not consulted
 *  7. score >= decline / review / stepUp threshold            -> declined / review / step_up
 *  8. a provider unavailable and score >= its threshold       -> step_up
 *  9. otherwise                                               -> approved
 * Allow lists sit below every rule on purpose: an e-mail or phone is a claim anyone can type, and even a
 * trusted device must not skip the identity checks.
 */
export interface PolicyInput {
  readonly claim: NormalisedSession;
  readonly resolution: Resolution;
  readonly ruleResults: readonly RuleResult[];
  readonly ruleset: Ruleset;
  readonly score: ScoreResult;
  readonly lists: Lists;
  readonly unavailableProviders: readonly string[];
}

export interface PolicyOutcome {
  readonly outcome: DecisionOutcome;
  readonly reasons: readonly Reason[];
  readonly challengeOptions: readonly ChallengeOption[];
}

const reasonTexts = {
  blocked: { code: 'blocked', message: 'We cannot offer pay later for this purchase.' },
  ruleError: { code: 'rule_error', message: 'We could not complete every check, so we ask you to confirm it is you.' },
  allowed: { code: 'trusted', message: 'Approved: a trusted device or connection.' },
  scoreDecline: { code: 'risk_score_decline', message: 'We cannot offer pay later for this purchase.' },
  scoreReview: { code: 'risk_score_review', message: 'Your purchase needs a short manual check.' },
  scoreStepUp: { code: 'risk_score_step_up', message: 'Please confirm it is you to complete this purchase.' },
  approved: { code: 'approved', message: 'Approved.' },
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

export function decidePolicy(input: PolicyInput): PolicyOutcome {
  const { ruleResults, score, ruleset, resolution } = input;
  const outages = outageReasons(input.unavailableProviders);
  const finish = (
    outcome: DecisionOutcome,
    reasons: readonly Reason[],
    hits: readonly RuleResult[] = [],
  ): PolicyOutcome => {
    const rulesById = new Map(ruleset.rules.map((rule) => [rule.id, rule]));
    return {
      outcome,
      reasons: uniqueReasons([...reasons, ...outages]),
      challengeOptions: outcome === 'step_up' ? challengeOptions(resolution, allowedMethods(hits, rulesById)) : [],
    };
  };
  const entries = listEntries(input.claim);
  if (entries.some(([kind, value]) => input.lists.block.has(kind, value)))
    return finish('declined', [reasonTexts.blocked]);

  const hits = ruleResults.filter((result) => result.kind === 'hit');
  const reasonsOf = (action: string): Reason[] => hits.filter((hit) => hit.action === action).map((hit) => hit.reason);
  for (const action of ['decline', 'review', 'step_up'] as const) {
    const matching = hits.filter((hit) => hit.action === action);
    if (matching.length === 0) continue;
    const outcome: DecisionOutcome = action === 'decline' ? 'declined' : action;
    return finish(outcome, reasonsOf(action), matching);
  }
  if (ruleResults.some((result) => result.kind === 'error')) return finish('step_up', [reasonTexts.ruleError]);

  const allowListed = entries.some(
    ([kind, value]) => allowListKinds.includes(kind) && input.lists.allow.has(kind, value),
  );
  const allowRules = reasonsOf('allow');
  if (allowListed || allowRules.length > 0) return finish('approved', allowListed ? [reasonTexts.allowed] : allowRules);

  const { thresholds } = ruleset;
  if (score.score >= thresholds.decline) return finish('declined', [reasonTexts.scoreDecline]);
  if (score.score >= thresholds.review) return finish('review', [reasonTexts.scoreReview]);
  if (score.score >= thresholds.stepUp) return finish('step_up', [reasonTexts.scoreStepUp]);
  if (input.unavailableProviders.length > 0 && score.score >= thresholds.stepUpWhenProviderUnavailable)
    return finish('step_up', [reasonTexts.scoreStepUp]);
  return finish('approved', [reasonTexts.approved]);
}
