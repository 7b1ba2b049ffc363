// What a feature is: a documented, named value computed by a family from one decision's context.
import type { DecisionInput, FeatureValue } from '../engine.ts';
import type { Resolution } from '../identity/identity.resolution.ts';
import type { NormalisedSession } from '../normalise/session.normaliser.ts';
import type { ProviderSignals } from '../providers/provider.set.ts';
import type { StateSnapshot } from '../state/feature-state.ts';

export const featureFamilies = [
  'identity',
  'account',
  'device',
  'address',
  'channel',
  'velocity',
  'cart',
  'time',
  'provider',
  'merchant',
  'bank',
  'iban',
] as const;
export type FeatureFamilyName = (typeof featureFamilies)[number];

export const familyTitles: Readonly<Record<FeatureFamilyName, string>> = {
  identity: 'Claimed identity versus account',
  account: 'Account history and payment behaviour',
  device: 'Device and network novelty and sharing',
  address: 'Shipping address novelty, distance, sharing and parcel lockers',
  channel: 'E-mail and phone: on file, verified, age and sharing',
  velocity: 'Velocity per entity and window',
  cart: 'Cart',
  time: 'Time',
  provider: 'Third-party provider signals',
  merchant: 'Merchant-supplied data (extra_merchant_data)',
  bank: 'Proofs at the bank: identification and bank subject',
  iban: 'IBAN: the IBAN-name signal, sharing across accounts, outcomes and velocity',
};

/** Everything a feature may read: the pure inputs of one decision. */
export interface FeatureContext {
  readonly input: DecisionInput;
  readonly claim: NormalisedSession;
  readonly resolution: Resolution;
  readonly snapshot: StateSnapshot;
  readonly signals: ProviderSignals;
}

export interface FeatureDefinition {
  readonly name: string;
  readonly family: FeatureFamilyName;
  readonly meaning: string;
  readonly type: 'number' | 'boolean' | 'string';
}

interface FeatureSpec<Prepared> {
  readonly name: string;
  readonly meaning: string;
  readonly type: FeatureDefinition['type'];
  readonly compute: (prepared: Prepared, context: FeatureContext) => FeatureValue;
}

export interface FeatureFamily {
  readonly family: FeatureFamilyName;
  readonly definitions: readonly FeatureDefinition[];
  compute(context: FeatureContext, into: Record<string, FeatureValue>): void;
}

/** A family shares one `prepare` step (lookups reused by many features) and lists its features as data. */
export function defineFamily<Prepared>(
  family: FeatureFamilyName,
  prepare: (context: FeatureContext) => Prepared,
  specs: readonly FeatureSpec<Prepared>[],
): FeatureFamily {
  return {
    family,
    definitions: specs.map(({ name, meaning, type }) => ({ name, family, meaning, type })),
    compute(context, into) {
      const prepared = prepare(context);
      for (const spec of specs) into[spec.name] = spec.compute(prepared, context);
    },
  };
}

export const dayMs = 86_400_000;

/** Days from a past time to the decision, or null when there is no such time. */
export function daysSince(at: number, past: number | null | undefined): number | null {
  return past === null || past === undefined ? null : (at - past) / dayMs;
}

export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
