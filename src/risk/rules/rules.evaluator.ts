// Evaluates rule conditions over a feature vector: exhaustive over node kinds, every rule reported, errors as data.
import type { FeatureValue, FeatureVector, RuleResult } from '../engine.ts';
import type { ComparisonOperator, Condition, Rule, ScoreItem } from './rule.schema.ts';

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/** A condition that cannot be evaluated (unknown feature, incomparable types) is an error, not a silent false. */
export class ConditionError extends Error {}

function read(features: FeatureVector, feature: string): FeatureValue {
  const value = features[feature];
  if (value !== undefined) return value;
  // Merchant fields come and go per merchant; a missing one is simply unknown.
  if (feature.startsWith('emd_')) return null;
  throw new ConditionError(`unknown feature ${feature}`);
}

function compare(left: FeatureValue, op: ComparisonOperator, right: FeatureValue): boolean {
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      // An unknown value satisfies no ordering: "amount > 100" is false when there is no amount.
      if (left === null || right === null) return false;
      if (typeof left !== typeof right || typeof left === 'boolean')
        throw new ConditionError(`cannot order ${typeof left} against ${typeof right}`);
      if (op === 'lt') return left < right;
      if (op === 'lte') return left <= right;
      if (op === 'gt') return left > right;
      return left >= right;
    }
    default:
      return assertNever(op);
  }
}

export function evaluateCondition(condition: Condition, features: FeatureVector): boolean {
  switch (condition.kind) {
    case 'all':
      return condition.conditions.every((child) => evaluateCondition(child, features));
    case 'any':
      return condition.conditions.some((child) => evaluateCondition(child, features));
    case 'not':
      return !evaluateCondition(condition.condition, features);
    case 'cmp':
      return compare(read(features, condition.feature), condition.op, condition.value);
    case 'in': {
      const value = read(features, condition.feature);
      return value !== null && typeof value !== 'boolean' && condition.values.includes(value);
    }
    case 'exists':
      return read(features, condition.feature) !== null;
    default:
      return assertNever(condition);
  }
}

export function evaluateRules(rules: readonly Rule[], features: FeatureVector): RuleResult[] {
  return rules
    .filter((rule) => rule.enabled)
    .map((rule): RuleResult => {
      try {
        return evaluateCondition(rule.condition, features)
          ? { kind: 'hit', ruleId: rule.id, action: rule.action, reason: rule.reason }
          : { kind: 'no_hit', ruleId: rule.id };
      } catch (error) {
        return { kind: 'error', ruleId: rule.id, error: error instanceof Error ? error.message : String(error) };
      }
    });
}

export interface ScoreResult {
  /** In [0, 1]. */
  readonly score: number;
  readonly points: number;
  /** The items that added points, largest first: the explanation of the score. */
  readonly contributions: readonly { readonly id: string; readonly points: number }[];
}

export function evaluateScore(items: readonly ScoreItem[], scale: number, features: FeatureVector): ScoreResult {
  let points = 0;
  const contributions: { id: string; points: number }[] = [];
  for (const item of items) {
    let holds = false;
    try {
      holds = evaluateCondition(item.condition, features);
    } catch {
      holds = false;
    }
    if (!holds) continue;
    points += item.points;
    contributions.push({ id: item.id, points: item.points });
  }
  contributions.sort((left, right) => right.points - left.points || left.id.localeCompare(right.id));
  return { score: Math.max(0, Math.min(1, points / scale)), points, contributions };
}
