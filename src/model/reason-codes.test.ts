// Reasons follow the largest risk-raising contributions, once per code, within the limit.
import { describe, expect, it } from 'vitest';
import { rankContributions, reasonsFromContributions, type ReasonMapping } from './reason-codes.ts';

const featureNames = ['new_delivery_address', 'email_age_days', 'amount', 'device_seen_before', 'address_changes_30d'];
const contributions = { byFeature: Float64Array.from([1.2, 0.4, 0.05, -0.9, 0.8]), bias: -3 };
const mapping: ReasonMapping = {
  new_delivery_address: { code: 'new_address', message: 'Delivery to an address not seen before' },
  address_changes_30d: { code: 'new_address', message: 'Delivery to an address not seen before' },
  email_age_days: { code: 'young_email', message: 'E-mail address is new' },
  device_seen_before: { code: 'known_device', message: 'Known device' },
};

describe('reason codes from contributions', () => {
  it('ranks by contribution, risk-raising first', () => {
    expect(rankContributions(contributions, featureNames).map((entry) => entry.feature)).toEqual([
      'new_delivery_address',
      'address_changes_30d',
      'email_age_days',
      'amount',
    ]);
    expect(rankContributions(contributions, featureNames, 'decreasing').map((entry) => entry.feature)).toEqual([
      'device_seen_before',
    ]);
  });

  it.each([
    { options: {}, codes: ['new_address', 'young_email'] },
    { options: { limit: 1 }, codes: ['new_address'] },
    { options: { minimumContribution: 0.5 }, codes: ['new_address'] },
    {
      options: { fallback: (feature: string) => ({ code: `model_${feature}`, message: feature }) },
      codes: ['new_address', 'young_email', 'model_amount'],
    },
  ])('gives $codes with $options', ({ options, codes }) => {
    expect(
      reasonsFromContributions(contributions, featureNames, mapping, options).map((reason) => reason.code),
    ).toEqual(codes);
  });

  it('gives no reason when nothing raised the score', () => {
    const calm = { byFeature: Float64Array.from([-1, -0.1, 0, -0.2, -0.3]), bias: -3 };
    expect(reasonsFromContributions(calm, featureNames, mapping)).toEqual([]);
  });
});
