// Contract tests of the merchant checkout API, against PGlite and (when DATABASE_URL is set) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';

describe.each(databaseKinds)('checkout API on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a session, authorizes it and exposes the order with its invoice', async () => {
    const created = await app.request('POST', '/v1/sessions', { body: sessionBody() });
    expect(created.statusCode).toBe(201);
    const session = created.json();
    expect(session).toMatchObject({
      status: 'open',
      merchant_reference: 'order-1001',
      amount: { value: 93900, currency: 'EUR' },
    });
    expect(session.id).toMatch(/^ses_/);

    const authorized = await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    expect(authorized.statusCode).toBe(200);
    const decision = authorized.json();
    expect(['approved', 'step_up', 'review', 'declined']).toContain(decision.decision);
    expect(decision.reasons.length).toBeGreaterThan(0);
    for (const reason of decision.reasons)
      expect(reason).toEqual({ code: expect.any(String), message: expect.any(String) });
    if (decision.decision === 'approved') {
      expect(decision.order.id).toMatch(/^ord_/);
      const order = await app.request('GET', `/v1/orders/${decision.order.id}`);
      expect(order.statusCode).toBe(200);
      expect(order.json()).toMatchObject({
        id: decision.order.id,
        session_id: session.id,
        amount: { value: 93900 },
        invoice: { status: 'open' },
      });
      const due = Date.parse(order.json().invoice.due_at) - app.clock.now();
      expect(due).toBe(14 * 86_400_000);
    }

    const read = await app.request('GET', `/v1/sessions/${session.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id: session.id,
      status: decision.decision,
      decision: { id: decision.decision_id },
    });
  });

  it('never creates a second order when authorize is retried, with or without a key', async () => {
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: 'retry-1' }) })
    ).json();
    const first = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
    const second = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
    expect(second).toEqual(first);
    const parallel = await Promise.all(
      [1, 2, 3].map(() =>
        app.request('POST', `/v1/sessions/${session.id}/authorize`, { headers: { 'idempotency-key': 'same' } }),
      ),
    );
    for (const response of parallel) {
      if (response.statusCode === 200) expect(response.json()).toEqual(first);
      else expect(response.json().error.code).toBe('idempotency_request_in_progress');
    }
    const orders = await app.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM orders WHERE session_id = $1',
      [session.id],
    );
    expect(orders[0]!.count).toBe(first.decision === 'approved' ? 1 : 0);
    const decisions = await app.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1',
      [session.id],
    );
    expect(decisions[0]!.count).toBe(1);
  });

  it('concurrent authorizes of one session decide once', async () => {
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: 'race-1' }) })
    ).json();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => app.request('POST', `/v1/sessions/${session.id}/authorize`)),
    );
    const bodies = results.map((result) => result.json());
    for (const body of bodies) expect(body.decision_id).toBe(bodies[0].decision_id);
    const decisions = await app.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1',
      [session.id],
    );
    expect(decisions[0]!.count).toBe(1);
  });

  it('replays a session create with the same Idempotency-Key and rejects a different body with 409', async () => {
    const headers = { 'idempotency-key': 'create-abc' };
    const first = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ merchant_reference: 'idem-1' }),
      headers,
    });
    const again = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ merchant_reference: 'idem-1' }),
      headers,
    });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const different = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ merchant_reference: 'idem-2' }),
      headers,
    });
    expect(different.statusCode).toBe(409);
    expect(different.json().error.code).toBe('idempotency_key_reused');
    const count = await app.database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM sessions WHERE input->>'merchant_reference' LIKE 'idem-%'",
    );
    expect(count[0]!.count).toBe(1);
  });

  it('isolates merchants: another merchant sees 404 for sessions and orders that are not its own', async () => {
    const other = await app.merchants.create('Other Shop');
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: 'iso-1' }) })
    ).json();
    const decision = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
    for (const url of [`/v1/sessions/${session.id}`, ...(decision.order ? [`/v1/orders/${decision.order.id}`] : [])]) {
      const response = await app.request('GET', url, { key: other.api_key });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
    const authorize = await app.request('POST', `/v1/sessions/${session.id}/authorize`, { key: other.api_key });
    expect(authorize.statusCode).toBe(404);
    // Same Idempotency-Key from two merchants: independent.
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await app.request('POST', '/v1/sessions', { body: sessionBody(), headers });
    const theirs = await app.request('POST', '/v1/sessions', { body: sessionBody(), headers, key: other.api_key });
    expect(theirs.json().id).not.toBe(mine.json().id);
  });

  it('rejects bad input with a stable code and the field at fault', async () => {
    const cases: Array<[unknown, number, string, string | undefined]> = [
      [sessionBody({ amount: { value: -5, currency: 'EUR' } }), 400, 'invalid_request', 'amount.value'],
      [
        sessionBody({ customer: { name: 'A', email: 'not-an-email', phone: '+31612345678' } }),
        400,
        'invalid_request',
        'customer.email',
      ],
      [sessionBody({ lines: [] }), 400, 'invalid_request', 'lines'],
      [sessionBody({ billing_address: { street: 'x' } }), 400, 'invalid_request', 'billing_address.house_number'],
      ['{"amount":', 400, 'invalid_json', 'body'],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await app.request('POST', '/v1/sessions', { body });
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(response.json().error).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(response.json().error.message).toContain(field ?? '');
    }
    expect((await app.request('POST', '/v1/sessions', { body: sessionBody(), key: 'rg_live_wrong' })).statusCode).toBe(
      401,
    );
    expect((await app.request('POST', '/v1/sessions', { body: sessionBody(), key: null })).json().error.code).toBe(
      'unauthorized',
    );
    expect((await app.request('GET', '/v1/sessions/ses_doesnotexist')).statusCode).toBe(404);
    expect((await app.request('GET', '/v1/sessions/../../etc')).statusCode).toBe(404);
    expect((await app.request('GET', '/v1/orders/ord_unknown')).json().error.code).toBe('not_found');
    const wrongType = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { authorization: `Bearer ${app.merchant.api_key}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().error.code).toBe('unsupported_media_type');
  });

  it('serves health, metrics and an OpenAPI document generated from the schemas', async () => {
    expect((await app.request('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const metrics = await app.request('GET', '/metrics');
    expect(metrics.body).toContain('rearguard_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('rearguard_decisions_total');
    expect(metrics.body).toContain('rearguard_decision_duration_seconds_bucket');
    const openapi = (await app.request('GET', '/openapi.json')).json();
    expect(openapi.openapi).toBe('3.1.0');
    const create = openapi.paths['/v1/sessions'].post;
    expect(create.requestBody.content['application/json'].schema.properties.amount.properties.value.type).toBe(
      'integer',
    );
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sessions',
        '/v1/sessions/{id}/authorize',
        '/v1/sessions/{id}',
        '/v1/orders/{id}',
        '/v1/admin/import',
      ]),
    );
  });
});
