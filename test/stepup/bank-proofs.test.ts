// Proofs at the bank over HTTP on both databases, against a real OpenID provider and a fake payment service:
// the ghost-invoice attacker who knows everything public about the victim passes none of them; the victim does.
import { decodeDecisionRecord, decodeFeatures } from '../../src/checkout/decision-record.codec.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { adminKey, makeTestApplication, sessionBody, testConfig, type TestApplication } from '../application.ts';
import { makeApplication } from '../../src/app.ts';
import { authorize, importAnna } from './stepup.fixtures.ts';
import { loginAtBank, startOidcBank } from './oidc-bank.ts';
import { startPaymentService, type PaymentService } from './payment-service.ts';
import { openedAccounts } from '../accounts.sealed.ts';

type Bank = Awaited<ReturnType<typeof startOidcBank>>;

const janAddress = { street: 'Dorpsstraat', house_number: '12', postal_code: '3511AB', city: 'Utrecht', country: 'NL' };
const janIban = 'NL20INGB0001234567';
const industrialEstate = {
  street: 'Industrieweg',
  house_number: '99',
  postal_code: '3044AS',
  city: 'Rotterdam',
  country: 'NL',
};
const passwords = { jan: 'jan-password', mallory: 'mallory-password', 'jan-mule': 'mule-password' } as const;

/** Everything public about Jan (name, home address, date of birth) with the attacker's own e-mail and phone. */
function ghostInvoice(reference: string, overrides: Record<string, unknown> = {}) {
  return sessionBody({
    merchant_reference: reference,
    amount: { value: 59900, currency: 'EUR' },
    lines: [{ name: 'Laptop', quantity: 1, unit_price: 59900, category: 'electronics' }],
    customer: {
      name: 'Jan Jansen',
      email: 'jan.jansen.1970@mailbox.example',
      phone: '+31687650000',
      date_of_birth: '1970-06-15',
      // Jan's real IBAN, copied from an invoice he once sent: the IBAN-name check matches, and proves nothing.
      iban: janIban,
    },
    billing_address: janAddress,
    shipping_address: industrialEstate,
    device: { id: `dev-${reference}`, ip: '203.0.113.66', user_agent: 'Mozilla/5.0' },
    ...overrides,
  });
}

