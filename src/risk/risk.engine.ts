// The risk engine: resolution, features, rules, score and policy over one state snapshot; the pipeline's RiskEngine.
import {
  possessionProofs,
  type ChallengeMethod,
  type Decision,
  type DecisionInput,
  type FeatureVector,
  type HistoryEvent,
  type RiskEngine,
} from './engine.ts';
import { computeFeatures } from './features/feature.catalogue.ts';
import { resolveIdentity, type Resolution } from './identity/identity.resolution.ts';
import { normaliseSession, type NormalisedSession } from './normalise/session.normaliser.ts';
import { decidePolicy } from './policy/decision.policy.ts';
import type { ModelProbabilities } from './policy/expected.loss.ts';
import { noLists, type Lists } from './policy/list.view.ts';
import {
  gatherSignals,
  makeProviderSet,
  unavailableProviders,
  type ProviderSet,
  type ProviderSignals,
} from './providers/provider.set.ts';
import type { Ruleset } from './rules/rule.schema.ts';
import { loadDefaultRuleset } from './rules/ruleset.loader.ts';
import { evaluateRules, evaluateScore, type ScoreResult } from './rules/rules.evaluator.ts';
import type { FeatureState, SnapshotQuery, StateSnapshot } from './state/feature-state.ts';
import { makeMemoryFeatureState } from './state/memory.feature-state.ts';

export const engineVersion = 'rearguard-risk-1';

/**
 * A trained model, when one is wired in. A calibrated one gives the probability of identity fraud, which the
 * policy cuts by expected loss, and may give a first-party probability for the credit limit; an uncalibrated one
 * gives a score on the ruleset's threshold scale.
 */
export interface RiskModel {
  readonly version: string;
  score(features: FeatureVector): number;
  /** The score is a calibrated probability (not rescaled onto the ruleset's thresholds). */
  readonly calibrated?: boolean;
  firstPartyProbability?(features: FeatureVector): number;
}

function modelScore(model: RiskModel, points: ScoreResult, features: FeatureVector): ScoreResult & ModelProbabilities {
  const score = model.score(features);
  if (model.calibrated !== true) return { ...points, score };
  const firstParty = model.firstPartyProbability?.(features);
  return {
    ...points,
    score,
    probability: score,
    ...(firstParty === undefined ? {} : { firstPartyProbability: firstParty }),
  };
}

export interface RiskEngineDeps {
  /** Defaults to a fresh in-memory state; rebuild it by `record`ing stored history in time order. */
  readonly state?: FeatureState;
  /** Defaults to rules/default.json. */
  readonly ruleset?: Ruleset;
  /** Read on every decision, so the storage layer's view can change underneath. */
  readonly lists?: Lists;
  readonly providers?: ProviderSet;
  readonly model?: RiskModel;
  /** First orders of unproven buyers up to this amount (minor units) may pass without a proof. Default EUR 50. */
  readonly newCustomerFloor?: number;
  /** The possession proofs offered; default bank identification and verification payment. */
  readonly possessionProofs?: readonly ChallengeMethod[];
  /** A ruleset evaluated in shadow beside `ruleset` (its would-be outcome rides along on the decision). */
  readonly shadowRuleset?: Ruleset;
}

export const defaultNewCustomerFloor = 5_000;

export interface CoreInput {
  readonly input: DecisionInput;
  readonly claim: NormalisedSession;
  readonly snapshot: StateSnapshot;
  readonly signals: ProviderSignals;
  readonly ruleset: Ruleset;
  readonly lists: Lists;
  readonly model?: RiskModel;
  readonly newCustomerFloor?: number;
  readonly possessionProofs?: readonly ChallengeMethod[];
  /** A candidate ruleset evaluated beside the active one on the same features, for its would-be outcome only. */
  readonly shadowRuleset?: Ruleset;
  /** The identity already resolved from `claim` and `snapshot` (see `decide`); resolved here when absent. */
  readonly resolution?: Resolution;
}

export function snapshotQuery(claim: NormalisedSession, at: number): SnapshotQuery {
  return {
    at,
    emailKey: claim.emailKey,
    phoneKey: claim.phoneKey,
    billingAddressKey: claim.billing.key,
    shippingAddressKey: claim.shipping.key,
    deviceKey: claim.deviceKey,
    ip: claim.ip,
    ibanKey: claim.ibanKey,
  };
}

/** The pure core: same inputs, same decision. No clock, no I/O, no randomness. */
export function decideCore(core: CoreInput): Decision {
  const { input, claim, snapshot, signals, ruleset } = core;
  const resolution = core.resolution ?? resolveIdentity(claim, input.session.customer, snapshot);
  const features = computeFeatures({ input, claim, resolution, snapshot, signals });
  const decideWith = (rules: Ruleset) => {
    const ruleResults = evaluateRules(rules.rules, features);
    const points = evaluateScore(rules.score.items, rules.score.scale, features);
    const score = core.model === undefined ? points : modelScore(core.model, points, features);
    const policy = decidePolicy({
      claim,
      resolution,
      ruleResults,
      ruleset: rules,
      score,
      lists: core.lists,
      unavailableProviders: unavailableProviders(signals),
      challenge: {
        amount: input.session.amount.value,
        newCustomerFloor: core.newCustomerFloor ?? defaultNewCustomerFloor,
        possessionProofs: core.possessionProofs ?? possessionProofs,
      },
    });
    return { ruleResults, score, policy };
  };
  const { ruleResults, score, policy } = decideWith(ruleset);
  const shadow = core.shadowRuleset === undefined ? undefined : decideWith(core.shadowRuleset);
  return {
    outcome: policy.outcome,
    reasons: policy.reasons,
    score: score.score,
    features,
    ruleResults,
    accountId: resolution.accountId,
    challengeOptions: policy.challengeOptions,
    deliveryRequirements: policy.deliveryRequirements,
    versions: { engine: engineVersion, ruleset: ruleset.version, model: core.model?.version ?? null },
    ...(shadow === undefined || core.shadowRuleset === undefined
      ? {}
      : {
          shadow: {
            ruleset: core.shadowRuleset.version,
            outcome: shadow.policy.outcome,
            ruleHits: shadow.ruleResults.flatMap((result) => (result.kind === 'hit' ? [result.ruleId] : [])),
          },
        }),
  };
}

export function makeRiskEngine(deps: RiskEngineDeps = {}): RiskEngine {
  const state = deps.state ?? makeMemoryFeatureState();
  const ruleset = deps.ruleset ?? loadDefaultRuleset();
  const providers = deps.providers ?? makeProviderSet();
  const lists = deps.lists ?? noLists;
  return {
    async decide(input, hooks) {
      const claim = normaliseSession(input.session);
      const [snapshot, signals] = await Promise.all([
        state.snapshot(snapshotQuery(claim, input.at)),
        gatherSignals(providers, input.session, input.at),
      ]);
      const resolution = resolveIdentity(claim, input.session.customer, snapshot);
      const onAccount = hooks?.onAccountResolved;
      // A caller's head start only: a hook that fails does not fail the decision.
      if (resolution.accountId !== null && onAccount)
        await Promise.resolve(resolution.accountId)
          .then(onAccount)
          .catch(() => undefined);
      return decideCore({
        input,
        claim,
        snapshot,
        signals,
        resolution,
        ruleset,
        lists,
        model: deps.model,
        newCustomerFloor: deps.newCustomerFloor,
        possessionProofs: deps.possessionProofs,
        shadowRuleset: deps.shadowRuleset,
      });
    },
    record: (event: HistoryEvent) => state.apply(event),
  };
}
