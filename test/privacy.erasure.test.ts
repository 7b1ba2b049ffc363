// Canary erasure: a person planted through every path, erased, and not found again in any table, the online state or the logs.
import { serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, sessionBody, type TestApplication, postImport } from './application.ts';
import { databaseKinds } from './databases.ts';
import { codeIn } from './stepup/stepup.fixtures.ts';
import { makeMemoryFeatureState } from '../src/risk/state/memory.feature-state.ts';
import { readHistory } from '../src/storage/history.reader.ts';

const canaryAddress = {
  street: 'Kanariestraat',
  house_number: '77',
  postal_code: '9999ZZ',
  city: 'Vogeldorp',
  country: 'NL',
};
const canary = {
  name: 'Kanarie Vogelzang',
  email: 'kanarie.vogelzang@canary.example',
  phone: '+31611223344',
  date_of_birth: '1961-07-13',
  iban: 'NL02ABNA0123456789',
};
/** Every spelling the scan looks for: outside restricted storage, none may remain. */
const needles = [
  canary.name,
  'Vogelzang',
  canary.email,
  canary.phone,
  '611223344',
  canaryAddress.street,
  `${canaryAddress.street} ${canaryAddress.house_number}`,
  canary.iban,
  canary.date_of_birth,
];
const dropAddress = { street: 'Loswal', house_number: '3', postal_code: '3044AS', city: 'Rotterdam', country: 'NL' };
const canaryDevice = 'dev-canary-phone';

function history() {
  const order = (id: string, placedAt: string) => ({
    type: 'order',
    id,
    placed_at: placedAt,
    account_id: 'ext-canary',
    merchant: 'Bird Shop',
    merchant_reference: id,
    amount: { value: 4900, currency: 'EUR' },
    customer: { name: canary.name, email: canary.email, phone: canary.phone },
    billing_address: canaryAddress,
    shipping_address: canaryAddress,
    device: { id: canaryDevice, ip: '198.51.100.77' },
    outcome: 'paid_on_time',
    outcome_at: new Date(Date.parse(placedAt) + 5 * 86_400_000).toISOString(),
  });
  return [
    {
      type: 'account',
      id: 'ext-canary',
      created_at: '2025-01-02T09:00:00Z',
      name: canary.name,
      email: canary.email,
      phone: canary.phone,
      date_of_birth: canary.date_of_birth,
      address: canaryAddress,
    },
    order('c-1', '2025-03-01T12:00:00Z'),
    order('c-2', '2025-06-01T12:00:00Z'),
    order('c-3', '2026-01-01T12:00:00Z'),
  ]
    .map((record) => JSON.stringify(record))
    .join('\n');
}

