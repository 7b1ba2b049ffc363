// Every list route answers with the one envelope and pages by cursor: all items, each exactly once, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { adminKey, sessionBody, type TestApplication } from '../application.ts';
import { approvedOrder, makeProtectionTestApplication } from '../protection.helpers.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { makeIds } from '../../src/shared/ids.ts';
import { readFileSync } from 'node:fs';
import { insertDelivery } from '../../src/webhooks/webhooks.repository.ts';
import { insertPasskey } from '../../src/consumer/passkeys.repository.ts';

type Item = Record<string, unknown>;
type Page = { data: Item[]; next_cursor: string | null; has_more: boolean };

interface ListCase {
  readonly name: string;
  /** Creates `count` items through the API (or the store, where only the server creates them); returns the list URL. */
  readonly seed: (app: TestApplication, count: number) => Promise<string>;
  readonly key: (app: TestApplication) => string;
  /** The item's unique key, when it is not `id`. */
  readonly idOf?: (item: Item) => unknown;
}

const shippedRuleset = JSON.parse(readFileSync(new URL('../../rules/default.json', import.meta.url), 'utf8'));

const merchantKey = (app: TestApplication) => app.merchant.api_key;
const items = 7;
const pageSize = 3;

async function registerEndpoint(app: TestApplication, index: number): Promise<string> {
  const response = await app.request('POST', '/v1/webhooks', {
    body: { url: `http://127.0.0.1:9/hook-${index}`, events: ['order.approved'] },
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

const anna = sessionBody();

/**
 * A purchase attempt in the default customer's name, decided whatever the outcome, filed under the signed-in account.
 * This test application's engine recognises no returning customer (each order opens an account), so the rows the
 * server wrote are moved under one account, as the live engine would have placed them.
 */
async function attempt(app: TestApplication, accountId: string, overrides: Record<string, unknown>) {
  const session = (await app.request('POST', '/v1/sessions', { body: sessionBody(overrides) })).json() as {
    id: string;
  };
  const authorized = await app.request('POST', `/v1/sessions/${session.id}/authorize`);
  expect(authorized.statusCode).toBe(200);
  const orderId = (authorized.json() as { order?: { id: string } }).order?.id ?? null;
  await app.database.query('UPDATE decisions SET account_id = $1 WHERE session_id = $2', [accountId, session.id]);
  await app.database.query('UPDATE orders SET account_id = $1 WHERE id = $2', [accountId, orderId]);
  await app.database.query('UPDATE invoices SET account_id = $1 WHERE order_id = $2', [accountId, orderId]);
}

/** The consumer lists answer the signed-in account; each seed signs a fresh account in. */
let consumerToken = '';
async function signedInAccount(app: TestApplication): Promise<string> {
  const { accountId } = await approvedOrder(app);
  consumerToken = (await app.consumerSessions.issue(accountId, 'otp_email')).token;
  return accountId;
}

const cases: ListCase[] = [
  {
    name: 'GET /v1/me/passkeys',
    key: () => consumerToken,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      // Registration needs a browser ceremony; the rows are the ones it stores, all at one instant for the tie-break.
      for (let index = 0; index < count; index++) {
        await insertPasskey(app.database, {
          id: `pky_page${accountId.slice(-8)}${index}`,
          account_id: accountId,
          credential_id: `credential-${accountId}-${index}`,
          public_key: 'AAAA',
          counter: 0,
          transports: [],
          created_at: new Date(app.clock.now()),
        });
      }
      return '/v1/me/passkeys';
    },
  },
  {
    name: 'GET /v1/me/claims',
    key: () => consumerToken,
    seed: async (app, count) => {
      const { accountId } = await approvedOrder(app);
      consumerToken = (await app.consumerSessions.issue(accountId, 'otp_email')).token;
      // Claims of one account on several orders, all at one instant so the (created_at, id) tie-break is tested.
      for (let index = 0; index < count; index++) {
        const { orderId } = await approvedOrder(app, { merchant_reference: `claim-page-${index}` });
        await app.database.query(
          `INSERT INTO claims (id, order_id, account_id, kind, source, message, status, created_at)
           VALUES ($1, $2, $3, 'not_received', 'portal', NULL, 'open', $4)`,
          [`clm_page${orderId.slice(-10)}`, orderId, accountId, new Date(app.clock.now())],
        );
      }
      return '/v1/me/claims';
    },
  },
  {
    name: 'GET /v1/me/purchases',
    key: () => consumerToken,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      // Several orders of one account, placed at one instant so the (time, id) tie-break is tested.
      for (let index = 0; index < count; index++)
        await attempt(app, accountId, { merchant_reference: `buy-page-${index}` });
      return '/v1/me/purchases';
    },
  },
  {
    name: 'GET /v1/me/invoices',
    key: () => consumerToken,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      for (let index = 0; index < count; index++)
        await attempt(app, accountId, { merchant_reference: `inv-page-${index}` });
      return '/v1/me/invoices';
    },
  },
  {
    name: 'GET /v1/me/decisions',
    key: () => consumerToken,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      for (let index = 0; index < count; index++)
        await attempt(app, accountId, { merchant_reference: `dec-page-${index}` });
      return '/v1/me/decisions';
    },
  },
  {
    name: 'GET /v1/me/devices',
    key: () => consumerToken,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      // Each purchase attempt from another device: whatever the decision, the device was used in this name.
      for (let index = 0; index < count; index++)
        await attempt(app, accountId, { device: { ...anna.device, id: `dev-page-${index}` } });
      return '/v1/me/devices';
    },
  },
  {
    name: 'GET /v1/me/addresses',
    key: () => consumerToken,
    idOf: (item) => item.key,
    seed: async (app, count) => {
      const accountId = await signedInAccount(app);
      for (let index = 0; index < count; index++) {
        await attempt(app, accountId, { shipping_address: { ...anna.shipping_address, house_number: `${index + 2}` } });
      }
      return '/v1/me/addresses';
    },
  },
  {
    name: 'GET /v1/payouts',
    key: merchantKey,
    seed: async (app, count) => {
      for (let index = 0; index < count; index++) await approvedOrder(app, { merchant_reference: `pay-page-${index}` });
      return '/v1/payouts';
    },
  },
  {
    name: 'GET /v1/admin/decisions',
    key: () => adminKey,
    seed: async (app, count) => {
      for (let index = 0; index < count; index++) {
        const session = (
          await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: `page-${index}` }) })
        ).json() as { id: string };
        expect((await app.request('POST', `/v1/sessions/${session.id}/authorize`)).statusCode).toBe(200);
      }
      return '/v1/admin/decisions';
    },
  },
  {
    name: 'GET /v1/webhooks',
    key: merchantKey,
    seed: async (app, count) => {
      for (let index = 0; index < count; index++) await registerEndpoint(app, index);
      return '/v1/webhooks';
    },
  },
  {
    name: 'GET /v1/webhooks/{id}/deliveries',
    key: merchantKey,
    seed: async (app, count) => {
      const endpointId = await registerEndpoint(app, 100);
      // Deliveries are written only by the outbox; the same rows it writes, all at one instant, test the tie-break.
      for (let index = 0; index < count; index++) {
        await insertDelivery(app.database, {
          id: `wdl_${endpointId}_${index}`,
          endpoint_id: endpointId,
          outbox_id: `obx_page${index}`,
          event_id: `evt_page${index}`,
          event: 'order.approved',
          attempt: 1,
          status_code: 204,
          error: null,
          duration_ms: 3,
          attempted_at: new Date(app.clock.now()),
        });
      }
      return `/v1/webhooks/${endpointId}/deliveries`;
    },
  },
  {
    name: 'GET /v1/admin/lists',
    key: () => adminKey,
    seed: async (app, count) => {
      const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      for (let index = 0; index < count; index++) {
        const response = await app.request('POST', '/v1/admin/lists', {
          key: adminKey,
          body: { list: 'block', kind: 'email', value: `page-${tag}-${index}@example.com`, reason: 'paging' },
        });
        expect(response.statusCode).toBe(201);
      }
      return '/v1/admin/lists';
    },
  },
  {
    name: 'GET /v1/admin/rulesets',
    key: () => adminKey,
    idOf: (item) => item.version,
    seed: async (app, count) => {
      const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      for (let index = 0; index < count; index++) {
        const ruleset = { ...shippedRuleset, version: `page-${tag}-${index}` };
        expect((await app.request('POST', '/v1/admin/rulesets', { key: adminKey, body: { ruleset } })).statusCode).toBe(
          201,
        );
      }
      return '/v1/admin/rulesets';
    },
  },
  {
    name: 'GET /v1/admin/cases',
    key: () => adminKey,
    seed: async (app, count) => {
      for (let index = 0; index < count; index++) {
        const { orderId } = await approvedOrder(app, { merchant_reference: `case-page-${index}` });
        const filed = await app.request('POST', '/v1/admin/claims', {
          key: adminKey,
          body: { order_id: orderId, kind: 'not_received' },
        });
        expect(filed.statusCode).toBe(201);
      }
      return '/v1/admin/cases';
    },
  },
  {
    name: 'GET /v1/admin/case-alerts',
    key: () => adminKey,
    seed: async (app, count) => {
      // Alerts are raised only by the SLA check; these are the rows it writes, all at one instant.
      const tag = Math.random().toString(36).slice(2, 10);
      for (let index = 0; index < count; index++) {
        await app.database.query(
          `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ($1, 'sla_breach', $2, 'late', $3)`,
          [`alr_${tag}${index}`, `cas_${tag}${index}`, new Date(app.clock.now())],
        );
      }
      return '/v1/admin/case-alerts';
    },
  },
  {
    name: 'GET /v1/admin/outbox',
    key: () => adminKey,
    seed: async (app, count) => {
      // Messages are enqueued by the server's own flows; these are the rows they write, all at one instant.
      const ids = makeIds(() => app.clock.now());
      const topic = `paging.${Math.random().toString(36).slice(2, 10)}`;
      for (let index = 0; index < count; index++) {
        await enqueue(app.database, ids, { topic, recipient: null, payload: { index }, at: new Date(app.clock.now()) });
      }
      return `/v1/admin/outbox?topic=${topic}`;
    },
  },
];

