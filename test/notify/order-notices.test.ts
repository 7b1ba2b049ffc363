// "Was this you?": every approval tells the holder on a channel on file; "This was not me" files a claim, once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import type { Decision, RiskEngine } from '../../src/risk/engine.ts';
import { attackerSession, authorize, codeIn, importAnna, lastMessageTo } from '../stepup/stepup.fixtures.ts';

const linkIn = (text: string) => /(http:\/\/localhost:8080\/v1\/notices\/\S+)$/.exec(text)?.[1] ?? null;
const pathOf = (link: string) => new URL(link).pathname;

describe.each(databaseKinds)('"was this you?" notices on %s', (kind) => {
  let app: TestApplication;
  let accountId: string;
  let decision: Decision;
  const engine: RiskEngine = { decide: async () => decision, record: async () => {} };
  const approvedAs = (id: string | null): Decision => ({
    outcome: 'approved',
    reasons: [{ code: 'approved', message: 'Approved.' }],
    score: 0.1,
    features: {},
    ruleResults: [],
    accountId: id,
    challengeOptions: [],
    versions: { engine: 'test', ruleset: null, model: null },
  });
  let reference = 0;
  const approvedOrder = async () => {
    decision = approvedAs(accountId);
    const result = await authorize(app, attackerSession({ merchant_reference: `notice-${++reference}` }));
    expect(result.body.decision).toBe('approved');
    return result.body.order.id as string;
  };

  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine });
    ({ accountId } = await importAnna(app));
    // The merchant subscribed to hold-shipment webhooks (delivery itself is tested with buyer protection).
    const subscribed = await app.request('POST', '/v1/webhooks', {
      body: { url: 'https://hooks.example.com/rearguard', events: ['order.hold_shipment', 'order.claimed'] },
    });
    expect(subscribed.statusCode, subscribed.body).toBe(201);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => app.clock.advance(60 * 60_000));

  it('tells the account holder on the verified e-mail on file: amount, merchant, delivery address, a link', async () => {
    await approvedOrder();
    const message = await lastMessageTo(app, 'anna@example.nl');
    expect(message).toMatchObject({ channel: 'email', kind: 'order_notice' });
    // Dutch by default: what happened, what to do, what not to do, and the link, as text and as HTML.
    expect(message!.text).toMatch(
      /^Er is zojuist op uw naam een bestelling geplaatst van €\s939,00 bij Test Shop, te bezorgen op Industrieweg 99, Rotterdam\.\n[\s\S]*Aangifte bij de politie is niet nodig\.[\s\S]*Dit was ik niet: http:\/\/localhost:8080\/v1\/notices\/ntc_\w+\.[\w-]+$/,
    );
    expect(message!.html).toContain('Industrieweg 99, Rotterdam');
    expect(message!.html).toMatch(/href="http:\/\/localhost:8080\/v1\/notices\/ntc_\w+\.[\w-]+"/);
    expect(await lastMessageTo(app, 'anna.devries@evil.example')).toBeNull();
  });

  it('"This was not me" works once: a confirmation page, then a not_mine claim, a paused invoice, a held shipment', async () => {
    const orderId = await approvedOrder();
    const link = linkIn((await lastMessageTo(app, 'anna@example.nl'))!.text)!;
    const page = await app.request('GET', pathOf(link), { key: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<html lang="nl"');
    expect(page.body).toContain('€\u00a0939,00');
    expect(page.body).toContain('Dit was ik niet');
    // Times in Amsterdam, not UTC; English on request.
    expect(page.body).toMatch(/geplaatst op \d{1,2} \w+ 20\d\d om \d\d:\d\d/);
    const english = await app.request('GET', `${pathOf(link)}?lang=en`, { key: null });
    expect(english.body).toContain('€939.00');
    expect(english.body).toContain('This was not me');
    // Showing the page records nothing: mail scanners fetch links.
    expect(await app.database.query('SELECT id FROM claims WHERE order_id = $1', [orderId])).toEqual([]);

    const reported = await app.server.inject({ method: 'POST', url: pathOf(link) });
    expect(reported.statusCode, reported.body).toBe(200);
    expect(reported.body).toContain('wij zijn ermee bezig');
    const claims = await app.database.query<{ kind: string; source: string; account_id: string }>(
      'SELECT kind, source, account_id FROM claims WHERE order_id = $1',
      [orderId],
    );
    expect(claims).toEqual([{ kind: 'not_mine', source: 'notice', account_id: accountId }]);
    const [invoice] = await app.database.query<{ status: string }>('SELECT status FROM invoices WHERE order_id = $1', [
      orderId,
    ]);
    expect(invoice!.status).toBe('paused');
    const webhooks = await app.database.query<{ payload: { event: string; data: { order_id: string } } }>(
      "SELECT payload FROM outbox WHERE topic <> 'notification' AND payload->'data'->>'order_id' = $1",
      [orderId],
    );
    expect(webhooks.map((row) => row.payload.event)).toEqual(expect.arrayContaining(['order.hold_shipment']));

    const again = await app.server.inject({ method: 'POST', url: pathOf(link) });
    expect(again.statusCode).toBe(409);
    expect((await app.request('GET', pathOf(link), { key: null })).body).toContain('Al gemeld');
    expect(await app.database.query('SELECT id FROM claims WHERE order_id = $1', [orderId])).toHaveLength(1);
  });

  it('refuses forged or altered links without telling whether the notice exists', async () => {
    await approvedOrder();
    const link = linkIn((await lastMessageTo(app, 'anna@example.nl'))!.text)!;
    const [noticeId] = pathOf(link).split('/').pop()!.split('.');
    const forged = `/v1/notices/${noticeId}.${'A'.repeat(32)}`;
    expect((await app.server.inject({ method: 'POST', url: forged })).statusCode).toBe(404);
    expect((await app.request('GET', forged, { key: null })).statusCode).toBe(404);
    expect((await app.request('GET', '/v1/notices/garbage', { key: null })).statusCode).toBe(404);
  });

  it('the "report it" link in a code message locks the challenge so the code is useless', async () => {
    const [phone] = await app.database.query<{ id: string }>(
      "SELECT id FROM channels WHERE account_id = $1 AND kind = 'phone'",
      [accountId],
    );
    decision = {
      ...approvedAs(accountId),
      outcome: 'step_up',
      challengeOptions: [{ method: 'otp_sms', channelId: phone!.id, maskedTarget: '+31 6 ** ** *678' }],
    };
    const { body } = await authorize(app, sessionBody({ merchant_reference: 'report-1' }));
    // A single code method: the code was sent at once.
    expect(body.challenge.sent).toBe('otp_sms');
    const message = (await lastMessageTo(app, '+31612345678'))!.text;
    const report = /Niet u\? (\S+)$/.exec(message)![1]!;
    expect((await app.request('GET', pathOf(report), { key: null })).body).toContain('Meld het en stop de aankoop');
    const english = await app.request('GET', pathOf(report), {
      key: null,
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(english.body).toContain('Report it and stop the purchase');
    expect((await app.server.inject({ method: 'POST', url: pathOf(report) })).statusCode).toBe(200);
    const verify = await app.request('POST', `/v1/challenges/${body.challenge.id}/verify`, {
      body: { code: codeIn(message) },
    });
    expect(verify.json().error.code).toBe('challenge_locked');
  });
});