/** Every text, json, jsonb and bytea column of every table, cast to text: where is any needle still found? */
async function scanTables(app: TestApplication): Promise<string[]> {
  const columns = await app.database.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'json', 'jsonb', 'bytea', 'character varying', 'USER-DEFINED', 'ARRAY')
       AND c.table_name <> 'restricted_records'`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const rows = await app.database.query<{ needle: string }>(
      `SELECT needle FROM unnest($1::text[]) AS needle
       WHERE EXISTS (SELECT 1 FROM "${table}" WHERE "${column}"::text ILIKE '%' || needle || '%')`,
      [needles],
    );
    for (const row of rows) found.push(`${table}.${column}: ${row.needle}`);
  }
  return found;
}

function scanBytes(label: string, bytes: Buffer): string[] {
  return needles
    .filter((needle) => bytes.includes(Buffer.from(needle, 'latin1')) || bytes.includes(Buffer.from(needle, 'utf16le')))
    .map((needle) => `${label}: ${needle}`);
}

describe.each(databaseKinds)('canary erasure on %s', (kind) => {
  let app: TestApplication;
  const logLines: string[] = [];
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(method, url, { key: adminKey, headers, ...(body === undefined ? {} : { body }) });

  beforeAll(async () => {
    app = await makeTestApplication(
      kind,
      { logStream: { write: (line: string) => void logLines.push(line) } },
      { LOG_LEVEL: 'debug', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' },
    );
  });
  afterAll(async () => {
    await app.close();
  });

  it('erases the canary everywhere but restricted storage, and their block-list entry still blocks', async () => {
    // Import: the canary's history, with their channels on file.
    const imported = await postImport(app.server, history());
    expect(imported.statusCode, imported.body).toBe(200);
    const [account] = await app.database.query<{ id: string }>(
      "SELECT id FROM accounts WHERE external_id = 'ext-canary'",
    );
    const accountId = account!.id;
    // Webhook payloads: the shop listens to every order event.
    const endpoint = await app.request('POST', '/v1/webhooks', {
      body: {
        url: 'http://127.0.0.1:9/hook',
        events: ['order.approved', 'order.claimed', 'case.resolved', 'invoice.paused'],
      },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);

    // Checkout and step-up: a large order to a new address asks for a code on the canary's phone on file.
    const customer = { ...canary };
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: 'canary-1',
        customer,
        billing_address: canaryAddress,
        shipping_address: dropAddress,
        device: { id: canaryDevice, ip: '198.51.100.77', user_agent: 'Mozilla/5.0' },
      }),
    });
    expect(session.statusCode, session.body).toBe(201);
    const authorized = (await app.request('POST', `/v1/sessions/${session.json().id}/authorize`)).json();
    expect(authorized.decision, JSON.stringify(authorized)).toBe('step_up');
    const challengeId = authorized.challenge.id as string;
    expect(
      (await app.request('POST', `/v1/challenges/${challengeId}/send`, { body: { method: 'otp_sms' } })).statusCode,
    ).toBe(200);
    const [message] = await app.database.query<{ payload: { text: string } }>(
      'SELECT payload FROM outbox WHERE recipient = $1 ORDER BY seq DESC LIMIT 1',
      [canary.phone],
    );
    const verified = await app.request('POST', `/v1/challenges/${challengeId}/verify`, {
      body: { code: codeIn(message!.payload.text) },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const orderId = verified.json().order.id as string;

    // Claim and case: the canary disowns the order through the portal; the desk confirms fraud.
    const { token } = await app.consumerSessions.issue(accountId, 'otp_email');
    const headers = { authorization: `Bearer ${token}` };
    const claim = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: orderId, kind: 'not_mine', message: `Not me: ${canary.name}, ${canary.phone}` },
    });
    expect(claim.statusCode, claim.body).toBe(201);
    const [caseRow] = await app.database.query<{ id: string }>('SELECT id FROM cases WHERE order_id = $1', [orderId]);
    const resolved = await admin('POST', `/v1/admin/cases/${caseRow!.id}/resolve`, {
      outcome: 'fraud_confirmed',
      note: `Parcel for ${canary.name} redirected to ${dropAddress.street}`,
      actor: 'sam',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);

    // The block list: the canary's device and e-mail, listed before the erasure (with a stored idempotent reply).
    for (const [listKind, value] of [
      ['device', canaryDevice],
      ['email', canary.email],
    ] as const) {
      const listed = await admin(
        'POST',
        '/v1/admin/lists',
        { list: 'block', kind: listKind, value, reason: 'seen on confirmed fraud' },
        { 'idempotency-key': `block-${listKind}` },
      );
      expect(listed.statusCode, listed.body).toBe(201);
    }
    // Deliveries: messages to the canary and webhooks to the shop (whose receiver is down: a delivery log with errors).
    await app.outbox.drainOnce();
    const deliveries = await app.database.query('SELECT 1 FROM webhook_deliveries');
    expect(deliveries.length).toBeGreaterThan(0);
    const planted = await scanTables(app);
    expect(planted).not.toEqual([]);
    // Even while on file, the account and its channels (made by the import, reached by the step-up and the notices)
    // hold the canary only sealed and by pseudonym: no plain value in any of their columns.
    expect(planted.filter((hit) => /^(accounts|channels)\./.test(hit))).toEqual([]);

    // A fresh sign-in is needed: an old one is refused with a stable code.
    app.clock.advance(60 * 60_000);
    const stale = await app.request('POST', '/v1/me/erasure', { key: null, headers });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error.code).toBe('fresh_proof_required');
    const fresh = { authorization: `Bearer ${(await app.consumerSessions.issue(accountId, 'otp_email')).token}` };
    const erased = await app.request('POST', '/v1/me/erasure', { key: null, headers: fresh });
    expect(erased.statusCode, erased.body).toBe(200);
    const answer = erased.json();
    expect(answer).toMatchObject({ status: 'done', finished_at: expect.any(String) });
    expect(answer.erased).toEqual(
      expect.arrayContaining([expect.objectContaining({ store: 'delete_accounts', count: 1 })]),
    );
    const kept = Object.fromEntries(answer.kept.map((record: { kind: string }) => [record.kind, record]));
    expect(Object.keys(kept).sort()).toEqual(['fraud_incident', 'invoice']);
    expect(kept.invoice).toMatchObject({ count: 4, legal_basis: expect.stringContaining('7 years') });
    expect(Date.parse(kept.invoice.keep_until)).toBeGreaterThan(app.clock.now() + 5 * 365 * 86_400_000);
    // The receipt shows the same answer after the person is signed out (the session went with the account).
    expect((await app.request('GET', '/v1/me/export', { key: null, headers: fresh })).statusCode).toBe(401);
    expect((await app.request('GET', `/v1/erasure-requests/${answer.id}`, { key: null })).json()).toEqual(answer);

    // Nothing left: every table (outside restricted storage), the online state as served and as rebuilt, the logs.
    expect(await scanTables(app)).toEqual([]);
    expect(scanBytes('online state', serialize(app.featureState.exportData()))).toEqual([]);
    const rebuilt = makeMemoryFeatureState();
    // As a start rebuilds it: with the opener of sealed values (accounts, channels and orders).
    for await (const event of readHistory(app.database, { openInput: app.personalData.open })) rebuilt.applySync(event);
    expect(scanBytes('rebuilt state', serialize(rebuilt.exportData()))).toEqual([]);
    expect(logLines.length).toBeGreaterThan(10);
    expect(scanBytes('logs', Buffer.from(logLines.join('\n'), 'utf8'))).toEqual([]);
    // Restricted storage holds what the law keeps: the tax invoice names the buyer.
    const restricted = await app.database.query<{ payload: unknown }>('SELECT payload FROM restricted_records');
    expect(JSON.stringify(restricted)).toContain(canary.name);
    // The confirmed fraud's case keeps references only: restricted storage opened its values before the shredding.
    const [incident] = await app.database.query<{ payload: { cases: Array<{ evidence: Record<string, unknown> }> } }>(
      `SELECT payload FROM restricted_records WHERE kind = 'fraud_incident'`,
    );
    expect(incident!.payload.cases[0]!.evidence).toMatchObject({
      claimed_identity: { email: canary.email },
      device: { id: canaryDevice },
    });

    // The fraud signal survives: a new order with the canary's device and e-mail is still declined by the block list.
    const returning = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: 'canary-returns',
        customer: { name: 'Someone Else', email: canary.email, phone: '+31699887766' },
        billing_address: dropAddress,
        shipping_address: dropAddress,
        device: { id: canaryDevice, ip: '203.0.113.99' },
      }),
    });
    const decision = (await app.request('POST', `/v1/sessions/${returning.json().id}/authorize`)).json();
    expect(decision.decision).toBe('declined');
    expect(decision.reasons.map((reason: { code: string }) => reason.code)).toContain('blocked');
  });
});
