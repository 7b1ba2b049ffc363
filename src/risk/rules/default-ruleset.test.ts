// The shipped ruleset, rule by rule: from a genuine returning customer's features, which change makes each rule fire.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureValue, FeatureVector } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import { customerHistory, dayMs, decisionInput, person, sessionFor, testNow } from '../testing/scenario.fixtures.ts';
import { loadDefaultRuleset } from './ruleset.loader.ts';
import { evaluateRules } from './rules.evaluator.ts';

const ruleset = loadDefaultRuleset();
let baseline: FeatureVector = {};

beforeAll(async () => {
  const who = person(42);
  const engine = makeRiskEngine({ ruleset });
  for (const event of customerHistory(who, { since: testNow - 300 * dayMs, orders: 5 })) await engine.record(event);
  baseline = (await engine.decide(decisionInput(sessionFor(who), testNow))).features;
});

const newCustomer = {
  identity_account_matched: false,
  identity_new_customer: true,
  account_good_standing: false,
  device_known_to_account: false,
  shipping_on_file: false,
};

/** rule id -> feature changes that make it fire (and nothing in the baseline does). */
const cases: readonly (readonly [string, Readonly<Record<string, FeatureValue>>])[] = [
  ['customer_requested_verification', { account_always_verify: true }],
  ['returning_customer_new_address', { shipping_on_file: false, device_established: false }],
  ['account_match_new_device_new_address', { device_known_to_account: false, shipping_on_file: false }],
  ['email_phone_different_accounts', { identity_email_phone_conflict: true }],
  [
    'conflict_resale_goods_elsewhere',
    { identity_email_phone_conflict: true, shipping_on_file: false, cart_risky_share: 1, cart_amount: 93_900 },
  ],
  ['name_differs_from_account', { identity_name_mismatch: true }],
  ['name_and_address_of_other_account', { identity_name_address_other_account: true }],
  ['typed_contact_not_on_file', { identity_typed_channels_unknown: true }],
  ['drop_address', { shipping_other_accounts: 4, shipping_distinct_surnames: 4 }],
  ['new_customer_ships_elsewhere', { ...newCustomer, shipping_differs_from_billing: true, cart_amount: 6_000 }],
  ['new_customer_ships_abroad_large', { ...newCustomer, shipping_other_country: true, cart_amount: 60_000 }],
  ['new_customer_large_first_order', { ...newCustomer, cart_amount: 30_000 }],
  ['new_customer_email_unlike_name', { ...newCustomer, identity_email_resembles_name: false, cart_amount: 3_000 }],
  ['someone_elses_address', { identity_known_address_unknown_name: true }],
  ['contact_used_by_other_names', { phone_distinct_names: 3 }],
  ['new_customer_contact_seen_elsewhere', { ...newCustomer, email_distinct_accounts: 1 }],
  ['velocity_device_burst', { velocity_device_orders_1h: 3 }],
  ['velocity_device_flood', { velocity_device_orders_24h: 10 }],
  ['velocity_account_burst', { velocity_account_orders_1h: 3 }],
  ['velocity_contact_burst', { velocity_email_orders_24h: 5 }],
  ['velocity_ip_burst', { velocity_ip_orders_1h: 6 }],
  ['velocity_shipping_burst', { velocity_shipping_orders_24h: 6 }],
  ['linked_to_confirmed_fraud', { device_fraud_orders: 1 }],
  ['unpaid_invoices', { account_unpaid: 2 }],
  ['exposure_limit', { cart_amount_plus_exposure: 300_001 }],
  ['amount_far_above_usual', { cart_amount_vs_max: 4, cart_amount: 40_000 }],
  ['device_shared_by_accounts', { device_other_accounts: 2 }],
  ['disposable_email', { provider_email_disposable: true }],
  ['invalid_contact', { provider_phone_valid: false }],
  ['parcel_forwarder', { shipping_is_forwarder: true, shipping_on_file: false }],
  ['new_customer_locker', { ...newCustomer, shipping_is_parcel_locker: true, cart_amount: 12_000 }],
  ['iban_holder_differs', { iban_name_mismatch: true }],
  ['trusted_returning_customer', {}],
];

const hitsFor = (features: FeatureVector): string[] =>
  evaluateRules(ruleset.rules, features).flatMap((result) => (result.kind === 'hit' ? [result.ruleId] : []));

describe('default ruleset', () => {
  it('the genuine returning customer only hits the allow rule, and nothing errors', () => {
    const results = evaluateRules(ruleset.rules, baseline);
    expect(results.filter((result) => result.kind === 'error')).toEqual([]);
    expect(hitsFor(baseline)).toEqual(['trusted_returning_customer']);
  });

  it.each(cases)('%s fires on its trigger', (ruleId, overrides) => {
    expect(hitsFor({ ...baseline, ...overrides })).toContain(ruleId);
  });

  it('has a case for every rule', () => {
    expect(cases.map(([ruleId]) => ruleId).sort()).toEqual(ruleset.rules.map((rule) => rule.id).sort());
  });

  it('gives every rule a consumer-readable reason without internals', () => {
    for (const rule of ruleset.rules) {
      expect(rule.reason.message).toMatch(/^[A-Z].*[.]$/);
      expect(rule.reason.message).not.toMatch(/_|feature|score/);
    }
  });

  it('lets new-customer rules only use the proofs at their own bank', () => {
    for (const rule of ruleset.rules.filter(
      (candidate) => candidate.id.startsWith('new_customer') && candidate.action === 'step_up',
    ))
      expect(rule.challengeMethods).toEqual(['bank_identification', 'verification_payment']);
  });
});
