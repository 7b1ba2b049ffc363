// The feature catalogue: every family in a fixed order, their documentation, and one call computing them all.
import type { FeatureValue, FeatureVector } from '../engine.ts';
import { accountFeatures } from './account.features.ts';
import { addressFeatures } from './address.features.ts';
import { bankIdentityFeatures } from './bank-identity.features.ts';
import { cartFeatures } from './cart.features.ts';
import { channelFeatures } from './channel.features.ts';
import { deviceFeatures } from './device.features.ts';
import type { FeatureContext, FeatureDefinition, FeatureFamily } from './feature.family.ts';
import { ibanFeatures } from './iban.features.ts';
import { identityFeatures } from './identity.features.ts';
import { merchantFeatures } from './merchant.features.ts';
import { providerFeatures } from './provider.features.ts';
import { timeFeatures } from './time.features.ts';
import { velocityFeatures } from './velocity.features.ts';

export const families: readonly FeatureFamily[] = [
  identityFeatures,
  accountFeatures,
  deviceFeatures,
  addressFeatures,
  channelFeatures,
  velocityFeatures,
  cartFeatures,
  timeFeatures,
  providerFeatures,
  merchantFeatures,
  bankIdentityFeatures,
  ibanFeatures,
];

export const featureCatalogue: readonly FeatureDefinition[] = families.flatMap((family) => family.definitions);

export function computeFeatures(context: FeatureContext): FeatureVector {
  const values: Record<string, FeatureValue> = {};
  for (const family of families) family.compute(context, values);
  return values;
}
