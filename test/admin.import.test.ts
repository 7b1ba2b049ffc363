// Admin API and history import: merchants with keys shown once, NDJSON import with bad lines reported, decision records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication, postImport } from './application.ts';
import type { HistoryEvent, RiskEngine } from '../src/risk/engine.ts';
import { makePlaceholderEngine } from '../src/risk/placeholder.engine.ts';

function recordingEngine(): RiskEngine & { events: HistoryEvent[] } {
  const placeholder = makePlaceholderEngine();
  const events: HistoryEvent[] = [];
  return { decide: placeholder.decide, record: async (event) => void events.push(event), events };
}

const account = {
  type: 'account',
  id: 'ext-42',
  created_at: '2025-01-02T09:00:00Z',
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  phone: '+31612345678',
  date_of_birth: '1985-03-02',
  address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
};
const order = (id: string, outcome: string, extra: Record<string, unknown> = {}) => ({
  type: 'order',
  id,
  placed_at: '2025-02-01T12:00:00Z',
  account_id: 'ext-42',
  merchant: 'Phone Shop',
  merchant_reference: id,
  amount: { value: 12900, currency: 'EUR' },
  customer: { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' },
  device: { id: 'dev-1', ip: '203.0.113.7' },
  outcome,
  outcome_at: '2025-02-10T12:00:00Z',
  ...extra,
});

describe.each(databaseKinds)('admin API and import on %s', (kind) => {
  let app: TestApplication;
  let engine: ReturnType<typeof recordingEngine>;
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, { key: adminKey, body });
  beforeAll(async () => {
    engine = recordingEngine();
    app = await makeTestApplication(kind, { engine });
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a merchant whose key works and is stored only hashed', async () => {
    const created = await admin('POST', '/v1/admin/merchants', { name: 'Webshop B.V.' });
    expect(created.statusCode).toBe(201);
    const { id, api_key: apiKey } = created.json();
    expect(apiKey).toMatch(/^rg_live_/);
    const stored = await app.database.query<{ api_key_hash: string }>(
      'SELECT api_key_hash FROM merchants WHERE id = $1',
      [id],
    );
    expect(stored[0]!.api_key_hash).not.toContain(apiKey);
    expect(stored[0]!.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    const session = await app.request('POST', '/v1/sessions', { body: sessionBody(), key: apiKey });
    expect(session.statusCode).toBe(201);
    expect((await app.request('POST', '/v1/admin/merchants', { body: { name: 'x' } })).statusCode).toBe(401);
    expect((await admin('POST', '/v1/admin/merchants', { name: '' })).json().error).toMatchObject({
      code: 'invalid_request',
      field: 'name',
    });
  });

  it('imports accounts and orders as history and reports bad lines without failing', async () => {
    const lines = [
      JSON.stringify(account),
      JSON.stringify(order('o-1', 'paid_on_time')),
      '{not json',
      JSON.stringify(order('o-2', 'fraud_confirmed', { fraud_kind: 'fraud_third_party', typology: 'identity_misuse' })),
      JSON.stringify({ ...order('o-3', 'paid_late'), amount: { value: -1, currency: 'EUR' } }),
      JSON.stringify(order('o-4', 'unpaid', { account_id: 'ext-unknown' })),
      '',
      JSON.stringify({
        type: 'order',
        placed_at: '2025-03-01T10:00:00Z',
        amount: { value: 500, currency: 'EUR' },
        outcome: 'open',
        customer: { email: 'Guest@Example.com' },
      }),
      JSON.stringify({
        type: 'order',
        placed_at: '2025-03-02T10:00:00Z',
        amount: { value: 700, currency: 'EUR' },
        outcome: 'paid_on_time',
        customer: { email: 'guest@example.com' },
      }),
      JSON.stringify(order('o-1', 'paid_on_time')),
      JSON.stringify({ type: 'refund' }),
    ].join('\n');
    const response = await postImport(app.server, lines);
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result.imported).toBe(5);
    expect(result.rejected.map((rejection: { line: number }) => rejection.line)).toEqual([3, 5, 6, 10, 11]);
    expect(result.rejected[0].error).toMatch(/^invalid_json/);
    expect(result.rejected[1].error).toContain('amount.value');
    expect(result.rejected[2].error).toMatch(/^unknown_account/);
    expect(result.rejected[3].error).toMatch(/^duplicate_order/);

    const [stored] = await app.database.query<{
      accounts: number;
      orders: number;
      payments: number;
      labels: number;
      verified: number;
    }>(`
      SELECT (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM orders WHERE source = 'import') AS orders,
             (SELECT count(*)::int FROM payments) AS payments, (SELECT count(*)::int FROM labels) AS labels,
             (SELECT count(*)::int FROM channels WHERE verified_at IS NOT NULL) AS verified`);
    // ext-42 plus one guest account shared by the two guest orders (e-mail matched case-insensitively). ext-42 had an
    // order confirmed as third-party fraud, so its channels (the line is silent about them) are not verified.
    expect(stored).toEqual({ accounts: 2, orders: 4, payments: 2, labels: 1, verified: 0 });
    const [label] = await app.database.query<{ label: string; typology: string; known_at: Date }>(
      'SELECT label, typology, known_at FROM labels',
    );
    expect(label).toEqual({
      label: 'fraud_third_party',
      typology: 'identity_misuse',
      known_at: new Date('2025-02-10T12:00:00Z'),
    });
    const invoices = await app.database.query<{ status: string; paid_amount: number }>(
      "SELECT i.status, i.paid_amount FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.external_id = 'o-1'",
    );
    expect(invoices).toEqual([{ status: 'paid', paid_amount: 12900 }]);

    // The online state heard of every fact, once, in time order.
    const kinds = engine.events.map((event) => event.kind);
    expect(kinds.filter((k) => k === 'order')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'label')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'payment')).toHaveLength(2);
    const times = engine.events.map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const annaChannel = engine.events.find((event) => event.kind === 'channel' && event.value === 'anna@example.nl');
    expect(annaChannel).toMatchObject({ verifiedAt: null });
  });

  it('verifies a channel where the line says so, else only with paid history and never after third-party fraud', async () => {
    const person = (id: string, extra: Record<string, unknown> = {}) => ({
      ...account,
      id,
      email: `${id}@example.nl`,
      phone: `+3161234${String(5000 + Number(id.slice(-2))).padStart(4, '0')}`,
      ...extra,
    });
    const paid = (accountId: string, id: string, outcome = 'paid_on_time', extra: Record<string, unknown> = {}) => ({
      ...order(id, outcome, extra),
      account_id: accountId,
    });
    const lines = [
      person('ch-01', { email_verified_at: '2024-05-01T10:00:00Z', phone_verified_at: null }),
      person('ch-02'),
      paid('ch-02', 'ch-02-a'),
      person('ch-03'),
      paid('ch-03', 'ch-03-a', 'open'),
      person('ch-04'),
      paid('ch-04', 'ch-04-a'),
      paid('ch-04', 'ch-04-b', 'fraud_confirmed', { fraud_kind: 'fraud_third_party' }),
    ];
    const response = await postImport(app.server, lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(response.json()).toMatchObject({ imported: lines.length, rejected: [] });
    const rows = await app.database.query<{ external_id: string; kind: string; verified_at: Date | null }>(
      `SELECT a.external_id, c.kind, c.verified_at FROM channels c JOIN accounts a ON a.id = c.account_id
       WHERE a.external_id LIKE 'ch-%' ORDER BY a.external_id, c.kind`,
    );
    const verified = Object.fromEntries(
      rows.map((row) => [`${row.external_id}:${row.kind}`, row.verified_at?.toISOString() ?? null]),
    );
    expect(verified).toEqual({
      'ch-01:email': '2024-05-01T10:00:00.000Z',
      'ch-01:phone': null,
      // From the first paid invoice on.
      'ch-02:email': '2025-02-10T12:00:00.000Z',
      'ch-02:phone': '2025-02-10T12:00:00.000Z',
      'ch-03:email': null,
      'ch-03:phone': null,
      'ch-04:email': null,
      'ch-04:phone': null,
    });
    // The online state hears the same: the paid customer's channel is verified, the ghost account's is not.
    const lastFor = (value: string) =>
      engine.events.findLast((event) => event.kind === 'channel' && event.value === value) as
        { verifiedAt: number | null } | undefined;
    expect(lastFor('ch-02@example.nl')?.verifiedAt).toBe(Date.parse('2025-02-10T12:00:00Z'));
    expect(lastFor('ch-04@example.nl')?.verifiedAt).toBeNull();
  });

  it('rejects an import that is not NDJSON', async () => {
    const response = await app.request('POST', '/v1/admin/import', { key: adminKey, body: { type: 'account' } });
    expect(response.statusCode).toBe(415);
  });

  it('lists decision records with features, rule results, versions and paging', async () => {
    for (let index = 0; index < 3; index++) {
      const session = (
        await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: `rec-${index}` }) })
      ).json();
      await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    }
    const first = (await admin('GET', '/v1/admin/decisions?limit=2')).json();
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    expect(first.data[0]).toMatchObject({
      decision: expect.any(String),
      reasons: expect.any(Array),
      features: expect.any(Object),
      rule_results: expect.any(Array),
      versions: { engine: expect.any(String) },
      input: { merchant_reference: 'rec-0' },
      latency_us: expect.any(Number),
    });
    const second = (await admin('GET', `/v1/admin/decisions?limit=2&cursor=${first.next_cursor}`)).json();
    expect(second.data[0].seq).toBeGreaterThan(first.data[1].seq);
    expect((await admin('GET', '/v1/admin/decisions?limit=0')).json().error.field).toBe('limit');
  });
});

