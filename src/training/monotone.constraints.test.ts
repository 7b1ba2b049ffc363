// Known directions of risk become XGBoost monotone constraints; categories and unknown directions stay free.
import { describe, expect, it } from 'vitest';
import { monotoneDirection, monotoneParameter } from './monotone.constraints.ts';

describe('monotone constraints', () => {
  it.each([
    ['distinct_device_accounts_7d', 1],
    ['device_distinct_accounts', 1],
    ['fraud_nearness_pickup', 1],
    ['shipping_fraud_orders', 1],
    ['account_identity_proven', -1],
    ['account_bank_identified', -1],
    ['account_paid_orders', 0],
    ['cart_amount', 0],
  ] as const)('%s: %d', (name, direction) => {
    expect(monotoneDirection(name)).toBe(direction);
  });

  it('writes one direction per column, category columns free', () => {
    const parameter = monotoneParameter({
      version: 1,
      columns: [
        { name: 'cart_amount', kind: 'number' },
        { name: 'distinct_ip_accounts_24h', kind: 'number' },
        { name: 'account_identity_proven', kind: 'boolean' },
        { name: 'fraud_nearness', kind: 'category', categories: [] },
      ],
    });
    expect(parameter).toBe('(0,1,-1,0)');
  });
});
