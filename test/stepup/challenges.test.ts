// Step-up challenges end to end over HTTP: on-file channels only, dynamic linking, lockout, expiry, single use, limits.
import { decodeFeatures } from '../../src/checkout/decision-record.codec.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import type { Decision, HistoryEvent, RiskEngine } from '../../src/risk/engine.ts';
import { readHistory } from '../../src/storage/history.reader.ts';
import { startPaymentService, type PaymentService } from './payment-service.ts';
import { annaPhone, authorize, challengeClient, codeIn, importAnna, lastMessageTo } from './stepup.fixtures.ts';
import { sealWrittenRows } from '../accounts.sealed.ts';

const stepUpDecision = (accountId: string | null): Decision => ({
  outcome: 'step_up',
  reasons: [{ code: 'test', message: 'test' }],
  score: 0.5,
  features: {},
  ruleResults: [],
  accountId,
  challengeOptions: [],
  versions: { engine: 'test', ruleset: null, model: null },
});

describe.each(databaseKinds)('step-up challenges with the risk engine on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  const { nextSession, send, verify, sentCode } = challengeClient(() => app);

  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine: makeRiskEngine() });
    ({ accountId } = await importAnna(app));
  });
  afterAll(async () => {
    await app.close();
  });
  // Each case starts in a fresh rate-limit window, so the send limits of one case do not spill into the next.
  beforeEach(() => app.clock.advance(60 * 60_000));

  it('answers a step_up with a challenge whose targets are the channels on file, masked', async () => {
    const { body } = await nextSession();
    expect(body.decision).toBe('step_up');
    expect(body.challenge).toMatchObject({
      id: expect.stringMatching(/^chl_/),
      client_token: expect.stringMatching(/^rgt_/),
    });
    expect(body.challenge.methods).toEqual([
      { method: 'otp_sms', target: '+31 6 ** ** *678' },
      { method: 'otp_email', target: 'a***@e***.nl' },
      // No proofs at the bank here: this server has no provider for them (test/stepup/bank-proofs.test.ts has).
    ]);
  });

  it('sends codes only to channels on file, never to contact details typed at this checkout', async () => {
    const typed = { name: 'Anna de Vries', email: 'anna.devries@evil.example', phone: '+31687654321' };
    const { body } = await nextSession({ customer: { ...typed, date_of_birth: '1985-03-02' } });
    if (body.decision === 'step_up') {
      for (const method of body.challenge.methods) {
        expect(String(method.target)).not.toContain('evil');
        expect(String(method.target)).not.toContain('321');
        if (method.method.startsWith('otp_'))
          expect((await send(body.challenge.id, method.method)).statusCode).toBe(200);
      }
    }
    const toTyped = await app.database.query('SELECT id FROM outbox WHERE recipient = ANY($1::text[])', [
      [typed.email, typed.phone],
    ]);
    expect(toTyped).toEqual([]);
  });

  it('binds the code to amount, merchant and delivery address and says so in the message', async () => {
    const { body } = await nextSession();
    const response = await send(body.challenge.id, 'otp_sms');
    expect(response.json()).toEqual({ id: body.challenge.id, sent: 'otp_sms', target: '+31 6 ** ** *678' });
    const message = await lastMessageTo(app, annaPhone);
    expect(message!.text).toMatch(
      new RegExp(
        // Dutch by default, in one SMS segment: code, amount, shop, delivery address and the report link.
        `^Code \\d{6}: € 939,00 bij Test Shop, naar Industrieweg 99, Rotterdam\\. ` +
          `Niet u\\? http://localhost:8080/report/${body.challenge.id}\\.[\\w-]{16}$`,
      ),
    );
  });

  it('approves with the order on the right code, once; the code is spent', async () => {
    const { body, sessionId } = await nextSession();
    const code = await sentCode(body.challenge.id);
    const verified = await verify(body.challenge.id, code);
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({
      session_id: sessionId,
      decision: 'approved',
      order: { id: expect.stringMatching(/^ord_/), invoice_id: expect.stringMatching(/^inv_/) },
      reasons: [{ code: 'verified_account_holder' }],
    });
    const again = await verify(body.challenge.id, code);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('challenge_already_used');
    const session = await app.request('GET', `/v1/sessions/${sessionId}`);
    expect(session.json()).toMatchObject({ status: 'approved', order: { id: verified.json().order.id } });
    const facts = await app.database.query<{ method: string; account_id: string; device_id: string }>(
      'SELECT method, account_id, device_id FROM verifications WHERE challenge_id = $1',
      [body.challenge.id],
    );
    expect(facts).toEqual([{ method: 'otp_sms', account_id: accountId, device_id: 'dev-attacker' }]);
  });

  it('a passed verification becomes history: the verified device and address are no longer new', async () => {
    const shipping_address = {
      street: 'Kerkstraat',
      house_number: '5',
      postal_code: '3511LK',
      city: 'Utrecht',
      country: 'NL',
    };
    const first = await nextSession({ shipping_address, device: { id: 'dev-anna-phone', ip: '198.51.100.21' } });
    expect(first.body.decision, JSON.stringify(first.body.reasons)).toBe('step_up');
    const code = await sentCode(first.body.challenge.id);
    expect((await verify(first.body.challenge.id, code)).json().decision).toBe('approved');
    app.clock.advance(60_000);
    const next = await nextSession({
      shipping_address,
      device: { id: 'dev-anna-phone', ip: '198.51.100.21' },
      amount: { value: 4900, currency: 'EUR' },
      lines: [{ name: 'Case', quantity: 1, unit_price: 4900 }],
    });
    const codes = next.body.reasons.map((reason: { code: string }) => reason.code);
    expect(codes).not.toContain('new_delivery_address');
    expect(codes).not.toContain('new_device_and_address');
    // The verification itself is a fact: stored, replayed on start, and a feature of later decisions on that device.
    // Decision records keep features as a vector of the catalogue: read them as every reader does, decoded.
    const verifiedIn = async (sessionId: string) => {
      const [row] = await app.database.query<{ features: unknown }>(
        'SELECT features FROM decisions WHERE session_id = $1 ORDER BY seq LIMIT 1',
        [sessionId],
      );
      return Boolean((await decodeFeatures(app.database, row!.features)).device_verified_for_account);
    };
    const features = { verified: await verifiedIn(next.sessionId), before: await verifiedIn(first.sessionId) };
    expect(features).toEqual({ verified: true, before: false });
    const replayed: HistoryEvent[] = [];
    for await (const event of readHistory(app.database)) if (event.kind === 'verification') replayed.push(event);
    expect(replayed).toContainEqual(
      expect.objectContaining({ method: 'otp_sms', deviceId: 'dev-anna-phone', accountId }),
    );
  });
});

