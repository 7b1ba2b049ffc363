// The engine the server runs: one online state, with the active ruleset, lists and champion model read per decision.
import type { ChallengeMethod, RiskEngine } from '../risk/engine.ts';
import { makeRiskEngine, type RiskModel } from '../risk/risk.engine.ts';
import type { Lists } from '../risk/policy/list.view.ts';
import type { ProviderSet } from '../risk/providers/provider.set.ts';
import type { Rule, Ruleset } from '../risk/rules/rule.schema.ts';
import type { FeatureState } from '../risk/state/feature-state.ts';

export interface LiveEngineDependencies {
  readonly state: FeatureState;
  readonly providers: ProviderSet;
  readonly lists: Lists;
  /** The active ruleset now (analysts activate new versions while the server runs). */
  readonly ruleset: () => Ruleset;
  /** The champion model now, if any (promotion and rollback swap it while the server runs). */
  readonly model?: () => RiskModel | undefined;
  /** First orders of unproven buyers up to this amount (minor units) pass without a proof. */
  readonly newCustomerFloor?: number;
  /** The possession proofs the server has providers for; an empty list leaves the policy no proof to ask for. */
  readonly possessionProofs?: readonly ChallengeMethod[];
  /** Emergency levers acting on this merchant at this moment, as rules put before the active ruleset's. */
  readonly leverRules?: (merchantId: string, at: number) => Promise<readonly Rule[]>;
  /** The ruleset in shadow now, if any: evaluated beside the active one, never answering. */
  readonly shadowRuleset?: () => Ruleset | null;
}

export function makeLiveEngine(dependencies: LiveEngineDependencies): RiskEngine {
  let builtFor: { ruleset: Ruleset; model: RiskModel | undefined; shadow: Ruleset | null } | null = null;
  let engine: RiskEngine | null = null;
  // Engines with lever rules in front, by the levers' rule ids; dropped with the plain engine.
  let leverEngines = new Map<string, RiskEngine>();
  const build = (ruleset: Ruleset, model: RiskModel | undefined, shadow: Ruleset | null) =>
    makeRiskEngine({
      state: dependencies.state,
      providers: dependencies.providers,
      lists: dependencies.lists,
      ruleset,
      model,
      newCustomerFloor: dependencies.newCustomerFloor,
      possessionProofs: dependencies.possessionProofs,
      ...(shadow === null ? {} : { shadowRuleset: shadow }),
    });
  // The engine is cheap to build over the shared state; rebuild only when the ruleset or model changed.
  const current = (): RiskEngine => {
    const ruleset = dependencies.ruleset();
    const model = dependencies.model?.();
    const shadow = dependencies.shadowRuleset?.() ?? null;
    if (!engine || builtFor?.ruleset !== ruleset || builtFor.model !== model || builtFor.shadow !== shadow) {
      engine = build(ruleset, model, shadow);
      builtFor = { ruleset, model, shadow };
      leverEngines = new Map();
    }
    return engine;
  };
  const withLevers = (rules: readonly Rule[]): RiskEngine => {
    const plain = current();
    const key = rules.map((rule) => rule.id).join(',');
    let leverEngine = leverEngines.get(key);
    if (!leverEngine) {
      const base = builtFor!.ruleset;
      leverEngine = build({ ...base, rules: [...rules, ...base.rules] }, builtFor!.model, builtFor!.shadow);
      // Levers are few and short-lived; the bound keeps a long-running process from collecting old combinations.
      if (leverEngines.size > 64) leverEngines.clear();
      leverEngines.set(key, leverEngine);
    }
    return leverEngine ?? plain;
  };
  return {
    decide: async (input, hooks) => {
      const levers = dependencies.leverRules ? await dependencies.leverRules(input.merchantId, input.at) : [];
      return (levers.length === 0 ? current() : withLevers(levers)).decide(input, hooks);
    },
    record: (event) => dependencies.state.apply(event),
  };
}
