// The rule language: every node kind, errors as data, the points score, and ruleset checks.
import { describe, expect, it } from 'vitest';
import type { FeatureVector } from '../engine.ts';
import type { Condition } from './rule.schema.ts';
import { checkRuleset, loadDefaultRuleset } from './ruleset.loader.ts';
import { evaluateCondition, evaluateRules, evaluateScore } from './rules.evaluator.ts';

const features: FeatureVector = {
  cart_amount: 93_900,
  identity_new_customer: true,
  shipping_country: 'NL',
  account_average_amount: null,
};
const cmp = (
  feature: string,
  op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte',
  value: number | string | boolean | null,
): Condition => ({ kind: 'cmp', feature, op, value });

describe('evaluateCondition', () => {
  it.each<[string, Condition, boolean]>([
    ['eq number', cmp('cart_amount', 'eq', 93_900), true],
    ['ne number', cmp('cart_amount', 'ne', 93_900), false],
    ['gt', cmp('cart_amount', 'gt', 50_000), true],
    ['gte boundary', cmp('cart_amount', 'gte', 93_900), true],
    ['lt', cmp('cart_amount', 'lt', 50_000), false],
    ['lte boundary', cmp('cart_amount', 'lte', 93_900), true],
    ['eq boolean', cmp('identity_new_customer', 'eq', true), true],
    ['eq string', cmp('shipping_country', 'eq', 'NL'), true],
    ['null orders nothing', cmp('account_average_amount', 'gt', 0), false],
    ['null equals null', cmp('account_average_amount', 'eq', null), true],
    ['in', { kind: 'in', feature: 'shipping_country', values: ['BE', 'NL'] }, true],
    ['in misses', { kind: 'in', feature: 'shipping_country', values: ['DE'] }, false],
    ['exists', { kind: 'exists', feature: 'cart_amount' }, true],
    ['exists null', { kind: 'exists', feature: 'account_average_amount' }, false],
    ['not', { kind: 'not', condition: cmp('cart_amount', 'gt', 50_000) }, false],
    ['all', { kind: 'all', conditions: [cmp('cart_amount', 'gt', 1), cmp('identity_new_customer', 'eq', true)] }, true],
    [
      'all fails',
      { kind: 'all', conditions: [cmp('cart_amount', 'gt', 1), cmp('identity_new_customer', 'eq', false)] },
      false,
    ],
    ['any', { kind: 'any', conditions: [cmp('cart_amount', 'lt', 1), cmp('identity_new_customer', 'eq', true)] }, true],
    ['missing merchant field is unknown', cmp('emd_account_age_days', 'gt', 3), false],
  ])('%s', (_name, condition, expected) => {
    expect(evaluateCondition(condition, features)).toBe(expected);
  });

  it.each<[string, Condition]>([
    ['unknown feature', cmp('no_such_feature', 'eq', 1)],
    ['ordering a boolean', cmp('identity_new_customer', 'gt', 1)],
    ['ordering a string against a number', cmp('shipping_country', 'gt', 1)],
  ])('throws for %s', (_name, condition) => {
    expect(() => evaluateCondition(condition, features)).toThrow();
  });
});

describe('evaluateRules', () => {
  it('reports every enabled rule as hit, no_hit or error', () => {
    const reason = { code: 'x', message: 'X' };
    const results = evaluateRules(
      [
        {
          id: 'big',
          description: 'd',
          condition: cmp('cart_amount', 'gt', 1),
          action: 'step_up',
          reason,
          enabled: true,
        },
        {
          id: 'small',
          description: 'd',
          condition: cmp('cart_amount', 'lt', 1),
          action: 'decline',
          reason,
          enabled: true,
        },
        { id: 'broken', description: 'd', condition: cmp('nope', 'lt', 1), action: 'decline', reason, enabled: true },
        {
          id: 'off',
          description: 'd',
          condition: cmp('cart_amount', 'gt', 1),
          action: 'decline',
          reason,
          enabled: false,
        },
      ],
      features,
    );
    expect(results).toEqual([
      { kind: 'hit', ruleId: 'big', action: 'step_up', reason },
      { kind: 'no_hit', ruleId: 'small' },
      { kind: 'error', ruleId: 'broken', error: 'unknown feature nope' },
    ]);
  });
});

describe('evaluateScore', () => {
  it('adds points of the items that hold, clamps to [0, 1] and explains itself', () => {
    const score = evaluateScore(
      [
        { id: 'large', condition: cmp('cart_amount', 'gt', 50_000), points: 30 },
        { id: 'new', condition: cmp('identity_new_customer', 'eq', true), points: 20 },
        { id: 'abroad', condition: cmp('shipping_country', 'ne', 'NL'), points: 40 },
      ],
      100,
      features,
    );
    expect(score).toEqual({
      score: 0.5,
      points: 50,
      contributions: [
        { id: 'large', points: 30 },
        { id: 'new', points: 20 },
      ],
    });
    expect(evaluateScore([{ id: 'x', condition: cmp('cart_amount', 'gt', 1), points: -50 }], 100, features).score).toBe(
      0,
    );
  });
});

describe('ruleset checks', () => {
  it('accepts the shipped default ruleset', () => {
    expect(loadDefaultRuleset().rules.length).toBeGreaterThan(20);
  });
  it.each<[string, unknown, string]>([
    ['an unknown node kind', { kind: 'xor', conditions: [] }, 'rules.0.condition'],
    ['an unknown feature', cmp('no_such_feature', 'eq', 1), 'unknown feature no_such_feature'],
    ['a bad operator', { kind: 'cmp', feature: 'cart_amount', op: 'like', value: 1 }, 'rules.0.condition'],
  ])('rejects %s', (_name, condition, message) => {
    const candidate = {
      version: 'test',
      rules: [{ id: 'r', description: 'd', condition, action: 'review', reason: { code: 'c', message: 'm' } }],
      score: { items: [], scale: 100 },
      thresholds: { stepUp: 0.5, review: 0.8, decline: 0.95, stepUpWhenProviderUnavailable: 0.3 },
    };
    const check = checkRuleset(candidate);
    expect(check.kind).toBe('invalid');
    if (check.kind === 'invalid') expect(check.errors.join('\n')).toContain(message);
  });
  it('rejects duplicate rule ids', () => {
    const rule = {
      id: 'r',
      description: 'd',
      condition: cmp('cart_amount', 'gt', 1),
      action: 'review',
      reason: { code: 'c', message: 'm' },
    };
    const check = checkRuleset({
      version: 't',
      rules: [rule, rule],
      score: { items: [], scale: 1 },
      thresholds: { stepUp: 0.5, review: 0.8, decline: 0.95, stepUpWhenProviderUnavailable: 0.3 },
    });
    expect(check).toEqual({ kind: 'invalid', errors: ['rules: duplicate id r'] });
  });
});