describe.each(databaseKinds)('step-up challenge mechanics on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  let stepUpAsAnna: Decision;
  const { nextSession, send, verify, sentCode } = challengeClient(() => app);

  beforeAll(async () => {
    // The mechanics do not depend on why a step-up happened: this engine steps up every purchase as Anna's.
    const engine: RiskEngine = {
      decide: async () => stepUpAsAnna,
      record: async () => {},
    };
    app = await makeTestApplication(kind, { engine });
    ({ accountId } = await importAnna(app));
    const channels = await app.database.query<{ id: string; kind: string }>(
      'SELECT id, kind FROM channels WHERE account_id = $1',
      [accountId],
    );
    const channelOf = (kindOf: string) => channels.find((channel) => channel.kind === kindOf)!.id;
    stepUpAsAnna = {
      ...stepUpDecision(accountId),
      challengeOptions: [
        { method: 'otp_sms', channelId: channelOf('phone'), maskedTarget: '+31 6 ** ** *678' },
        { method: 'otp_email', channelId: channelOf('email'), maskedTarget: 'a***@e***.nl' },
      ],
    };
  });
  afterAll(async () => {
    await app.close();
  });
  // Each case starts in a fresh rate-limit window, so the send limits of one case do not spill into the next.
  beforeEach(() => app.clock.advance(60 * 60_000));

  it("a code approves only its own session: another session's code is wrong there", async () => {
    const first = await nextSession();
    const second = await nextSession();
    const firstCode = await sentCode(first.body.challenge.id);
    await sentCode(second.body.challenge.id, 'otp_email');
    const crossed = await verify(second.body.challenge.id, firstCode);
    expect(crossed.statusCode).toBe(422);
    expect(crossed.json().error).toMatchObject({ code: 'invalid_code', attempts_remaining: 4 });
    expect((await verify(first.body.challenge.id, firstCode)).json().decision).toBe('approved');
  });

  it('a re-send invalidates the previous code', async () => {
    const { body } = await nextSession();
    const old = await sentCode(body.challenge.id);
    const fresh = await sentCode(body.challenge.id, 'otp_email');
    if (old !== fresh) expect((await verify(body.challenge.id, old)).json().error.code).toBe('invalid_code');
    expect((await verify(body.challenge.id, fresh)).json().decision).toBe('approved');
  });

  it('locks after five wrong codes, even for the right code afterwards', async () => {
    const { body } = await nextSession();
    const code = await sentCode(body.challenge.id);
    const wrong = code === '000000' ? '111111' : '000000';
    for (const remaining of [4, 3, 2, 1]) {
      const response = await verify(body.challenge.id, wrong);
      expect(response.statusCode).toBe(422);
      expect(response.json().error.attempts_remaining).toBe(remaining);
    }
    const fifth = await verify(body.challenge.id, wrong);
    expect(fifth.statusCode).toBe(409);
    expect(fifth.json().error.code).toBe('challenge_locked');
    expect((await verify(body.challenge.id, code)).json().error.code).toBe('challenge_locked');
  });

  it('expires after five minutes by the clock', async () => {
    const { body } = await nextSession();
    const code = await sentCode(body.challenge.id);
    app.clock.advance(5 * 60_000);
    const late = await verify(body.challenge.id, code);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('challenge_expired');
    expect((await app.request('GET', `/v1/challenges/${body.challenge.id}`)).json().status).toBe('expired');
  });

  it('limits sends per account across challenges', async () => {
    app.clock.advance(60 * 60_000);
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { body } = await nextSession();
      statuses.push((await send(body.challenge.id, 'otp_sms')).statusCode);
      statuses.push((await send(body.challenge.id, 'otp_email')).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const { body } = await nextSession();
    const refused = await send(body.challenge.id, 'otp_sms');
    expect(refused.json().error).toMatchObject({ code: 'too_many_sends', retry_after_seconds: expect.any(Number) });
  });

  it('limits sends per device across accounts', async () => {
    // Three account holders behind one device: each account may have 5 codes a quarter hour, the device 10 an hour.
    app.clock.set(Date.parse('2026-12-01T10:00:00Z'));
    const holders = ['bob', 'cas'].map((name, index) =>
      JSON.stringify({
        type: 'account',
        id: `ext-${name}`,
        created_at: '2025-01-02T09:00:00Z',
        name: `${name} Bakker`,
        email: `${name}@example.nl`,
        phone: `+3161111111${index}`,
        // Without paid history, an import line must say the channels were verified for them to receive codes.
        email_verified_at: '2025-01-02T09:00:00Z',
        phone_verified_at: '2025-01-02T09:00:00Z',
        address: {
          street: 'Markt',
          house_number: String(index + 2),
          postal_code: '5611EB',
          city: 'Eindhoven',
          country: 'NL',
        },
      }),
    );
    expect((await app.importer.importText(holders.join('\n'))).rejected).toEqual([]);
    const phones = await app.database.query<{ id: string; account_id: string }>(
      `SELECT c.id, c.account_id FROM channels c JOIN accounts a ON a.id = c.account_id
       WHERE a.external_id IN ('ext-anna', 'ext-bob', 'ext-cas') AND c.kind = 'phone' ORDER BY a.external_id`,
    );
    const asAnna = stepUpAsAnna;
    const results: { sentAtOnce: boolean; sends: number[] }[] = [];
    try {
      for (const phone of phones) {
        // One code method only: the code is sent at once, then re-sent up to the per-challenge limit.
        stepUpAsAnna = {
          ...stepUpDecision(phone.account_id),
          challengeOptions: [{ method: 'otp_sms', channelId: phone.id, maskedTarget: '+31 6 ** ** ***' }],
        };
        const { body } = await nextSession();
        const sends: number[] = [];
        for (let resend = 0; resend < 4; resend += 1) sends.push((await send(body.challenge.id, 'otp_sms')).statusCode);
        results.push({ sentAtOnce: body.challenge.sent === 'otp_sms', sends });
      }
    } finally {
      stepUpAsAnna = asAnna;
    }
    expect(results).toEqual([
      { sentAtOnce: true, sends: [200, 200, 200, 200] },
      { sentAtOnce: true, sends: [200, 200, 200, 200] },
      // The third holder's own limit is untouched, but the device has had its 10 codes this hour.
      { sentAtOnce: false, sends: [429, 429, 429, 429] },
    ]);
  });

  it('limits sends per recipient across accounts that hold the same number', async () => {
    // Two accounts with one phone on file (typed differently): each account and each device is within its own
    // budget, but the person at that number gets at most six codes an hour.
    app.clock.set(Date.parse('2026-12-02T10:00:00Z'));
    const holders = [
      ['dan', '+31 6 2222 3333'],
      ['eve', '0622223333'],
    ].map(([name, phone], index) =>
      JSON.stringify({
        type: 'account',
        id: `ext-${name}`,
        created_at: '2025-01-02T09:00:00Z',
        name: `${name} Smit`,
        email: `${name}@example.nl`,
        phone,
        phone_verified_at: '2025-01-02T09:00:00Z',
        address: {
          street: 'Markt',
          house_number: String(index + 20),
          postal_code: '5611EB',
          city: 'Eindhoven',
          country: 'NL',
        },
      }),
    );
    expect((await app.importer.importText(holders.join('\n'))).rejected).toEqual([]);
    const phones = await app.database.query<{ id: string; account_id: string }>(
      `SELECT c.id, c.account_id FROM channels c JOIN accounts a ON a.id = c.account_id
       WHERE a.external_id IN ('ext-dan', 'ext-eve') AND c.kind = 'phone' ORDER BY a.external_id`,
    );
    expect(phones).toHaveLength(2);
    const asAnna = stepUpAsAnna;
    const results: { sentAtOnce: boolean; sends: number[] }[] = [];
    try {
      for (const [index, phone] of phones.entries()) {
        stepUpAsAnna = {
          ...stepUpDecision(phone.account_id),
          challengeOptions: [{ method: 'otp_sms', channelId: phone.id, maskedTarget: '+31 6 ** ** *333' }],
        };
        const { body } = await nextSession({ device: { id: `dev-recipient-${index}`, ip: '203.0.113.9' } });
        const sends: number[] = [];
        for (let resend = 0; resend < 3; resend += 1) sends.push((await send(body.challenge.id, 'otp_sms')).statusCode);
        results.push({ sentAtOnce: body.challenge.sent === 'otp_sms', sends });
      }
    } finally {
      stepUpAsAnna = asAnna;
    }
    expect(results).toEqual([
      { sentAtOnce: true, sends: [200, 200, 200] },
      { sentAtOnce: true, sends: [200, 429, 429] },
    ]);
  });

  it('lets the widget act with the client token, and nobody else', async () => {
    app.clock.advance(60 * 60_000);
    const { body } = await nextSession();
    const other = await app.merchants.create('Other Shop');
    expect((await send(body.challenge.id, 'otp_sms', other.api_key)).statusCode).toBe(404);
    expect((await send(body.challenge.id, 'otp_sms', 'rgt_forged')).statusCode).toBe(404);
    expect((await app.request('GET', `/v1/challenges/${body.challenge.id}`, { key: null })).statusCode).toBe(401);
    const shown = await app.request('GET', `/v1/challenges/${body.challenge.id}`, { key: body.challenge.client_token });
    expect(shown.json()).toMatchObject({
      status: 'pending',
      attempts_remaining: 5,
      purchase: {
        amount: 'EUR 939.00',
        amount_value: 93900,
        currency: 'EUR',
        merchant: 'Test Shop',
        delivery_address: 'Industrieweg 99, Rotterdam',
      },
    });
    await send(body.challenge.id, 'otp_sms', body.challenge.client_token);
    const code = codeIn((await lastMessageTo(app, annaPhone))!.text)!;
    expect((await verify(body.challenge.id, code, body.challenge.client_token)).json().decision).toBe('approved');
  });

  it('rejects bad input with stable 4xx codes and replays with Idempotency-Key', async () => {
    const { body } = await nextSession();
    expect((await verify(body.challenge.id, 'abc')).json().error.code).toBe('invalid_request');
    expect((await send(body.challenge.id, 'carrier_pigeon')).statusCode).toBe(400);
    expect((await verify('chl_doesnotexist', '123456')).statusCode).toBe(404);
    expect((await app.request('POST', '/v1/challenges/nope/verify', { body: { code: '1' } })).statusCode).toBe(404);
    expect((await verify(body.challenge.id, '123456')).json().error.code).toBe('code_not_sent');
    const code = await sentCode(body.challenge.id);
    const headers = { 'idempotency-key': `verify-${body.challenge.id}` };
    const first = await app.request('POST', `/v1/challenges/${body.challenge.id}/verify`, { body: { code }, headers });
    const replay = await app.request('POST', `/v1/challenges/${body.challenge.id}/verify`, { body: { code }, headers });
    expect(replay.json()).toEqual(first.json());
    const authorizeAgain = await app.request('POST', `/v1/sessions/${first.json().session_id}/authorize`);
    expect(authorizeAgain.json()).toMatchObject({ decision: 'approved', order: first.json().order });
  });
});