describe.each(databaseKinds)('list paging on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, key: string) => app.request('GET', url, { key });

  it.each(cases)('$name pages through every item exactly once', async ({ seed, key, idOf = (item) => item.id }) => {
    const url = await seed(app, items);
    const join = url.includes('?') ? '&' : '?';
    const total = (await get(`${url}${join}limit=200`, key(app))).json() as Page;
    expect(total.has_more).toBe(false);
    expect(total.next_cursor).toBeNull();
    expect(total.data.length).toBeGreaterThanOrEqual(items);

    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `${join}limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await get(`${url}${query}`, key(app));
      expect(response.statusCode).toBe(200);
      const page = response.json() as Page;
      expect(Object.keys(page).sort()).toEqual(['data', 'has_more', 'next_cursor']);
      expect(page.data.length).toBeLessThanOrEqual(pageSize);
      expect(page.has_more).toBe(page.next_cursor !== null);
      seen.push(...page.data.map(idOf));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(total.data.map(idOf));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.each(cases)('$name refuses a cursor it did not give out', async ({ seed, key }) => {
    const url = await seed(app, 1);
    const join = url.includes('?') ? '&' : '?';
    for (const cursor of ['%25', 'bm9wZQ', Buffer.from('[-1]').toString('base64url'), 'x'.repeat(600)]) {
      const response = await get(`${url}${join}cursor=${cursor}`, key(app));
      expect(response.statusCode, cursor).toBe(400);
      expect(['invalid_cursor', 'invalid_request']).toContain(response.json().error.code);
    }
    const response = await get(`${url}${join}cursor=${Buffer.from('{"a":1}').toString('base64url')}`, key(app));
    expect(response.json().error.code).toBe('invalid_cursor');
    expect((await get(`${url}${join}limit=0`, key(app))).statusCode).toBe(400);
    expect((await get(`${url}${join}limit=201`, key(app))).statusCode).toBe(400);
  });

  // Found by the API fuzz: a cursor shaped like the real one but holding year 0000 (PostgreSQL has no year 0) or an
  // integer past 2^53 passed the cursor check and failed in the query with a 500.
  it.each(cases)('$name refuses a well-formed cursor with a time or number out of range', async ({ seed, key }) => {
    const url = await seed(app, 2);
    const join = url.includes('?') ? '&' : '?';
    const first = (await get(`${url}${join}limit=1`, key(app))).json() as Page;
    expect(first.next_cursor).not.toBeNull();
    const real = JSON.parse(Buffer.from(first.next_cursor!, 'base64url').toString('utf8')) as unknown[];
    const forged = real.map((part) =>
      typeof part === 'number' ? 1e300 : /^\d{4}-\d\d-\d\dT/.test(String(part)) ? '0000-01-01T00:00:00Z' : part,
    );
    const response = await get(
      `${url}${join}cursor=${Buffer.from(JSON.stringify(forged)).toString('base64url')}`,
      key(app),
    );
    if (JSON.stringify(forged) === JSON.stringify(real)) {
      expect(response.statusCode, response.body).toBeLessThan(500); // a cursor of ids only
    } else {
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe('invalid_cursor');
    }
  });
});
