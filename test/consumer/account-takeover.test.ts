// The account takeover of issue 10, replayed as the attacker did it: sign-in floods in spelling variants, code
// guessing across sign-ins and challenges, a blocked checkout, and a passkey added with a stale session.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, type TestApplication } from '../application.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { annaEmail, annaPhone, challengeClient, importAnna, lastMessageTo } from '../stepup/stepup.fixtures.ts';

const phoneVariants = [
  '+31612345678',
  '+31 6 12345678',
  '06-12345678',
  '0031612345678',
  '06 1234 5678',
  '(06) 12345678',
  '+31 (0)6 12345678',
  '0612345678',
  '+31-6-1234-5678',
  '0031 6 1234 5678',
];
const codeOf = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? null;
const minutes = (count: number) => count * 60_000;

describe.each(databaseKinds)('account takeover defences on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  const stepUp = challengeClient(() => app);
  /** An unauthenticated call from a given client address, as a portal or an attacker's script makes it. */
  const anonymous = (url: string, body: unknown, ip = '203.0.113.66', forwardedFor?: string) =>
    app.server.inject({
      method: 'POST',
      url,
      remoteAddress: ip,
      headers: {
        'content-type': 'application/json',
        ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
      },
      payload: JSON.stringify(body),
    });
  const asConsumer = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) =>
    app.server.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const count = async (sql: string, params: string[] = []) =>
    Number((await app.database.query<{ n: number }>(sql, params))[0]!.n);
  const signInCodesTo = (to: string) =>
    count(`SELECT count(*)::int AS n FROM outbox WHERE recipient = $1 AND payload->>'kind' = 'sign_in_code'`, [to]);

  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine: makeRiskEngine() });
    ({ accountId } = await importAnna(app));
  });
  afterAll(async () => {
    await app.close();
  });
  // Every case starts a week later: the longest lockout window of the previous case has ended.
  beforeEach(() => app.clock.advance(minutes(7 * 24 * 60 + 1)));

  it('limits sign-in sends on the normalised number, creates no sign-in it did not send, and locks guessing account-wide', async () => {
    const codesBefore = await signInCodesTo(annaPhone);
    const signInsBefore = await count('SELECT count(*)::int AS n FROM sign_ins WHERE account_id = $1', [accountId]);
    // 300 sign-ins for one phone, in ten spellings, each from another address (so no per-IP limit is what stops it).
    const statuses: number[] = [];
    const signInIds: string[] = [];
    for (let index = 0; index < 300; index += 1) {
      const response = await anonymous(
        '/v1/me/sign-in',
        { phone: phoneVariants[index % phoneVariants.length] },
        `198.51.100.${index % 250}`,
      );
      statuses.push(response.statusCode);
      if (response.statusCode === 202) signInIds.push(response.json().sign_in_id);
      else
        expect(response.json().error).toMatchObject({
          code: 'too_many_sends',
          retry_after_seconds: expect.any(Number),
        });
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
    // Her e-mail leads to the same account: its budget is spent too.
    expect((await anonymous('/v1/me/sign-in', { email: 'Anna@Example.nl' }, '198.51.100.251')).statusCode).toBe(429);
    expect(await signInCodesTo(annaPhone)).toBe(codesBefore + 5);
    expect(await count('SELECT count(*)::int AS n FROM sign_ins WHERE account_id = $1', [accountId])).toBe(
      signInsBefore + 5,
    );

    // 200 wrong guesses spread over those sign-ins: the account locks after 10, long before any sign-in runs out.
    const guesses: number[] = [];
    for (let index = 0; index < 200; index += 1) {
      const response = await anonymous(
        '/v1/me/sign-in/verify',
        { sign_in_id: signInIds[index % signInIds.length], code: String(100000 + index) },
        `198.51.100.${index % 250}`,
      );
      guesses.push(response.statusCode);
    }
    expect(guesses.filter((status) => status === 200)).toEqual([]);
    expect(guesses.indexOf(429)).toBeLessThanOrEqual(10);
    expect(guesses.filter((status) => status === 422).length).toBeLessThanOrEqual(10);

    // The lockout refuses the right code as well: guessing gains nothing while it lasts.
    const latest = await lastMessageTo(app, annaPhone);
    const locked = await anonymous('/v1/me/sign-in/verify', {
      sign_in_id: signInIds.at(-1),
      code: codeOf(latest!.text),
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error).toMatchObject({ code: 'too_many_attempts', retry_after_seconds: expect.any(Number) });
  });

  it('backs off over hours and days: after 20 wrong codes in a day, new sign-ins stay locked for the rest of it', async () => {
    // The start of a UTC day, so the quarter-hour and day windows below do not straddle midnight.
    app.clock.advance(86_400_000 - (app.clock.now() % 86_400_000) + minutes(1));
    const wrongRound = async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        const started = await anonymous('/v1/me/sign-in', { email: annaEmail }, '192.0.2.10');
        if (started.statusCode !== 202) {
          statuses.push(started.statusCode);
          continue;
        }
        for (let guess = 0; guess < 4; guess += 1) {
          const response = await anonymous(
            '/v1/me/sign-in/verify',
            { sign_in_id: started.json().sign_in_id, code: '000001' },
            `192.0.2.${20 + guess}`,
          );
          statuses.push(response.statusCode);
        }
      }
      return statuses;
    };
    const first = await wrongRound();
    expect(first.filter((status) => status === 422)).toHaveLength(10);
    app.clock.advance(minutes(16));
    const second = await wrongRound();
    expect(second.filter((status) => status === 422)).toHaveLength(10);
    // Twenty wrong codes today: a quarter of an hour later is not enough any more.
    app.clock.advance(minutes(16));
    const started = await anonymous('/v1/me/sign-in', { email: annaEmail }, '192.0.2.10');
    expect(started.statusCode).toBe(202);
    const code = codeOf((await lastMessageTo(app, annaEmail))!.text)!;
    const refused = await anonymous('/v1/me/sign-in/verify', { sign_in_id: started.json().sign_in_id, code });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.retry_after_seconds).toBeGreaterThan(3600);
    // The next day her own code works again.
    app.clock.advance(86_400_000);
    const next = await anonymous('/v1/me/sign-in', { email: annaEmail }, '192.0.2.10');
    const fresh = codeOf((await lastMessageTo(app, annaEmail))!.text)!;
    const verified = await anonymous('/v1/me/sign-in/verify', { sign_in_id: next.json().sign_in_id, code: fresh });
    expect(verified.statusCode, verified.body).toBe(200);
  });

  it('locks step-up codes account-wide across challenges, not only per challenge', async () => {
    const statuses: number[] = [];
    for (let challenge = 0; challenge < 2; challenge += 1) {
      const { body } = await stepUp.nextSession();
      const code = await stepUp.sentCode(body.challenge.id);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let guess = 0; guess < 5; guess += 1)
        statuses.push((await stepUp.verify(body.challenge.id, wrong)).statusCode);
    }
    expect(statuses).toEqual([422, 422, 422, 422, 409, 422, 422, 422, 422, 409]);
    // A third checkout is a new challenge but no new budget of guesses: even the right code waits.
    const { body } = await stepUp.nextSession();
    const code = await stepUp.sentCode(body.challenge.id);
    const refused = await stepUp.verify(body.challenge.id, code);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('too_many_attempts');
    // Sign-in guesses and step-up guesses are counted apart: the portal is not locked by this.
    const started = await anonymous('/v1/me/sign-in', { email: annaEmail }, '192.0.2.99');
    const signInCode = codeOf((await lastMessageTo(app, annaEmail))!.text)!;
    const signedIn = await anonymous('/v1/me/sign-in/verify', {
      sign_in_id: started.json().sign_in_id,
      code: signInCode,
    });
    expect(signedIn.statusCode).toBe(200);
  });

  it("sign-in spam does not spend the victim's step-up budget: her real checkout still gets its code", async () => {
    for (let index = 0; index < 40; index += 1) {
      await anonymous('/v1/me/sign-in', { phone: phoneVariants[index % phoneVariants.length] }, `198.51.100.${index}`);
    }
    expect((await anonymous('/v1/me/sign-in', { phone: annaPhone })).statusCode).toBe(429);
    const { body } = await stepUp.nextSession();
    expect(body.decision).toBe('step_up');
    const code = await stepUp.sentCode(body.challenge.id);
    const verified = await stepUp.verify(body.challenge.id, code);
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().decision).toBe('approved');
  });

  it('limits sign-ins per client address, whatever identities it tries or X-Forwarded-For it claims', async () => {
    // Without TRUST_PROXY a forged X-Forwarded-For changes nothing: the socket's address is the client.
    const statuses: number[] = [];
    for (let index = 0; index < 25; index += 1) {
      statuses.push(
        (await anonymous('/v1/me/sign-in', { email: `someone${index}@example.org` }, '192.0.2.200', `10.1.2.${index}`))
          .statusCode,
      );
    }
    expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
    // Another address is not affected.
    expect((await anonymous('/v1/me/sign-in', { email: 'someone@example.org' }, '192.0.2.201')).statusCode).toBe(202);
  });

  it('needs a fresh proof to add a passkey or change settings, and tells every verified channel about a change', async () => {
    // The attacker holds a session issued a while ago (a stolen cookie, a shared computer left signed in).
    const stale = await app.consumerSessions.issue(accountId, 'otp_sms');
    app.clock.advance(minutes(6));
    const options = await asConsumer('POST', '/v1/me/passkeys/options', stale.token);
    expect(options.statusCode).toBe(403);
    expect(options.json().error.code).toBe('fresh_proof_required');
    const off = await asConsumer('PUT', '/v1/me/security', stale.token, { always_verify: true });
    expect(off.statusCode).toBe(403);
    const remove = await asConsumer('DELETE', '/v1/me/passkeys/pky_0000000001', stale.token);
    expect(remove.statusCode).toBe(403);
    expect(await count('SELECT count(*)::int AS n FROM webauthn_ceremonies WHERE account_id = $1', [accountId])).toBe(
      0,
    );
    // Reading is fine with the stale session.
    expect((await asConsumer('GET', '/v1/me/security', stale.token)).statusCode).toBe(200);

    // Anna signs in (a code just now is the fresh proof) and changes a setting: a notice to her e-mail and phone.
    const started = await anonymous('/v1/me/sign-in', { email: annaEmail }, '192.0.2.50');
    const code = codeOf((await lastMessageTo(app, annaEmail))!.text)!;
    const { token } = (
      await anonymous('/v1/me/sign-in/verify', { sign_in_id: started.json().sign_in_id, code })
    ).json();
    expect((await asConsumer('POST', '/v1/me/passkeys/options', token)).statusCode).toBe(200);
    const changed = await asConsumer('PUT', '/v1/me/security', token, { always_verify: true });
    expect(changed.statusCode, changed.body).toBe(200);
    const notices = await app.database.query<{ recipient: string; payload: { channel: string; text: string } }>(
      `SELECT recipient, payload FROM outbox WHERE payload->>'kind' = 'security_notice' ORDER BY seq`,
    );
    expect(notices.map((notice) => [notice.recipient, notice.payload.channel]).sort()).toEqual(
      [
        [annaPhone, 'sms'],
        [annaEmail, 'email'],
      ].sort(),
    );
    const textTo = (channel: string) => notices.find((notice) => notice.payload.channel === channel)!.payload.text;
    expect(textTo('sms')).toMatch(
      /^Rearguard: "altijd controleren" aangezet( op .*)?\. Niet u\? http:\/\/\S+\/security-report\//,
    );
    expect(textTo('email')).toMatch(/"altijd controleren" aangezet op uw Rearguard-account\./);
    expect(textTo('email')).toMatch(/Dit was ik niet: http:\/\/\S+\/security-report\/acc_/);
  });
});

describe('client addresses behind a trusted load balancer', () => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication('pglite', {}, { TRUST_PROXY: '10.0.0.0/8' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('counts per forwarded client address when the request came through the trusted proxy', async () => {
    const signIn = (remoteAddress: string, forwardedFor: string, index: number) =>
      app.server.inject({
        method: 'POST',
        url: '/v1/me/sign-in',
        remoteAddress,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        payload: JSON.stringify({ email: `person${index}@example.org` }),
      });
    // Thirty shoppers behind the load balancer are thirty clients, not one.
    for (let index = 0; index < 30; index += 1) {
      expect((await signIn('10.0.0.2', `198.51.100.${index}`, index)).statusCode).toBe(202);
    }
    // One shopper is still one client, whichever balancer node forwards it.
    const statuses: number[] = [];
    for (let index = 0; index < 22; index += 1) {
      statuses.push((await signIn(`10.0.0.${2 + (index % 3)}`, '203.0.113.9', 100 + index)).statusCode);
    }
    expect(statuses.slice(0, 20).every((status) => status === 202)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});
