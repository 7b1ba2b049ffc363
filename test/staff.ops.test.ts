// Staff of the fraud desk through the HTTP API: an enrolment link from the admin key, passkey sign-in with a
// session cookie, roles, the audit trail, and four eyes on confirmed fraud and ruleset activation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { makeSoftwareAuthenticator } from './software-authenticator.ts';
import { reviewLargeRuleset } from './review-ruleset.ts';

describe.each(databaseKinds)('staff and four eyes on %s', (kind) => {
  let app: TestApplication;
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, { key: adminKey, body });
  /** A staff member's browser: their passkey and, once signed in, their cookie. */
  const desk = new Map<string, { authenticator: ReturnType<typeof makeSoftwareAuthenticator>; cookie: string }>();
  const as = (name: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, {
      key: null,
      body: body ?? (method === 'POST' ? {} : undefined),
      headers: { cookie: desk.get(name)?.cookie ?? '' },
    });

  async function enrol(name: string, token: string) {
    const authenticator = makeSoftwareAuthenticator();
    const options = await app.request('POST', '/v1/ops/enrolment/options', { key: null, body: { token } });
    expect(options.statusCode).toBe(200);
    const { ceremony_id, options: creation } = options.json();
    const verified = await app.request('POST', '/v1/ops/enrolment/verify', {
      key: null,
      body: { token, ceremony_id, response: authenticator.register(creation) },
    });
    expect(verified.statusCode).toBe(200);
    const setCookie = String(verified.headers['set-cookie']);
    desk.set(name, { authenticator, cookie: setCookie.split(';')[0]! });
    return { response: verified, setCookie };
  }

  async function createStaff(by: string, name: string, role: 'analyst' | 'lead' | 'admin') {
    const created = await as(by, 'POST', '/v1/ops/staff', { name, role });
    expect(created.statusCode).toBe(201);
    await enrol(name, created.json().enrolment_token);
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind);
    expect(
      (await admin('POST', '/v1/admin/rulesets', { ruleset: reviewLargeRuleset('review-large-1'), activate: true }))
        .statusCode,
    ).toBe(201);
    expect((await admin('POST', '/v1/admin/rulesets/review-large-1/activate')).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app.close();
  });

  it('bootstraps the first admin from the admin key with a one-time link and signs them in by cookie', async () => {
    const created = await admin('POST', '/v1/admin/staff', { name: 'Ada', role: 'admin' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.staff).toMatchObject({ name: 'Ada', role: 'admin' });
    // The token sits in the URL fragment, which browsers never send to a server.
    expect(body.enrolment_url).toBe(`http://localhost:8080/console/#enrol=${body.enrolment_token}`);
    const { setCookie } = await enrol('Ada', body.enrolment_token);
    expect(setCookie).toMatch(/^rg_staff=rgs_[A-Za-z0-9_-]+; HttpOnly; Path=\/; SameSite=Strict; Max-Age=\d+$/);
    expect((await as('Ada', 'GET', '/v1/ops/me')).json()).toMatchObject({ name: 'Ada', role: 'admin' });

    // The link works once.
    const again = await app.request('POST', '/v1/ops/enrolment/options', {
      key: null,
      body: { token: body.enrolment_token },
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('enrolment_link_invalid');
    // No cookie, no console; the admin key is for machines and does not open /v1/ops.
    expect((await app.request('GET', '/v1/ops/me', { key: null })).json().error.code).toBe('staff_sign_in_required');
    expect((await app.request('GET', '/v1/ops/me', { key: adminKey })).statusCode).toBe(401);
    expect(
      (await app.request('GET', '/v1/ops/me', { key: null, headers: { cookie: 'rg_staff=rgs_forged' } })).statusCode,
    ).toBe(401);
  });

  it('signs staff in with their passkey, enforces roles, and signs out', async () => {
    await createStaff('Ada', 'Bram', 'analyst');
    await createStaff('Ada', 'Lotte', 'lead');
    await createStaff('Ada', 'Sam', 'analyst');
    const bram = desk.get('Bram')!;
    expect((await as('Bram', 'POST', '/v1/ops/sign-out')).statusCode).toBe(204);
    expect((await as('Bram', 'GET', '/v1/ops/me')).statusCode).toBe(401);

    const options = (await app.request('POST', '/v1/ops/sign-in/options', { key: null })).json();
    const assertion = bram.authenticator.authenticate(options.options);
    const signedIn = await app.request('POST', '/v1/ops/sign-in/verify', {
      key: null,
      body: { ceremony_id: options.ceremony_id, response: assertion },
    });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().staff).toMatchObject({ name: 'Bram', role: 'analyst' });
    bram.cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    // A ceremony answers once: a replayed assertion is refused.
    const replayed = await app.request('POST', '/v1/ops/sign-in/verify', {
      key: null,
      body: { ceremony_id: options.ceremony_id, response: assertion },
    });
    expect(replayed.json().error.code).toBe('invalid_passkey');
    const badBody = await app.request('POST', '/v1/ops/sign-in/verify', { key: null, body: { ceremony_id: 'x' } });
    expect(badBody.statusCode).toBe(400);

    expect((await as('Bram', 'GET', '/v1/ops/me')).json().name).toBe('Bram');
    const refused = await as('Bram', 'POST', '/v1/ops/staff', { name: 'Eve', role: 'admin' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('staff_role_required');
    expect((await as('Bram', 'GET', '/v1/ops/audit')).statusCode).toBe(403);
    // The route's staff auth runs before its input is read: no one learns the shape of a request they may not make.
    const outsider = await app.request('POST', '/v1/ops/staff', { key: null, body: { name: '' } });
    expect([outsider.statusCode, outsider.json().error.code]).toEqual([401, 'staff_sign_in_required']);
    const underRanked = await as('Bram', 'POST', '/v1/ops/staff', { name: '' });
    expect([underRanked.statusCode, underRanked.json().error.code]).toEqual([403, 'staff_role_required']);
    const malformed = await as('Lotte', 'GET', '/v1/ops/staff?limit=0');
    expect([malformed.statusCode, malformed.json().error.field]).toEqual([400, 'limit']);
    expect((await as('Lotte', 'GET', '/v1/ops/staff')).json().data.map((row: { name: string }) => row.name)).toEqual([
      'Ada',
      'Bram',
      'Lotte',
      'Sam',
    ]);
  });

  it('works a review item to approval as a named analyst, audited with before and after', async () => {
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: 'ops-1' }) })
    ).json();
    expect((await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json().decision).toBe('review');
    const queue = (await as('Bram', 'GET', '/v1/ops/reviews?status=pending')).json();
    const item = queue.data.find((row: { session_id: string }) => row.session_id === session.id);
    const approved = await as('Bram', 'POST', `/v1/ops/reviews/${item.id}/approve`, { note: 'called the customer' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().resolution).toMatchObject({ by: 'Bram', source: 'analyst' });
    const trail = (await as('Lotte', 'GET', `/v1/ops/audit?subject=${item.id}`)).json().data;
    expect(trail).toEqual([
      expect.objectContaining({
        actor: 'Bram',
        action: 'review.approve',
        before: { status: 'pending' },
        after: expect.objectContaining({ outcome: 'approved', order_id: expect.stringMatching(/^ord_/) }),
        at: expect.any(String),
      }),
    ]);
  });

  it('closes a case as confirmed fraud only when a second person confirms', async () => {
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: 'ops-fraud' }) })
    ).json();
    await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    const item = (await as('Bram', 'GET', '/v1/ops/reviews?status=pending'))
      .json()
      .data.find((row: { session_id: string }) => row.session_id === session.id);
    const orderId = (await as('Bram', 'POST', `/v1/ops/reviews/${item.id}/approve`)).json().resolution.order_id;
    const claim = await admin('POST', '/v1/admin/claims', { order_id: orderId, kind: 'not_mine' });
    expect(claim.statusCode).toBe(201);
    const caseId = claim.json().case_id as string;

    const requested = await as('Bram', 'POST', `/v1/ops/cases/${caseId}/resolve`, {
      outcome: 'fraud_confirmed',
      note: 'victim confirmed by phone',
    });
    expect(requested.statusCode).toBe(202);
    const approval = requested.json();
    expect(approval).toMatchObject({ action: 'case.confirm_fraud', subject: caseId, status: 'pending' });
    expect((await admin('GET', `/v1/admin/cases/${caseId}`)).json().status).toBe('open');
    const twice = await as('Sam', 'POST', `/v1/ops/cases/${caseId}/resolve`, {
      outcome: 'fraud_confirmed',
      note: 'me too',
    });
    expect(twice.json().error.code).toBe('approval_pending');

    const self = await as('Bram', 'POST', `/v1/ops/approvals/${approval.id}/confirm`);
    expect(self.statusCode).toBe(403);
    expect(self.json().error.code).toBe('four_eyes_required');
    expect((await admin('GET', `/v1/admin/cases/${caseId}`)).json().status).toBe('open');

    const confirmed = await as('Sam', 'POST', `/v1/ops/approvals/${approval.id}/confirm`);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().approval).toMatchObject({
      status: 'confirmed',
      decided_by: expect.stringMatching(/^stf_/),
    });
    expect((await admin('GET', `/v1/admin/cases/${caseId}`)).json()).toMatchObject({ status: 'resolved' });
    expect((await as('Sam', 'POST', `/v1/ops/approvals/${approval.id}/confirm`)).json().error.code).toBe(
      'approval_not_pending',
    );
    const trail = (await as('Ada', 'GET', `/v1/ops/audit?subject=${caseId}`)).json().data;
    expect(trail.map((entry: { actor: string; action: string }) => `${entry.actor}:${entry.action}`)).toEqual([
      'Bram:approval.request:case.confirm_fraud',
      'Sam:approval.confirm:case.confirm_fraud',
    ]);
  });

  it('activates a ruleset only after a second lead or admin confirms', async () => {
    expect(
      (await admin('POST', '/v1/admin/rulesets', { ruleset: reviewLargeRuleset('review-large-2') })).statusCode,
    ).toBe(201);
    expect((await as('Bram', 'POST', '/v1/ops/rulesets/review-large-2/activate')).statusCode).toBe(403);
    expect((await as('Lotte', 'POST', '/v1/ops/rulesets/nope/activate')).statusCode).toBe(404);
    const requested = await as('Lotte', 'POST', '/v1/ops/rulesets/review-large-2/activate');
    expect(requested.statusCode).toBe(202);
    const approval = requested.json();
    expect(app.rulesets.current().version).toBe('review-large-1');
    // The preview replays the recorded history: both orders of EUR 939 would go to review under this version.
    const preview = await as('Bram', 'POST', '/v1/ops/rulesets/review-large-2/backtest');
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ ruleset: 'review-large-2', orders: 2, outcomes: { review: { orders: 2 } } });
    expect((await as('Bram', 'POST', '/v1/ops/rulesets/nope/backtest')).statusCode).toBe(404);
    expect((await as('Lotte', 'POST', `/v1/ops/approvals/${approval.id}/confirm`)).statusCode).toBe(403);
    const pending = (await as('Ada', 'GET', '/v1/ops/approvals?status=pending')).json();
    expect(pending).toMatchObject({
      data: [expect.objectContaining({ id: approval.id })],
      has_more: false,
      next_cursor: null,
    });
    const confirmed = await as('Ada', 'POST', `/v1/ops/approvals/${approval.id}/confirm`);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().result).toEqual({ active_version: 'review-large-2' });
    expect(app.rulesets.current().version).toBe('review-large-2');
  });

  it('lists alerts and acknowledges each once, audited', async () => {
    await app.database.query(
      `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ('alr_test1', 'case_sla_breached', 'cas_x', 'late', now())`,
    );
    const open = (await as('Sam', 'GET', '/v1/ops/alerts?open=true')).json();
    expect(open).toMatchObject({
      data: [expect.objectContaining({ id: 'alr_test1', acknowledged_at: null })],
      has_more: false,
    });
    const acknowledged = await as('Sam', 'POST', '/v1/ops/alerts/alr_test1/acknowledge');
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json().acknowledged_at).toEqual(expect.any(String));
    expect((await as('Bram', 'POST', '/v1/ops/alerts/alr_test1/acknowledge')).json().error.code).toBe(
      'alert_acknowledged',
    );
    expect((await as('Bram', 'POST', '/v1/ops/alerts/alr_unknown/acknowledge')).statusCode).toBe(404);
    expect((await as('Sam', 'GET', '/v1/ops/alerts?open=true')).json().data).toEqual([]);
    expect((await app.request('GET', '/v1/ops/alerts', { key: null })).statusCode).toBe(401);
    const trail = (await as('Ada', 'GET', '/v1/ops/audit?subject=alr_test1')).json().data;
    expect(trail).toEqual([expect.objectContaining({ actor: 'Sam', action: 'alert.acknowledge' })]);
    const cases = (await as('Bram', 'GET', '/v1/ops/cases?status=resolved')).json();
    expect(cases.data).toEqual([expect.objectContaining({ status: 'resolved', resolution: 'fraud_confirmed' })]);
  });
});