describe('admin API without REARGUARD_ADMIN_KEY', () => {
  it('does not exist', async () => {
    const { makeApplication } = await import('../src/app.ts');
    const { loadConfig } = await import('../src/config.ts');
    const { makeTestDatabase } = await import('./databases.ts');
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    if (!config.ok) throw new Error('config');
    const app = await makeApplication(config.config, { database: await makeTestDatabase('pglite') });
    const response = await app.server.inject({ method: 'POST', url: '/v1/admin/merchants', payload: { name: 'x' } });
    expect(response.statusCode).toBe(404);
    await app.close();
  });
});

describe('import of sparse history', () => {
  it('accepts orders without names or addresses and the engine still decides for that account', async () => {
    const app = await makeTestApplication('pglite');
    try {
      const sparse = [
        { type: 'account', id: 'bare-1', created_at: '2025-01-01T00:00:00Z' },
        {
          type: 'order',
          placed_at: '2025-02-01T00:00:00Z',
          account_id: 'bare-1',
          amount: { value: 1500, currency: 'EUR' },
          outcome: 'paid_on_time',
        },
        {
          type: 'order',
          placed_at: '2025-02-02T00:00:00Z',
          amount: { value: 900, currency: 'EUR' },
          outcome: 'unpaid',
          extra_merchant_data: { merchant_account_age_days: 3 },
        },
      ];
      const response = await postImport(app.server, sparse.map((line) => JSON.stringify(line)).join('\n'));
      expect(response.json()).toEqual({ imported: 3, rejected: [] });
      const session = (await app.request('POST', '/v1/sessions', { body: sessionBody() })).json();
      expect((await app.request('POST', `/v1/sessions/${session.id}/authorize`)).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
