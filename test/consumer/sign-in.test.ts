// Portal sign-in by code to a verified channel on file, without revealing accounts; "always verify my purchases".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { authorize, importAnna, lastMessageTo } from '../stepup/stepup.fixtures.ts';
import { sealWrittenRows } from '../accounts.sealed.ts';

const codeOf = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? null;

describe.each(databaseKinds)('consumer sign-in and account security on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  const anonymous = (method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>) =>
    app.request(method, url, { key: null, body, ...(headers ? { headers } : {}) });

  async function signIn(email = 'anna@example.nl') {
    const started = await anonymous('POST', '/v1/me/sign-in', { email });
    const code = codeOf((await lastMessageTo(app, email))!.text)!;
    return anonymous('POST', '/v1/me/sign-in/verify', { sign_in_id: started.json().sign_in_id, code });
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine: makeRiskEngine() });
    ({ accountId } = await importAnna(app));
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => app.clock.advance(60 * 60_000));

  it('sends a code to the verified e-mail on file and signs in with a token and an HttpOnly cookie', async () => {
    const started = await anonymous('POST', '/v1/me/sign-in', { email: 'Anna@Example.nl' });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toEqual({ sign_in_id: expect.stringMatching(/^sgn_/), expires_at: expect.any(String) });
    const message = await lastMessageTo(app, 'anna@example.nl');
    expect(message).toMatchObject({ channel: 'email', kind: 'sign_in_code' });
    const verified = await anonymous('POST', '/v1/me/sign-in/verify', {
      sign_in_id: started.json().sign_in_id,
      code: codeOf(message!.text),
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const { token } = verified.json();
    expect(token).toMatch(/^rgc_/);
    expect(String(verified.headers['set-cookie'])).toMatch(/^rg_consumer=rgc_[\w-]+; HttpOnly; Path=\/; SameSite=Lax/);
    const security = await app.request('GET', '/v1/me/security', {
      headers: { cookie: `rg_consumer=${token}` },
      key: null,
    });
    expect(security.json()).toEqual({ always_verify: false, passkeys: [] });
    const again = await anonymous('POST', '/v1/me/sign-in/verify', {
      sign_in_id: started.json().sign_in_id,
      code: codeOf(message!.text),
    });
    expect(again.json().error.code).toBe('sign_in_expired');
  });

  it('signs in by phone in any spelling of the number on file', async () => {
    const started = await anonymous('POST', '/v1/me/sign-in', { phone: '06 1234 5678' });
    const message = await lastMessageTo(app, '+31612345678');
    expect(message).toMatchObject({ channel: 'sms', kind: 'sign_in_code' });
    const verified = await anonymous('POST', '/v1/me/sign-in/verify', {
      sign_in_id: started.json().sign_in_id,
      code: codeOf(message!.text),
    });
    expect(verified.statusCode).toBe(200);
  });

  it('answers alike for unknown and unverified addresses, and sends nothing to them', async () => {
    // A first-time buyer's typed e-mail is on file but unverified: it must not open the account.
    await app.database.query(
      `INSERT INTO accounts (id, name, created_at) VALUES ('acc_guest', 'Guest', now());
       `.trim(),
    );
    await app.database.query(
      `INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
       VALUES ('chn_guest', 'acc_guest', 'email', 'typed@example.nl', NULL, now())`,
    );
    await sealWrittenRows(app);
    const known = await anonymous('POST', '/v1/me/sign-in', { email: 'anna@example.nl' });
    for (const email of ['nobody@example.nl', 'typed@example.nl']) {
      const unknown = await anonymous('POST', '/v1/me/sign-in', { email });
      expect(unknown.statusCode).toBe(known.statusCode);
      expect(Object.keys(unknown.json())).toEqual(Object.keys(known.json()));
      expect(await lastMessageTo(app, email)).toBeNull();
      const guessed = await anonymous('POST', '/v1/me/sign-in/verify', {
        sign_in_id: unknown.json().sign_in_id,
        code: '123456',
      });
      expect(guessed.json().error.code).toBe('invalid_code');
    }
  });

  it('rejects wrong codes with attempts remaining, bad input with 4xx, and limits requests', async () => {
    const started = await anonymous('POST', '/v1/me/sign-in', { email: 'anna@example.nl' });
    const code = codeOf((await lastMessageTo(app, 'anna@example.nl'))!.text)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const response = await anonymous('POST', '/v1/me/sign-in/verify', {
      sign_in_id: started.json().sign_in_id,
      code: wrong,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: 'invalid_code', attempts_remaining: 4 });
    expect((await anonymous('POST', '/v1/me/sign-in', {})).statusCode).toBe(400);
    expect((await anonymous('POST', '/v1/me/sign-in', { email: 'a@b.nl', phone: '+31612345678' })).statusCode).toBe(
      400,
    );
    expect((await anonymous('POST', '/v1/me/sign-in/verify', { sign_in_id: 'x', code: '1' })).statusCode).toBe(400);
    expect((await app.request('GET', '/v1/me/security', { key: null })).statusCode).toBe(401);
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      statuses.push((await anonymous('POST', '/v1/me/sign-in', { email: 'flood@example.nl' })).statusCode);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('"always verify my purchases" makes the risk policy step up the holder\'s own purchase', async () => {
    const own = {
      amount: { value: 4900, currency: 'EUR' },
      lines: [{ name: 'Case', quantity: 1, unit_price: 4900 }],
      device: { id: 'dev-anna-laptop', ip: '198.51.100.20' },
    };
    const before = await authorize(app, sessionBody({ ...own, merchant_reference: 'own-1' }));
    expect(before.body.reasons.map((reason: { code: string }) => reason.code)).not.toContain(
      'customer_requested_verification',
    );
    const { token } = (await signIn()).json();
    const put = await app.server.inject({
      method: 'PUT',
      url: '/v1/me/security',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ always_verify: true }),
    });
    expect(put.json()).toEqual({ always_verify: true, passkeys: [] });
    const [row] = await app.database.query<{ always_verify: boolean }>(
      'SELECT always_verify FROM accounts WHERE id = $1',
      [accountId],
    );
    expect(row!.always_verify).toBe(true);
    const after = await authorize(app, sessionBody({ ...own, merchant_reference: 'own-2' }));
    expect(after.body.decision).toBe('step_up');
    expect(after.body.reasons.map((reason: { code: string }) => reason.code)).toContain(
      'customer_requested_verification',
    );
  });
});
