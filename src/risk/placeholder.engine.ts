// Placeholder risk engine: approves everything and says so. Replaced by the real engine.
import type { Decision, DecisionInput, RiskEngine } from './engine.ts';

export function decidePlaceholder(_input: DecisionInput): Decision {
  return {
    outcome: 'approved',
    reasons: [{ code: 'no_risk_engine', message: 'No risk engine is configured; every purchase is approved.' }],
    score: null,
    features: {},
    ruleResults: [],
    accountId: null,
    challengeOptions: [],
    versions: { engine: 'placeholder-1', ruleset: null, model: null },
  };
}

export function makePlaceholderEngine(): RiskEngine {
  return {
    decide: async (input) => decidePlaceholder(input),
    record: async () => {},
  };
}