describe.each(databaseKinds)('challenge options and the verification payment on %s', (kind) => {
  let app: TestApplication;
  let payments: PaymentService;
  let decision: Decision;
  const engine: RiskEngine = { decide: async () => decision, record: async () => {} };
  beforeAll(async () => {
    payments = await startPaymentService();
    app = await makeTestApplication(kind, { engine }, payments.environment);
  });
  afterAll(async () => {
    await app.close();
    await payments.close();
  });
  const stepUp = (accountId: string | null, options: Decision['challengeOptions']): Decision => ({
    ...stepUpDecision(accountId),
    challengeOptions: options,
  });

  it('drops an option naming a channel that is not verified on file (a typed one)', async () => {
    await app.database.query(
      `INSERT INTO accounts (id, name, created_at) VALUES ('acc_typed', 'Bob', now());
       `.trim(),
    );
    await app.database.query(
      `INSERT INTO channels (id, account_id, kind, value, verified_at, created_at) VALUES ('chn_typed', 'acc_typed', 'phone', '+31600000000', NULL, now())`,
    );
    await sealWrittenRows(app);
    decision = stepUp('acc_typed', [{ method: 'otp_sms', channelId: 'chn_typed', maskedTarget: '+31 6 ** ** *000' }]);
    const { body } = await authorize(app, sessionBody({ merchant_reference: 'typed-1' }));
    expect(body.challenge.methods).toEqual([{ method: 'verification_payment', target: null }]);
    expect(
      (await app.request('POST', `/v1/challenges/${body.challenge.id}/send`, { body: { method: 'otp_sms' } })).json()
        .error.code,
    ).toBe('method_not_allowed');
  });

  it('a new customer passes a verification payment only from an account in their own name', async () => {
    decision = stepUp(null, [{ method: 'verification_payment', channelId: null, maskedTarget: null }]);
    const { body } = await authorize(app, sessionBody({ merchant_reference: 'new-1' }));
    expect(body.challenge.methods).toEqual([{ method: 'verification_payment', target: null }]);
    const pay = async (payer: { name: string; iban: string }) => {
      const started = await app.request('POST', `/v1/challenges/${body.challenge.id}/verification-payment/start`);
      expect(started.statusCode, started.body).toBe(200);
      const paymentId = started.json().redirect_url.split('/').pop() as string;
      payments.settle(paymentId, payer);
      const signature = payments.callbackSignature(paymentId);
      return app.request('POST', '/v1/verification-payment/callback', {
        key: null,
        body: { id: paymentId },
        headers: { 'x-signature': signature },
      });
    };
    await pay({ name: 'Mallory Mulder', iban: 'NL69INGB0123456789' });
    const failed = await app.request('GET', `/v1/challenges/${body.challenge.id}/verification-payment`);
    expect(failed.json()).toMatchObject({ status: 'failed', code: 'name_mismatch' });
    decision = { ...decision, outcome: 'approved', challengeOptions: [] };
    expect((await pay({ name: 'Anna de Vries', iban: 'nl91 abna 0417 1643 00' })).json()).toMatchObject({
      outcome: 'verified',
    });
    const passed = await app.request('GET', `/v1/challenges/${body.challenge.id}/verification-payment`);
    expect(passed.json()).toMatchObject({
      status: 'verified',
      result: { decision: 'approved', order: { id: expect.stringMatching(/^ord_/) } },
    });
  });

  it('a hard decline on re-decision stays declined after a verification', async () => {
    decision = stepUp(null, [{ method: 'verification_payment', channelId: null, maskedTarget: null }]);
    const { body } = await authorize(app, sessionBody({ merchant_reference: 'new-2' }));
    decision = { ...decision, outcome: 'declined', reasons: [{ code: 'blocked', message: 'blocked' }] };
    const started = await app.request('POST', `/v1/challenges/${body.challenge.id}/verification-payment/start`);
    const paymentId = started.json().redirect_url.split('/').pop() as string;
    payments.settle(paymentId, { name: 'Anna de Vries', iban: 'NL91ABNA0417164300' });
    await app.request(
      'GET',
      `/v1/verification-payment/return?state=${encodeURIComponent(payments.payments.get(paymentId)!.reference)}`,
      { key: null },
    );
    const response = await app.request('GET', `/v1/challenges/${body.challenge.id}/verification-payment`);
    expect(response.json()).toMatchObject({ status: 'verified', result: { decision: 'declined' } });
    expect(response.json().result.order).toBeUndefined();
  });
});
