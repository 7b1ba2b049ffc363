// "I did not ask for this code" / "this was not me": the link in a sign-in code or security notice opens a page that acts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, type TestApplication } from '../application.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { importAnna, lastMessageTo } from '../stepup/stepup.fixtures.ts';

const codeOf = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? null;
const reportPathOf = (text: string) => /https?:\/\/[^/\s]+(\/security-report\/[\w.-]+)/.exec(text)?.[1] ?? null;

describe.each(databaseKinds)('security report page on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  const anonymous = (method: 'GET' | 'POST', url: string, body?: unknown, headers?: Record<string, string>) =>
    app.request(method, url, { key: null, body, ...(headers ? { headers } : {}) });
  const security = (token: string) =>
    app.request('GET', '/v1/me/security', { key: null, headers: { cookie: `rg_consumer=${token}` } });

  async function startSignIn() {
    const started = await anonymous('POST', '/v1/me/sign-in', { email: 'anna@example.nl' });
    const message = (await lastMessageTo(app, 'anna@example.nl'))!;
    return { signInId: started.json().sign_in_id as string, message };
  }
  async function signIn() {
    const { signInId, message } = await startSignIn();
    const verified = await anonymous('POST', '/v1/me/sign-in/verify', {
      sign_in_id: signInId,
      code: codeOf(message.text),
    });
    expect(verified.statusCode).toBe(200);
    return verified.json().token as string;
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine: makeRiskEngine() });
    ({ accountId } = await importAnna(app));
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => app.clock.advance(60 * 60_000));

  it('the sign-in code links to a report page (not the portal) that spends the code and signs everyone out', async () => {
    const session = await signIn();
    expect((await security(session)).statusCode).toBe(200);
    const { signInId, message } = await startSignIn();
    const path = reportPathOf(message.text)!;
    expect(path).toMatch(new RegExp(`^/security-report/${signInId}\\.`));
    expect(message.html).toContain(`/security-report/${signInId}.`);

    const page = await anonymous('GET', path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="nl"');
    expect(page.body).toContain('Meld het en meld iedereen af');
    expect(page.body).toContain('<form method="post"');
    const english = await anonymous('GET', `${path}?lang=en`);
    expect(english.body).toContain('Report it and sign everyone out');

    const done = await anonymous('POST', path);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('iedereen die op uw account was ingelogd, is afgemeld');
    // The code from the reported message no longer signs in, and the session that was open has ended.
    const late = await anonymous('POST', '/v1/me/sign-in/verify', { sign_in_id: signInId, code: codeOf(message.text) });
    expect(late.json().error.code).toBe('sign_in_expired');
    expect((await security(session)).statusCode).toBe(401);
    const [report] = await app.database.query<{ account_id: string; sessions_ended: number }>(
      'SELECT account_id, sessions_ended FROM security_reports WHERE subject_id = $1',
      [signInId],
    );
    expect(report).toEqual({ account_id: accountId, sessions_ended: 1 });
    // A second click is harmless and says the same.
    expect((await anonymous('POST', path)).statusCode).toBe(200);
  });

  it('a security notice (always verify switched on) carries a report link that signs the intruder out', async () => {
    const session = await signIn();
    const auth = { key: null, headers: { cookie: `rg_consumer=${session}` } };
    expect((await app.request('PUT', '/v1/me/security', { ...auth, body: { always_verify: true } })).statusCode).toBe(
      200,
    );
    const notice = await lastMessageTo(app, 'anna@example.nl');
    expect(notice).toMatchObject({ kind: 'security_notice', channel: 'email' });
    expect(notice!.subject).toBe('Er is een beveiligingsinstelling van uw Rearguard-account gewijzigd');
    expect(notice!.text).toContain('"altijd controleren" aangezet');
    expect(notice!.html).toContain('Dit was ik niet');
    const path = reportPathOf(notice!.text)!;
    expect(path).toMatch(new RegExp(`^/security-report/${accountId}\\.`));
    expect((await anonymous('POST', path)).statusCode).toBe(200);
    expect((await security(session)).statusCode).toBe(401);
  });

  it('refuses a forged or altered link with the same 404 page, and changes nothing', async () => {
    const session = await signIn();
    for (const path of [
      `/security-report/${accountId}.AAAAAAAAAAAAAAAAAAAA`,
      '/security-report/sgn_unknown.AAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect((await anonymous('GET', path)).statusCode).toBe(404);
      expect((await anonymous('POST', path)).statusCode).toBe(404);
    }
    expect((await anonymous('GET', '/security-report/not-a-token')).statusCode).toBe(404);
    expect((await security(session)).statusCode).toBe(200);
  });
});
