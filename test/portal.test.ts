// The portal's /v1/me data: only the signed-in account's purchases, invoices, decisions, devices and addresses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, signedInHeaders } from './protection.helpers.ts';

describe.each(databaseKinds)('portal API on %s', (kind) => {
  let app: TestApplication;
  let headers: Record<string, string>;
  let order: Awaited<ReturnType<typeof approvedOrder>>;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
    order = await approvedOrder(app, { merchant_reference: 'portal-1' });
    headers = await signedInHeaders(app, order.accountId);
    await approvedOrder(app, { merchant_reference: 'someone-else', device: { id: 'dev-other', ip: '198.51.100.1' } });
  });
  afterAll(async () => {
    await app.close();
  });

  const me = (path: string, body?: unknown) =>
    app.request(body === undefined ? 'GET' : 'POST', `/v1/me/${path}`, {
      key: null,
      headers,
      ...(body === undefined ? {} : { body }),
    });

  it('shows the account’s own purchases, invoices, decisions and profile, and nobody else’s', async () => {
    const purchases = (await me('purchases')).json();
    expect(purchases.data).toHaveLength(1);
    expect(purchases.data[0]).toMatchObject({
      id: order.orderId,
      merchant: 'Test Shop',
      amount: { value: 93900, currency: 'EUR' },
      items: ['1 × Phone'],
      delivery_address: 'Damrak 1, 1012LG Amsterdam, NL',
      invoice: { id: order.invoiceId, status: 'open', outstanding: { value: 93900 } },
      claims: [],
    });
    expect((await me('invoices')).json().data.map((invoice: { id: string }) => invoice.id)).toEqual([order.invoiceId]);
    const decisions = (await me('decisions')).json();
    expect(decisions.data[0]).toMatchObject({
      outcome: 'approved',
      summary: 'Approved',
      reasons: [{ text: expect.any(String) }],
    });
    const profile = (await me('profile')).json();
    expect(profile.channels.map((channel: { masked: string }) => channel.masked).sort()).toEqual([
      '+316 ** ** *678',
      'a***@example.nl',
    ]);
    expect((await app.request('GET', '/v1/me/purchases', { key: null })).statusCode).toBe(401);
  });

  it('lists devices and addresses, and removes one the consumer disowns', async () => {
    const devices = (await me('devices')).json();
    expect(devices.data).toEqual([expect.objectContaining({ id: 'dev-anna-1', last_ip: '203.0.113.7', uses: 1 })]);
    const addresses = (await me('addresses')).json();
    expect(addresses.data).toEqual([expect.objectContaining({ key: '1012LG|1|NL', uses: ['billing', 'shipping'] })]);
    expect((await me('devices/not-mine', { device_id: 'dev-other' })).statusCode).toBe(404);
    expect((await me('devices/not-mine', { device_id: 'dev-anna-1' })).json()).toMatchObject({ removed: true });
    expect((await me('devices')).json().data).toEqual([]);
    const [flag] = await app.database.query('SELECT reason FROM protection_flags WHERE entity_value = $1', [
      'dev-anna-1',
    ]);
    expect(flag).toEqual({ reason: 'disowned_by_consumer' });
  });

  it('opens a review case when the consumer asks for a human to look at a decision', async () => {
    const decision = (await me('decisions')).json().data[0];
    const review = await me('reviews', { decision_id: decision.id, message: 'Why was this checked?' });
    expect(review.statusCode).toBe(201);
    const opened = await app.request('GET', `/v1/admin/cases/${review.json().case_id}`, { key: adminKey });
    expect(opened.json()).toMatchObject({
      kind: 'review_request',
      status: 'open',
      evidence: { message: 'Why was this checked?' },
    });
    expect((await me('reviews', { decision_id: 'dec_unknown', message: 'x' })).statusCode).toBe(404);
    expect((await me('reviews', { decision_id: decision.id })).statusCode).toBe(400);
  });
});
