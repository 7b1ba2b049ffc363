// The claimed IBAN as an entity (seen before, shared across accounts, outcomes, velocity) and the IBAN-name signal.
import { windowNames } from '../state/feature-state.ts';
import { emptyWindows } from '../state/window.counter.ts';
import type { FeatureValue } from '../engine.ts';
import { defineFamily, type FeatureContext } from './feature.family.ts';

const ibanName = (context: FeatureContext) =>
  context.signals.ibanName?.kind === 'ok' ? context.signals.ibanName.signals.result : null;

const otherAccounts = (context: FeatureContext): number => {
  const entity = context.snapshot.iban;
  if (entity === null) return 0;
  const own = context.resolution.accountId;
  return entity.distinctAccounts - (own !== null && entity.accountIds.includes(own) ? 1 : 0);
};

const velocity = windowNames.map((window) => ({
  name: `velocity_iban_orders_${window}`,
  type: 'number' as const,
  meaning: `Orders naming this IBAN in the last ${window}.`,
  compute: (context: FeatureContext): FeatureValue => (context.snapshot.iban?.windows ?? emptyWindows)[window].count,
}));

export const ibanFeatures = defineFamily('iban', (context) => context, [
  {
    name: 'iban_given',
    type: 'boolean',
    meaning: 'The session named an IBAN (a claim: IBANs are public knowledge).',
    compute: (c) => c.claim.ibanKey !== null,
  },
  {
    name: 'iban_name_mismatch',
    type: 'boolean',
    meaning: 'The bank says the IBAN is not held by the claimed name (a signal; a match proves nothing).',
    compute: (c) => ibanName(c) === 'mismatch',
  },
  {
    name: 'iban_name_match',
    type: 'boolean',
    meaning: 'The bank says the IBAN is held by the claimed name (knowledge, not possession).',
    compute: (c) => ibanName(c) === 'match',
  },
  {
    name: 'iban_unknown_account',
    type: 'boolean',
    meaning: 'The bank does not know the IBAN.',
    compute: (c) => ibanName(c) === 'unknown_account',
  },
  {
    name: 'iban_seen_before',
    type: 'boolean',
    meaning: 'The IBAN was named in an earlier order.',
    compute: (c) => c.snapshot.iban !== null && c.snapshot.iban.orderCount > 0,
  },
  {
    name: 'iban_other_accounts',
    type: 'number',
    meaning: 'Accounts other than the resolved one whose orders named this IBAN.',
    compute: otherAccounts,
  },
  {
    name: 'iban_distinct_names',
    type: 'number',
    meaning: 'Distinct customer names on orders that named this IBAN.',
    compute: (c) => c.snapshot.iban?.distinctNames ?? 0,
  },
  {
    name: 'iban_unpaid_orders',
    type: 'number',
    meaning: 'Unpaid orders that named this IBAN.',
    compute: (c) => c.snapshot.iban?.unpaidOrders ?? 0,
  },
  {
    name: 'iban_fraud_orders',
    type: 'number',
    meaning: 'Orders naming this IBAN that were labelled fraud.',
    compute: (c) => c.snapshot.iban?.fraudOrders ?? 0,
  },
  ...velocity,
]);
