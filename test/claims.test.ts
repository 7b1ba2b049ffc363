// Buyer protection: a "not mine" claim pauses the invoice in the same request, tells the merchant and opens a case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, outboxTopics, signedInHeaders } from './protection.helpers.ts';
import { fileClaim } from '../src/protection/claim.filing.ts';

describe.each(databaseKinds)('claims on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
    for (const events of [['order.claimed', 'order.hold_shipment', 'order.lock_delivery_address', 'invoice.paused']]) {
      await app.request('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hooks', events } });
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('pauses the invoice, marks the order, tells the merchant and opens a case with evidence, in one request', async () => {
    const { orderId, accountId, invoiceId } = await approvedOrder(app, { merchant_reference: 'claim-1' });
    const headers = await signedInHeaders(app, accountId);
    const response = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: orderId, kind: 'not_mine' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      claim: { id: expect.stringMatching(/^clm_/), order_id: orderId, kind: 'not_mine' },
      case_id: expect.stringMatching(/^cas_/),
      already_filed: false,
      invoice: { id: invoiceId, status: 'paused' },
    });

    // Committed by the time the response was sent: the merchant sees it, the outbox holds the webhooks.
    const order = (await app.request('GET', `/v1/orders/${orderId}`)).json();
    expect(order).toMatchObject({ status: 'claimed', invoice: { status: 'paused' } });
    const webhooks = (await outboxTopics(app)).filter((row) => row.topic === 'webhook');
    const events = webhooks.filter((row) => (row.payload.data as { order_id?: string }).order_id === orderId);
    expect(events.map((row) => row.payload.event).sort()).toEqual([
      'invoice.paused',
      'order.claimed',
      'order.hold_shipment',
      'order.lock_delivery_address',
    ]);
    const notices = await outboxTopics(app, accountId);
    expect(notices.map((row) => row.payload.template)).toContain('claim_received');

    const [caseRow] = await app.database.query<{ evidence: Record<string, unknown>; first_response_due_at: Date }>(
      'SELECT evidence, first_response_due_at FROM cases WHERE id = $1',
      [body.case_id],
    );
    // The case keeps references; the analyst's read opens the device, IP and addresses from the sealed input.
    expect(JSON.stringify(caseRow!.evidence)).not.toContain('203.0.113.7');
    const read = await app.request('GET', `/v1/admin/cases/${body.case_id}`, { key: adminKey });
    expect(read.json().evidence).toMatchObject({
      order: { id: orderId },
      decision: { outcome: 'approved' },
      device: { id: 'dev-anna-1', ip: '203.0.113.7' },
      ip: '203.0.113.7',
      shipping_address: { postal_code: '1012LG' },
    });
    expect(caseRow!.first_response_due_at.getTime()).toBe(app.clock.now() + 4 * 3_600_000);
    // The first order of the file: no other account has used this device, IP, address or e-mail yet.
    expect(read.json().evidence.linked_accounts).toEqual([]);
  });

  it('links other accounts that share the device, IP, delivery address or e-mail', async () => {
    const earlier = await approvedOrder(app, { merchant_reference: 'linked-1' });
    const { orderId, accountId } = await approvedOrder(app, { merchant_reference: 'linked-2' });
    const filed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers: await signedInHeaders(app, accountId),
      body: { order_id: orderId, kind: 'not_mine' },
    });
    const read = await app.request('GET', `/v1/admin/cases/${filed.json().case_id}`, { key: adminKey });
    const linked = (read.json().evidence.linked_accounts as Array<{ account_id: string; shared: string }>).filter(
      (link) => link.account_id === earlier.accountId,
    );
    expect(linked.map((link) => link.shared).sort()).toEqual(['device', 'email', 'ip', 'shipping_address']);
  });

  it('links other accounts that named the same IBAN, whatever else differs', async () => {
    const person = (email: string, phone: string, iban: string) => ({
      customer: { name: 'Jan Jansen', email, phone, iban },
    });
    const elsewhere = (id: string, postalCode: string) => ({
      device: { id, ip: `198.51.100.${postalCode.slice(2, 4)}` },
      shipping_address: { street: 'Kade', house_number: '3', postal_code: postalCode, city: 'Delft', country: 'NL' },
    });
    const earlier = await approvedOrder(app, {
      merchant_reference: 'iban-1',
      ...person('first@iban.example', '+31611000001', 'NL20 INGB 0001 2345 67'),
      ...elsewhere('dev-iban-1', '2611AA'),
    });
    const { orderId, accountId } = await approvedOrder(app, {
      merchant_reference: 'iban-2',
      ...person('second@iban.example', '+31611000002', 'nl20ingb0001234567'),
      ...elsewhere('dev-iban-2', '2612BB'),
    });
    const filed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers: await signedInHeaders(app, accountId),
      body: { order_id: orderId, kind: 'not_mine' },
    });
    const read = await app.request('GET', `/v1/admin/cases/${filed.json().case_id}`, { key: adminKey });
    const linked = (read.json().evidence.linked_accounts as Array<{ account_id: string; shared: string }>).filter(
      (link) => link.account_id === earlier.accountId,
    );
    expect(linked.map((link) => link.shared)).toEqual(['iban']);
  });

  it('finds the first claim when the same report comes again, and hides other accounts’ orders', async () => {
    const { orderId, accountId } = await approvedOrder(app, { merchant_reference: 'claim-2' });
    const headers = await signedInHeaders(app, accountId);
    const body = { order_id: orderId, kind: 'not_mine' };
    const first = await app.request('POST', '/v1/me/claims', { key: null, headers, body });
    const again = await app.request('POST', '/v1/me/claims', { key: null, headers, body });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ already_filed: true, claim: { id: first.json().claim.id } });

    const stranger = await approvedOrder(app, { merchant_reference: 'claim-3' });
    const strangerHeaders = await signedInHeaders(app, stranger.accountId);
    const denied = await app.request('POST', '/v1/me/claims', { key: null, headers: strangerHeaders, body });
    expect(denied.statusCode).toBe(404);
    expect((await app.request('POST', '/v1/me/claims', { key: null, body })).statusCode).toBe(401);
    const bad = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: orderId, kind: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', field: 'kind' });

    const listed = (await app.request('GET', '/v1/me/claims', { key: null, headers })).json();
    expect(listed.data).toHaveLength(1);
  });

  it('lets other contexts file inside their own transaction (the "was this you?" link)', async () => {
    const { orderId, accountId } = await approvedOrder(app, { merchant_reference: 'claim-4' });
    const outcome = await app.database.transaction((tx) =>
      fileClaim(tx, app.protection.claimDependencies, {
        orderId,
        kind: 'not_mine',
        source: 'notice',
        accountId,
        at: new Date(app.clock.now()),
      }),
    );
    expect(outcome).toMatchObject({ outcome: 'filed', invoiceStatus: 'paused' });
  });

  it('lets the ops desk file for the order’s owner', async () => {
    const { orderId } = await approvedOrder(app, { merchant_reference: 'claim-5' });
    const response = await app.request('POST', '/v1/admin/claims', {
      key: adminKey,
      body: { order_id: orderId, kind: 'not_received' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().invoice.status).toBe('paused');
  });
});
