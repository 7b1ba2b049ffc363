// The demo's bank account: valid enough for the portal and the EPC QR code, and plainly not a real account.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { demoPaymentAccount, withDemoPaymentAccount } from './demo.seed.ts';

function config(environment: Record<string, string> = {}) {
  const result = loadConfig({ LOG_LEVEL: 'silent', ...environment });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.config;
}

describe('demo payment account', () => {
  it('is a valid IBAN at a bank called TEST, accepted by the configuration as PAYMENT_IBAN', () => {
    expect(demoPaymentAccount.iban).toMatch(/^NL\d{2}TEST\d{10}$/);
    expect(config({ PAYMENT_IBAN: demoPaymentAccount.iban }).invoicing.transfer.iban).toBe(demoPaymentAccount.iban);
  });

  it('fills in the bank details only where PAYMENT_IBAN is unset', () => {
    const demo = withDemoPaymentAccount(config());
    expect(demo.invoicing.transfer).toMatchObject(demoPaymentAccount);
    const own = withDemoPaymentAccount(
      config({ PAYMENT_IBAN: 'NL91ABNA0417164300', PAYMENT_ACCOUNT_HOLDER: 'Shop BV' }),
    );
    expect(own.invoicing.transfer).toMatchObject({ iban: 'NL91ABNA0417164300', accountHolder: 'Shop BV' });
  });
});
