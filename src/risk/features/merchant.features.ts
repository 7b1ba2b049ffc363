// Merchant-supplied signals: fields of extra_merchant_data passed through as emd_<field>, text as categories.
import type { FeatureValue } from '../engine.ts';
import type { FeatureDefinition, FeatureFamily } from './feature.family.ts';

/** Field names become feature names, so only a safe subset of characters survives. */
export function merchantFeatureName(field: string): string {
  return `emd_${field
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}

/** Dynamic: the catalogue documents the pattern, the values depend on what each merchant sends. */
export const merchantFeatures: FeatureFamily = {
  family: 'merchant',
  definitions: [
    {
      name: 'emd_*',
      family: 'merchant',
      type: 'number',
      meaning:
        'Each extra_merchant_data field: numbers as they are, booleans as 1/0, short text (up to 40 characters) as a category (e.g. emd_delivery_method = pickup_point); a model keeps at most 64 values per field.',
    } satisfies FeatureDefinition,
  ],
  compute(context, into: Record<string, FeatureValue>) {
    const extra = context.input.session.extra_merchant_data;
    if (extra === undefined) return;
    for (const [field, value] of Object.entries(extra)) {
      if (typeof value === 'number' && Number.isFinite(value)) into[merchantFeatureName(field)] = value;
      else if (typeof value === 'boolean') into[merchantFeatureName(field)] = value ? 1 : 0;
      // Longer text is free text (a note, an address), not a category; its values would never repeat.
      else if (typeof value === 'string' && value.length > 0 && value.length <= 40)
        into[merchantFeatureName(field)] = value.trim().toLowerCase();
    }
  },
};
