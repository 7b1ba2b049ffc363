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
    app = await makeProtectionTestApplication(kind, {
      PAYMENT_IBAN: 'NL91 ABNA 0417 1643 00',
      PAYMENT_ACCOUNT_HOLDER: 'Rearguard Payments',
      PAYMENT_LINK_URL: 'https://pay.example/{reference}?amount={amount}',
    });
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
      delivery_address: 'Damrak 1, 1012 LG Amsterdam, NL',
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
    // Kept server-side: any later sign-in shows the request on its decision.
    const again = await signedInHeaders(app, order.accountId);
    const [shown] = (await app.request('GET', '/v1/me/decisions', { key: null, headers: again })).json().data;
    expect(shown).toMatchObject({
      id: decision.id,
      reviewable: false,
      review: { status: 'open', message: 'Why was this checked?', requested_at: expect.any(String) },
    });
    expect((await me('reviews', { decision_id: 'dec_unknown', message: 'x' })).statusCode).toBe(404);
    expect((await me('reviews', { decision_id: decision.id })).statusCode).toBe(400);
  });

  it('gives decision reasons in the consumer language: the account choice, else Accept-Language', async () => {
    const headers = await signedInHeaders(app, order.accountId);
    const reasonsIn = async (acceptLanguage: string) =>
      (
        await app.request('GET', '/v1/me/decisions', {
          key: null,
          headers: { ...headers, 'accept-language': acceptLanguage },
        })
      ).json().data[0].reasons;
    expect(await reasonsIn('nl-NL,nl;q=0.9')).toEqual([
      {
        code: 'no_risk_engine',
        text: 'Er is geen risicocontrole ingesteld; elke aankoop wordt goedgekeurd.',
        what_would_change: null,
      },
    ]);
    expect((await reasonsIn('en-GB'))[0].text).toBe('No risk engine is configured; every purchase is approved.');
    await app.server.inject({
      method: 'PUT',
      url: '/v1/me/preferences',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ language: 'nl' }),
    });
    expect((await reasonsIn('en-GB'))[0].text).toMatch(/^Er is geen risicocontrole/);
    await app.server.inject({
      method: 'PUT',
      url: '/v1/me/preferences',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ language: null }),
    });
  });

  it('shows how to pay an open invoice: amount, due date, IBAN, reference, pay link and EPC QR text', async () => {
    const [invoice] = (await me('invoices')).json().data;
    expect(invoice.merchant).toBe('Test Shop');
    expect(invoice.payment).toEqual({
      amount: { value: 93900, currency: 'EUR' },
      due_at: invoice.due_at,
      iban: 'NL91ABNA0417164300',
      account_holder: 'Rearguard Payments',
      reference: order.invoiceId,
      pay_url: `https://pay.example/${order.invoiceId}?amount=939.00`,
      epc_qr: expect.stringContaining(`NL91ABNA0417164300\nEUR939.00\n\n\n${order.invoiceId}`),
    });
  });

  it('names devices as people know them', async () => {
    const other = await approvedOrder(app, {
      merchant_reference: 'portal-iphone',
      device: {
        id: 'dev-anna-iphone',
        ip: '203.0.113.8',
        user_agent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      },
    });
    const devices = (
      await app.request('GET', '/v1/me/devices', { key: null, headers: await signedInHeaders(app, other.accountId) })
    ).json();
    expect(devices.data).toContainEqual(expect.objectContaining({ id: 'dev-anna-iphone', name: 'iPhone, Safari' }));
  });

  it('reads and stores the language preference; bad values get a 400 with a stable code', async () => {
    const preferences = (acceptLanguage?: string) =>
      app.server.inject({
        method: 'GET',
        url: '/v1/me/preferences',
        headers: { ...headers, ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) },
      });
    const put = (payload: unknown) =>
      app.server.inject({
        method: 'PUT',
        url: '/v1/me/preferences',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    expect((await preferences()).json()).toEqual({ language: null, effective_language: 'nl' });
    expect((await preferences('en-GB,en;q=0.9')).json()).toEqual({ language: null, effective_language: 'en' });
    expect((await put({ language: 'en' })).json()).toEqual({ language: 'en', effective_language: 'en' });
    expect((await preferences('nl-NL')).json()).toEqual({ language: 'en', effective_language: 'en' });
    const [stored] = await app.database.query<{ language: string }>('SELECT language FROM accounts WHERE id = $1', [
      order.accountId,
    ]);
    expect(stored!.language).toBe('en');
    const refused = await put({ language: 'de' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'invalid_request', field: 'language' });
    expect((await put({})).statusCode).toBe(400);
    expect((await put({ language: null })).json()).toEqual({ language: null, effective_language: 'nl' });
    const anonymous = await app.server.inject({ method: 'GET', url: '/v1/me/preferences' });
    expect(anonymous.statusCode).toBe(401);
  });
});