describe.each(databaseKinds)('proofs at the bank on %s', (kind) => {
  let app: TestApplication;
  let bank: Bank;
  let payments: PaymentService;

  beforeAll(async () => {
    bank = await startOidcBank({ redirectUris: ['http://localhost:8080/v1/bank-identification/callback'] });
    payments = await startPaymentService();
    app = await makeTestApplication(kind, {}, { ...bank.environment, ...payments.environment });
  });
  afterAll(async () => {
    await app.close();
    await payments.close();
    await bank.close();
  });

  async function stepUp(reference: string, overrides: Record<string, unknown> = {}) {
    const { body, sessionId } = await authorize(app, ghostInvoice(reference, overrides));
    expect(body.decision, JSON.stringify(body)).toBe('step_up');
    return { challengeId: body.challenge.id as string, token: body.challenge.client_token as string, sessionId };
  }

  /** The widget's path: start with the client token, log in at the bank, follow the bank's redirect back. */
  async function identifyAtBank(challenge: { challengeId: string; token: string }, username: keyof typeof passwords) {
    const started = await app.request('POST', `/v1/challenges/${challenge.challengeId}/bank-identification/start`, {
      key: challenge.token,
    });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json().redirect_url.startsWith(bank.issuer)).toBe(true);
    const back = await loginAtBank(started.json().redirect_url, { username, password: passwords[username] });
    expect(back?.pathname).toBe('/v1/bank-identification/callback');
    const page = await app.request('GET', `${back!.pathname}${back!.search}`, { key: null });
    const status = await app.request('GET', `/v1/challenges/${challenge.challengeId}/bank-identification`, {
      key: challenge.token,
    });
    return { page, status: status.json(), callback: `${back!.pathname}${back!.search}` };
  }

  const accountsNamed = async (name: string) =>
    (await openedAccounts(app, 'true')).filter((account) => account.name === name).map(({ id }) => ({ id }));

  it('offers a ghost invoice only the proofs at the bank, never the IBAN check', async () => {
    const { challengeId, sessionId } = await stepUp('ghost-offer');
    const [decision] = await app.database.query<{ features: unknown }>(
      'SELECT features FROM decisions WHERE session_id = $1',
      [sessionId],
    );
    expect(await decodeFeatures(app.database, decision!.features)).toMatchObject({
      iban_given: true,
      iban_name_match: true,
      iban_name_mismatch: false,
    });
    const shown = await app.request('GET', `/v1/challenges/${challengeId}`);
    expect(shown.json().methods).toEqual([
      { method: 'bank_identification', target: null },
      { method: 'verification_payment', target: null },
    ]);
    // Knowing the victim's IBAN proves nothing: there is no way to offer it.
    const iban = await app.request('POST', `/v1/challenges/${challengeId}/bank-account-check`, {
      body: { iban: janIban },
    });
    expect(iban.statusCode).toBe(404);
  });

  it("fails bank identification with the attacker's own bank login, and touches no account", async () => {
    const challenge = await stepUp('ghost-bank');
    const { page, status } = await identifyAtBank(challenge, 'mallory');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-outcome="failed"');
    expect(status).toMatchObject({ status: 'failed', code: 'name_mismatch' });
    const session = await app.request('GET', `/v1/sessions/${challenge.sessionId}`);
    expect(session.json().status).toBe('step_up');
    expect(await accountsNamed('Jan Jansen')).toEqual([]);
  });

  it('rejects a replayed or forged bank callback', async () => {
    const challenge = await stepUp('ghost-replay');
    const { callback } = await identifyAtBank(challenge, 'mallory');
    expect((await app.request('GET', callback, { key: null })).statusCode).toBe(404);
    const forged = callback.replace(/state=[^&]+/, 'state=bid_forged.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await app.request('GET', forged, { key: null })).statusCode).toBe(404);
  });

  it("fails a verification payment from the attacker's own account", async () => {
    const challenge = await stepUp('ghost-payment');
    const started = await app.request('POST', `/v1/challenges/${challenge.challengeId}/verification-payment/start`, {
      key: challenge.token,
    });
    expect(started.statusCode, started.body).toBe(200);
    const paymentId = started.json().redirect_url.split('/').pop() as string;
    expect(payments.payments.get(paymentId)?.amount).toEqual({ value: 1, currency: 'EUR' });
    payments.settle(paymentId, { name: 'Mallory Mulder', iban: 'NL69INGB0123456789' });
    const forged = await app.request('POST', '/v1/verification-payment/callback', {
      key: null,
      body: { id: paymentId },
      headers: { 'x-signature': 'f'.repeat(64) },
    });
    expect(forged.json().error.code).toBe('invalid_signature');
    const callback = await app.request('POST', '/v1/verification-payment/callback', {
      key: null,
      body: { id: paymentId },
      headers: { 'x-signature': payments.callbackSignature(paymentId) },
    });
    expect(callback.statusCode, callback.body).toBe(200);
    const status = await app.request('GET', `/v1/challenges/${challenge.challengeId}/verification-payment`);
    expect(status.json()).toMatchObject({ status: 'failed', code: 'name_mismatch' });
    expect(await accountsNamed('Jan Jansen')).toEqual([]);
    // A payment the payer cancelled at their bank proves nothing either; a replayed return changes nothing.
    const again = await app.request('POST', `/v1/challenges/${challenge.challengeId}/verification-payment/start`);
    const cancelledId = again.json().redirect_url.split('/').pop() as string;
    payments.settle(cancelledId, 'cancelled');
    const state = encodeURIComponent(payments.payments.get(cancelledId)!.reference);
    const returned = await app.request('GET', `/v1/verification-payment/return?state=${state}`, { key: null });
    expect(returned.body).toContain('data-outcome="failed"');
    const cancelled = await app.request('GET', `/v1/challenges/${challenge.challengeId}/verification-payment`);
    expect(cancelled.json()).toMatchObject({ status: 'failed', code: 'proof_refused' });
    const replayed = await app.request('GET', `/v1/verification-payment/return?state=${state}`, { key: null });
    expect(replayed.statusCode).toBe(404);
  });

  it('approves the real person identified at their bank; the account is built from what the bank verified', async () => {
    const challenge = await stepUp('jan-genuine', {
      customer: { name: 'jan jansen', email: 'jan@jansen.example', phone: '+31611112222', date_of_birth: '1970-06-15' },
      shipping_address: janAddress,
    });
    const { page, status } = await identifyAtBank(challenge, 'jan');
    expect(page.body).toContain('data-outcome="verified"');
    expect(status).toMatchObject({
      status: 'verified',
      result: { decision: 'approved', order: { id: expect.stringMatching(/^ord_/) } },
    });
    const [account] = await accountsNamed('Jan Jansen');
    expect(account).toBeDefined();
    const subjects = await app.database.query<{ subject: string }>(
      'SELECT subject FROM account_bank_subjects WHERE account_id = $1',
      [account!.id],
    );
    expect(subjects).toEqual([{ subject: `${bank.issuer}#jan` }]);
    const verifications = await app.database.query<{ method: string }>(
      'SELECT method FROM verifications WHERE session_id = $1',
      [challenge.sessionId],
    );
    expect(verifications).toEqual([{ method: 'bank_identification' }]);
    // The bank proves the person, not the typed contact details: those stay unverified.
    const channels = await app.database.query<{ verified_at: Date | null }>(
      'SELECT verified_at FROM channels WHERE account_id = $1',
      [account!.id],
    );
    expect(channels.length).toBeGreaterThan(0);
    expect(channels.every((channel) => channel.verified_at === null)).toBe(true);
  });

  it('stores a later proof of that identity from a different bank subject as a conflict, raising the feature', async () => {
    const challenge = await stepUp('jan-mule');
    const { status } = await identifyAtBank(challenge, 'jan-mule');
    expect(status).toMatchObject({ status: 'failed', code: 'bank_subject_conflict' });
    const conflicts = await app.database.query<{ subject: string }>('SELECT subject FROM bank_subject_conflicts');
    expect(conflicts).toEqual([{ subject: `${bank.issuer}#jan-mule` }]);
    app.clock.advance(60_000);
    await authorize(app, ghostInvoice('jan-after-conflict'));
    const decisions = await app.request('GET', '/v1/admin/decisions?limit=100', { key: adminKey });
    const latest = decisions
      .json()
      .data.find(
        (decision: { input: { merchant_reference: string } }) =>
          decision.input.merchant_reference === 'jan-after-conflict',
      );
    expect(latest.features).toMatchObject({ bank_subject_conflict: true, account_bank_identified: true });

    // The link and the conflict are history: a restarted server rebuilds them from the database.
    const restarted = await makeApplication(testConfig(), {
      database: app.database,
      clock: app.clock,
      defaultModelPath: null,
    });
    try {
      const probe = {
        sessionId: 'ses_probe',
        merchantId: app.merchant.id,
        merchantName: 'Test Shop',
        at: app.clock.now() + 1,
        session: ghostInvoice('probe') as Parameters<typeof app.engine.decide>[0]['session'],
      };
      const rebuilt = await restarted.engine.decide(probe);
      expect(rebuilt.features).toMatchObject({ bank_subject_conflict: true, account_bank_identified: true });
      expect(rebuilt.features).toEqual((await app.engine.decide(probe)).features);
    } finally {
      await restarted.outbox.stop();
      await restarted.protection.stop();
      await restarted.server.close();
    }
  });

  describe('the IBAN as an entity', () => {
    const anna = {
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      phone: '+31612345678',
      date_of_birth: '1985-03-02',
    };
    const featuresOf = async (sessionId: string) =>
      decodeDecisionRecord(
        app.database,
        (
          await app.database.query<{ features: unknown; outcome: string; reasons: { code: string }[] }>(
            'SELECT features, outcome, reasons FROM decisions WHERE session_id = $1 ORDER BY decided_at DESC LIMIT 1',
            [sessionId],
          )
        )[0]!,
      );

    /** Anna as she always shops: a small order from her laptop to her home. */
    const annaSession = (reference: string, iban: string) =>
      sessionBody({
        merchant_reference: reference,
        amount: { value: 4900, currency: 'EUR' },
        lines: [{ name: 'Shirt', quantity: 1, unit_price: 4900 }],
        customer: { ...anna, iban },
        device: { id: 'dev-anna-laptop', ip: '198.51.100.20', user_agent: 'Mozilla/5.0' },
      });

    beforeAll(async () => {
      await importAnna(app);
    });

    it('a returning customer whose IBAN is held by someone else is asked to prove it, with the reason', async () => {
      const own = await authorize(app, annaSession('anna-own-iban', 'NL91ABNA0417164300'));
      expect(own.body.decision).toBe('approved');
      const other = await authorize(app, annaSession('anna-other-iban', 'NL69 INGB 0123 4567 89'));
      expect(other.body.decision).toBe('step_up');
      expect(other.body.reasons.map((reason: { code: string }) => reason.code)).toContain('iban_holder_differs');
      expect((await featuresOf(other.sessionId)).features).toMatchObject({ iban_name_mismatch: true });
    });

    it('counts orders per IBAN and links accounts that share one', async () => {
      app.clock.advance(60_000);
      const again = await authorize(app, annaSession('anna-iban-again', 'NL91ABNA0417164300'));
      expect((await featuresOf(again.sessionId)).features).toMatchObject({
        iban_seen_before: true,
        iban_other_accounts: 0,
        velocity_iban_orders_24h: 1,
      });
      const stranger = await authorize(
        app,
        ghostInvoice('stranger-with-annas-iban', {
          customer: {
            name: 'Piet Pieters',
            email: 'piet@pieters.example',
            phone: '+31622223333',
            iban: 'NL91ABNA0417164300',
          },
        }),
      );
      expect((await featuresOf(stranger.sessionId)).features).toMatchObject({
        iban_other_accounts: 1,
        iban_distinct_names: 1,
        iban_name_mismatch: true,
      });
    });

    it('declines an IBAN on the block list, and refuses a malformed IBAN with a 400 naming the field', async () => {
      const listed = await app.request('POST', '/v1/admin/lists', {
        key: adminKey,
        body: { list: 'block', kind: 'iban', value: 'nl44 rabo 0123 4567 89', reason: 'mule account' },
      });
      expect(listed.statusCode, listed.body).toBe(201);
      expect(listed.json()).toMatchObject({ kind: 'iban', value: 'NL44RABO0123456789' });
      const blocked = await authorize(app, annaSession('anna-blocked-iban', 'NL44RABO0123456789'));
      expect(blocked.body.decision).toBe('declined');
      const invalid = await app.request('POST', '/v1/sessions', {
        body: sessionBody({ merchant_reference: 'bad-iban', customer: { ...anna, iban: 'NL00ABNA0417164300' } }),
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error).toMatchObject({ code: 'invalid_request', field: 'customer.iban' });
      const badList = await app.request('POST', '/v1/admin/lists', {
        key: adminKey,
        body: { list: 'block', kind: 'iban', value: 'not an iban', reason: 'x' },
      });
      expect(badList.json().error.code).toBe('invalid_list_value');
    });
  });
});

describe.each(databaseKinds)('a proof at the bank cut short before the purchase on %s', (kind) => {
  let app: TestApplication;
  let bank: Bank;
  beforeAll(async () => {
    bank = await startOidcBank({ redirectUris: ['http://localhost:8080/v1/bank-identification/callback'] });
    app = await makeTestApplication(kind, {}, bank.environment);
  });
  afterAll(async () => {
    await app.close();
    await bank.close();
  });

  it('is finished on the next status read, with the account built from what the bank verified', async () => {
    const { body, sessionId } = await authorize(
      app,
      ghostInvoice('cut-short', {
        customer: { name: 'jan  jansen', email: 'jan@jansen.example', phone: '+31611112222' },
        shipping_address: janAddress,
      }),
    );
    expect(body.decision).toBe('step_up');
    const token = body.challenge.client_token as string;
    const started = await app.request('POST', `/v1/challenges/${body.challenge.id}/bank-identification/start`, {
      key: token,
    });
    const back = await loginAtBank(started.json().redirect_url, { username: 'jan', password: passwords.jan });
    // The purchase's transaction fails after the proof was stored, as a crash there would leave it.
    await app.database.query(
      "ALTER TABLE orders ADD CONSTRAINT cut_short CHECK (merchant_reference <> 'cut-short') NOT VALID",
    );
    const failed = await app.request('GET', `${back!.pathname}${back!.search}`, { key: null });
    expect(failed.statusCode).toBe(500);
    await app.database.query('ALTER TABLE orders DROP CONSTRAINT cut_short');
    const session = await app.request('GET', `/v1/sessions/${sessionId}`);
    expect(session.json().status).toBe('step_up');

    const status = await app.request('GET', `/v1/challenges/${body.challenge.id}/bank-identification`, { key: token });
    expect(status.json()).toMatchObject({ status: 'verified', result: { decision: 'approved' } });
    const [linked] = await app.database.query<{ account_id: string; subject: string }>(
      `SELECT o.account_id, s.subject FROM orders o JOIN account_bank_subjects s ON s.account_id = o.account_id
       WHERE o.session_id = $1`,
      [sessionId],
    );
    const [account] = await openedAccounts(app, 'a.id = $1', [linked!.account_id]);
    expect({ name: account!.name, date_of_birth: account!.date_of_birth, subject: linked!.subject }).toEqual({
      name: 'Jan Jansen',
      date_of_birth: '1970-06-15',
      subject: `${bank.issuer}#jan`,
    });
  });
});
