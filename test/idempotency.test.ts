// Idempotency keys: a claim left by a crash expires and is taken over; answers carrying secrets are not kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, type TestApplication } from './application.ts';
import { databaseKinds, makeTestDatabase } from './databases.ts';
import { makeIdempotencyStore } from '../src/http/idempotency.ts';
import { purgeExpired } from '../src/storage/retention.ts';

describe.each(databaseKinds)('idempotency keys on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind, {}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('takes over a claim whose request never finished once the claim expires', async () => {
    const store = makeIdempotencyStore(app.database, { claimMilliseconds: 30_000 });
    const at = new Date('2026-11-02T10:00:00Z');
    // The first request claims the key and never finishes: its process was killed.
    void store.run('merchant-x', 'POST /v1/things', 'key-1', { a: 1 }, at, () => new Promise(() => {}));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retry = () =>
      store.run('merchant-x', 'POST /v1/things', 'key-1', { a: 1 }, later, async () => ({
        status: 201,
        body: { id: 'thing_1' },
      }));
    let later = new Date(at.getTime() + 5_000);
    await expect(retry()).rejects.toMatchObject({
      status: 409,
      code: 'idempotency_request_in_progress',
      details: { retry_after_seconds: 25 },
    });
    later = new Date(at.getTime() + 30_001);
    expect(await retry()).toEqual({ status: 201, body: { id: 'thing_1' } });
    expect(await retry()).toMatchObject({
      status: 201,
      body: { id: 'thing_1' },
      headers: { 'idempotent-replayed': 'true' },
    });
    const [row] = await app.database.query<{ status_code: number; claimed_until: Date | null }>(
      `SELECT status_code, claimed_until FROM idempotency_keys WHERE merchant_id = 'merchant-x' AND key = 'key-1'`,
    );
    expect(row).toEqual({ status_code: 201, claimed_until: null });
  });

  it('does not keep a new merchant key or webhook secret for replays', async () => {
    const headers = { 'idempotency-key': 'merchant-create-1' };
    const first = await app.request('POST', '/v1/admin/merchants', {
      key: adminKey,
      body: { name: 'Secret Shop' },
      headers,
    });
    expect(first.statusCode).toBe(201);
    const apiKey = first.json().api_key as string;
    const again = await app.request('POST', '/v1/admin/merchants', {
      key: adminKey,
      body: { name: 'Secret Shop' },
      headers,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('idempotency_response_withheld');
    expect(again.body).not.toContain(apiKey);

    const hook = { url: 'http://127.0.0.1:9/hooks', events: ['order.approved'] };
    const webhookHeaders = { 'idempotency-key': 'webhook-create-1' };
    const registered = await app.request('POST', '/v1/webhooks', { body: hook, headers: webhookHeaders });
    expect(registered.statusCode).toBe(201);
    const replay = await app.request('POST', '/v1/webhooks', { body: hook, headers: webhookHeaders });
    expect(replay.json().error.code).toBe('idempotency_response_withheld');

    const stored = await app.database.query<{ response: unknown }>(
      `SELECT response FROM idempotency_keys WHERE key IN ('merchant-create-1', 'webhook-create-1')`,
    );
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain(apiKey);
    expect(JSON.stringify(stored)).not.toContain(registered.json().secret);
  });

  it('purges old keys and abandoned claims, keeping recent ones', async () => {
    const store = makeIdempotencyStore(app.database, { claimMilliseconds: 1000 });
    const old = new Date('2026-10-01T00:00:00Z');
    await store.run('merchant-p', 'POST /v1/p', 'old-done', null, old, async () => ({ status: 201, body: {} }));
    void store.run('merchant-p', 'POST /v1/p', 'old-stuck', null, old, () => new Promise(() => {}));
    await store.run('merchant-p', 'POST /v1/p', 'recent', null, new Date('2026-11-02T09:00:00Z'), async () => ({
      status: 201,
      body: {},
    }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Seven days' retention: keys from October go, the one from today stays.
    expect((await purgeExpired(app.database, new Date('2026-11-02T10:00:00Z'))).idempotency_keys).toBe(2);
    const left = await app.database.query<{ key: string }>(
      `SELECT key FROM idempotency_keys WHERE merchant_id = 'merchant-p'`,
    );
    expect(left.map((row) => row.key)).toEqual(['recent']);
  });
});

describe('idempotency keys on an embedded database after a crash', () => {
  it('releases claims in progress at start: one process owns the data', async () => {
    const database = await makeTestDatabase('pglite');
    await database.query(
      `INSERT INTO idempotency_keys (merchant_id, route, key, request_hash, status_code, response, created_at, claimed_until)
       VALUES ('m', 'POST /v1/sessions', 'k', 'h', 0, 'null'::jsonb, now(), now() + interval '1 hour')`,
    );
    const app = await makeTestApplication('pglite', { database });
    try {
      expect(await app.database.query(`SELECT key FROM idempotency_keys WHERE key = 'k'`)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
