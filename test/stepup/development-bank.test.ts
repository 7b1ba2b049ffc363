// The development bank and payment service: there with --demo (so `npm start` can show every proof), absent without.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { authorize } from './stepup.fixtures.ts';

const ghost = (reference: string) =>
  sessionBody({
    merchant_reference: reference,
    customer: {
      name: 'Jan Jansen',
      email: 'someone@mailbox.example',
      phone: '+31687650001',
      date_of_birth: '1970-06-15',
    },
    billing_address: {
      street: 'Dorpsstraat',
      house_number: '12',
      postal_code: '3511AB',
      city: 'Utrecht',
      country: 'NL',
    },
    device: { id: `dev-${reference}`, ip: '203.0.113.66' },
  });

describe('development bank (--demo)', () => {
  let demo: TestApplication;
  let plain: TestApplication;
  beforeAll(async () => {
    demo = await makeTestApplication('pglite', { demo: true });
    plain = await makeTestApplication('pglite');
  });
  afterAll(async () => {
    await demo.close();
    await plain.close();
  });

  /** Follows the demo bank's page the way a person would: pick the named demo person, land on the callback. */
  async function pickAtDemoBank(redirectUrl: string, person: string) {
    const login = new URL(redirectUrl);
    const page = await demo.request('GET', `${login.pathname}${login.search}`, { key: null });
    expect(page.body).toContain('Development bank — not a real bank');
    const link = new RegExp(`href="([^"]+)">${person}<`).exec(page.body)?.[1]?.replaceAll('&#38;', '&');
    const back = new URL(link!);
    return demo.request('GET', `${back.pathname}${back.search}`, { key: null });
  }

  it('lets a demo person pass bank identification only as themselves', async () => {
    const { body } = await authorize(demo, ghost('demo-1'));
    expect(body.decision).toBe('step_up');
    const token = body.challenge.client_token as string;
    const start = () =>
      demo.request('POST', `/v1/challenges/${body.challenge.id}/bank-identification/start`, { key: token });
    const wrong = await pickAtDemoBank((await start()).json().redirect_url, 'Mallory Mulder');
    expect(wrong.body).toContain('data-outcome="failed"');
    const right = await pickAtDemoBank((await start()).json().redirect_url, 'Jan Jansen');
    expect(right.body).toContain('data-outcome="verified"');
    const status = await demo.request('GET', `/v1/challenges/${body.challenge.id}/bank-identification`, { key: token });
    expect(status.json()).toMatchObject({ status: 'verified', result: { decision: 'approved' } });
  });

  it('has no development bank, payment service or bank proofs without --demo and without configuration', async () => {
    expect((await plain.request('GET', '/demo-bank/login?state=x', { key: null })).statusCode).toBe(404);
    expect((await plain.request('GET', '/demo-payments/demo_pay_1', { key: null })).statusCode).toBe(404);
    // With no possession proof on offer there is no method for a new customer: someone looks instead of nobody.
    const { body } = await authorize(plain, ghost('plain-1'));
    expect(body.decision).toBe('review');
    expect(body.challenge).toBeUndefined();
    const [challenge] = await plain.database.query('SELECT id FROM challenges LIMIT 1');
    expect(challenge).toBeUndefined();
  });

  it('limits the trips to the bank per challenge', async () => {
    const { body } = await authorize(demo, ghost('demo-limit'));
    const start = () => demo.request('POST', `/v1/challenges/${body.challenge.id}/verification-payment/start`);
    for (let trip = 0; trip < 5; trip += 1) expect((await start()).statusCode).toBe(200);
    expect((await start()).json().error.code).toBe('too_many_attempts');
  });
});

describe('configuration of the proofs at the bank', () => {
  it('takes the OpenID Connect bank and the payment service whole, or not at all', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    const partial = loadConfig({ BANK_ID_ISSUER_URL: 'https://broker.example' });
    expect(partial.ok).toBe(false);
    if (!partial.ok) expect(partial.errors.join()).toContain('BANK_ID_CLIENT_ID');
    const payment = loadConfig({ VERIFICATION_PAYMENT_URL: 'https://pay.example', VERIFICATION_PAYMENT_KEY: 'short' });
    expect(payment.ok).toBe(false);
    const whole = loadConfig({
      PUBLIC_URL: 'https://pay.shop.example/',
      BANK_ID_ISSUER_URL: 'https://broker.example',
      BANK_ID_CLIENT_ID: 'rearguard',
      BANK_ID_CLIENT_SECRET: 'secret',
    });
    expect(whole.ok && whole.config.bankIdentity).toEqual({
      issuerUrl: 'https://broker.example',
      clientId: 'rearguard',
      clientSecret: 'secret',
      redirectUrl: 'https://pay.shop.example/v1/bank-identification/callback',
      scope: 'openid profile address',
    });
  });
});
