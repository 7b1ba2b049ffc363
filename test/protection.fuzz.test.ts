// Bad input on every buyer-protection, invoicing, webhook and portal route: always a 4xx with a stable code, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, signedInHeaders } from './protection.helpers.ts';

const processorKey = 'fuzz-processor-key-0123456789';

describe('protection routes under bad input', () => {
  let app: TestApplication;
  let consumerHeaders: Record<string, string>;
  let ids: Record<string, string>;
  beforeAll(async () => {
    app = await makeProtectionTestApplication('pglite', { PAYMENT_PROCESSOR_KEY: processorKey });
    const order = await approvedOrder(app);
    consumerHeaders = await signedInHeaders(app, order.accountId);
    const filed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers: consumerHeaders,
      body: { order_id: order.orderId, kind: 'not_mine' },
    });
    const hook = await app.request('POST', '/v1/webhooks', {
      body: { url: 'https://hooks.example.com/x', events: ['order.approved'] },
    });
    ids = { cas: filed.json().case_id, inv: order.invoiceId, whk: hook.json().id, ord: order.orderId };
  });
  afterAll(async () => {
    await app.close();
  });

  function authFor(auth: string, url: string): { key?: string | null; headers?: Record<string, string> } {
    if (auth === 'consumer') return { key: null, headers: consumerHeaders };
    if (auth === 'admin') return { key: adminKey };
    if (url.startsWith('/v1/invoices')) return { key: processorKey };
    return {};
  }

  const junk = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom(
        'url',
        'events',
        'order_id',
        'kind',
        'amount',
        'reference',
        'outcome',
        'note',
        'actor',
        'text',
        'assignee',
        'decision_id',
        'message',
        'device_id',
        'address_key',
        'received_at',
      ),
      fc.anything({ maxDepth: 2 }),
      { maxKeys: 6 },
    ),
  );

  it('answers every route with a 4xx or a success, never a 5xx', async () => {
    const routes = app.protection.routes;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        junk,
        fc.constantFrom('real', 'garbage', 'wrong-prefix'),
        async (route, body, idKind) => {
          const url = route.url.replace(':id', () => {
            const prefix = /\/v1\/(?:admin\/)?(\w+)/.exec(route.url)?.[1] ?? '';
            const real = { cases: ids.cas, invoices: ids.inv, webhooks: ids.whk }[prefix] ?? 'x';
            return idKind === 'real' ? real! : idKind === 'garbage' ? '%E0%A4%A' : 'ord_zzz';
          });
          const response = await app.request(
            route.method === 'DELETE' ? 'DELETE' : route.method === 'GET' ? 'GET' : 'POST',
            url,
            {
              ...authFor(route.auth, route.url),
              ...(route.method === 'POST' ? { body: body === null ? 'null' : JSON.stringify(body) } : {}),
            },
          );
          expect(response.statusCode, `${route.method} ${url} -> ${response.body}`).toBeLessThan(500);
          if (response.statusCode >= 400) {
            const code: unknown = response.json().error?.code;
            if (typeof code !== 'string')
              throw new Error(`${route.method} ${url} -> ${response.statusCode} ${response.body}`);
            expect(code).toMatch(/^[a-z_]+$/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
