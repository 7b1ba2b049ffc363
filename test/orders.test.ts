// Order management through the merchant API: capture on shipment, cancel, expiry, refunds and returns, carriers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, type TestApplication } from './application.ts';
import { outboxTopics, signedInHeaders } from './protection.helpers.ts';
import {
  authorizedOrder,
  captureOnShipment,
  carrierEvent,
  getOrder,
  payoutTotal,
  post,
  processorKey,
  registerCarrier,
} from './orders.helpers.ts';
import { decidePlaceholder } from '../src/risk/placeholder.engine.ts';
import { makeMemoryFeatureState, type MemoryFeatureState } from '../src/risk/state/memory.feature-state.ts';
import { normaliseSession } from '../src/risk/normalise/session.normaliser.ts';
import { snapshotQuery } from '../src/risk/risk.engine.ts';
import { readHistory } from '../src/storage/history.reader.ts';
import type { SessionInput } from '../src/checkout/session.schema.ts';

const day = 86_400_000;

describe.each(databaseKinds)('order management on %s', (kind) => {
  let app: TestApplication;
  // Decisions approve everything (this is about what follows them); the feature state is the real one.
  const state = makeMemoryFeatureState();
  let carrier: { code: string; signing_key: string };

  beforeAll(async () => {
    app = await makeTestApplication(
      kind,
      { engine: { decide: async (input) => decidePlaceholder(input), record: (event) => state.apply(event) } },
      { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', PAYMENT_PROCESSOR_KEY: processorKey, AUTHORIZATION_EXPIRY_DAYS: '7' },
    );
    await captureOnShipment(app);
    const hook = await app.request('POST', '/v1/webhooks', {
      body: {
        url: 'http://127.0.0.1:9/hooks',
        events: [
          'order.captured',
          'order.partially_captured',
          'order.cancelled',
          'order.expired',
          'order.partially_refunded',
          'order.refunded',
          'order.closed',
          'shipment.delivered',
          'shipment.redirect_refused',
        ],
      },
    });
    expect(hook.statusCode).toBe(201);
    carrier = await registerCarrier(app, `postnl-${kind}`);
  });
  afterAll(async () => {
    await app.close();
  });

  const exposureIn = (memory: MemoryFeatureState, session: unknown, accountId: string) =>
    memory
      .snapshotSync(snapshotQuery(normaliseSession(session as SessionInput), app.clock.now() + 1))
      .accounts.get(accountId)?.openExposure;
  const rebuilt = async () => {
    const memory = makeMemoryFeatureState();
    for await (const event of readHistory(app.database, { openInput: app.personalData.open })) memory.applySync(event);
    return memory;
  };
  const webhookEvents = async (orderId: string) =>
    (await outboxTopics(app))
      .filter((row) => row.topic === 'webhook' && (row.payload.data as { order_id?: string }).order_id === orderId)
      .map((row) => row.payload.event);

  it('authorizes without an invoice, captures in parts on shipment, each due after its capture', async () => {
    const { orderId, accountId, session } = await authorizedOrder(app);
    const authorized = await getOrder(app, orderId);
    expect(authorized).toMatchObject({
      state: 'authorized',
      invoice: null,
      captured: { value: 0 },
      capturable: { value: 93900 },
    });
    expect(await payoutTotal(app, orderId)).toBe(0);
    expect(exposureIn(state, session, accountId)).toBe(93900);

    app.clock.advance(2 * day);
    const body = { amount: { value: 30000, currency: 'EUR' }, carrier: 'PostNL', tracking_numbers: ['3SABC0001'] };
    const first = await post(app, `/v1/orders/${orderId}/captures`, body, `cap-${orderId}`);
    expect(first.statusCode).toBe(201);
    const replay = await post(app, `/v1/orders/${orderId}/captures`, body, `cap-${orderId}`);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const partial = first.json().order;
    expect(partial).toMatchObject({
      state: 'partially_captured',
      captured: { value: 30000 },
      invoice: { status: 'open', amount: { value: 30000 }, outstanding: { value: 30000 } },
      shipments: [{ carrier: 'postnl', tracking_number: '3SABC0001', status: 'shipped' }],
    });
    expect(partial.captures).toHaveLength(1);
    expect(Date.parse(partial.invoice.due_at) - app.clock.now()).toBe(14 * day);

    app.clock.advance(day);
    const rest = await post(app, `/v1/orders/${orderId}/captures`, {});
    expect(rest.statusCode).toBe(201);
    const captured = rest.json().order;
    expect(captured).toMatchObject({
      state: 'captured',
      captured: { value: 93900 },
      invoice: { amount: { value: 93900 } },
    });
    expect(Date.parse(captured.invoice.due_at) - app.clock.now()).toBe(14 * day);
    expect(captured.history.map((entry: { event: string }) => entry.event)).toEqual([
      'authorized',
      'partially_captured',
      'captured',
    ]);
    expect(await payoutTotal(app, orderId)).toBe(93900);
    expect(await webhookEvents(orderId)).toEqual(['order.partially_captured', 'order.captured']);
    expect(exposureIn(state, session, accountId)).toBe(93900);
  });

  it('lets only one of two concurrent captures through when both do not fit', async () => {
    const { orderId } = await authorizedOrder(app);
    const body = { amount: { value: 60000, currency: 'EUR' } };
    const [first, second] = await Promise.all([
      post(app, `/v1/orders/${orderId}/captures`, body),
      post(app, `/v1/orders/${orderId}/captures`, body),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([201, 422]);
    const order = await getOrder(app, orderId);
    expect(order).toMatchObject({ captured: { value: 60000 }, invoice: { amount: { value: 60000 } } });
    expect(await payoutTotal(app, orderId)).toBe(60000);
  });

  it('cancels an uncaptured order: no invoice, exposure released, also after a restart', async () => {
    const { orderId, accountId, session } = await authorizedOrder(app);
    const cancelled = await post(app, `/v1/orders/${orderId}/cancel`, { reason: 'out of stock' }, `cancel-${orderId}`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: 'cancelled', invoice: null });
    expect(await payoutTotal(app, orderId)).toBe(0);
    expect(exposureIn(state, session, accountId)).toBe(0);
    expect(exposureIn(await rebuilt(), session, accountId)).toBe(0);
    expect(await webhookEvents(orderId)).toEqual(['order.cancelled']);

    const capture = await post(app, `/v1/orders/${orderId}/captures`, {});
    expect(capture.statusCode).toBe(409);
    expect(capture.json().error.code).toBe('order_cancelled');
  });

  it('expires an authorization never captured and releases the exposure', async () => {
    const { orderId, accountId, session } = await authorizedOrder(app);
    const partial = await authorizedOrder(app);
    await post(app, `/v1/orders/${partial.orderId}/captures`, { amount: { value: 10000, currency: 'EUR' } });
    app.clock.advance(7 * day + 1);
    expect(await app.orders.scheduler.tick()).toMatchObject({ authorization_expiry: expect.any(Number) });
    expect(await getOrder(app, orderId)).toMatchObject({ state: 'expired', invoice: null });
    // What was shipped stays invoiced; only the rest of the authorization is released.
    expect(await getOrder(app, partial.orderId)).toMatchObject({ state: 'captured', captured: { value: 10000 } });
    expect(exposureIn(state, session, accountId)).toBe(0);
    expect(exposureIn(state, partial.session, partial.accountId)).toBe(10000);
    expect(exposureIn(await rebuilt(), partial.session, partial.accountId)).toBe(10000);
    const capture = await post(app, `/v1/orders/${orderId}/captures`, {});
    expect(capture.json().error.code).toBe('authorization_expired');
  });

  it('refunds: the invoice drops at once, paid money goes back through the processor, the ledger reverses', async () => {
    const { orderId, accountId, session } = await authorizedOrder(app);
    await post(app, `/v1/orders/${orderId}/captures`, {});
    const { invoice } = await getOrder(app, orderId);
    const paid = await app.request('POST', `/v1/invoices/${invoice.id}/payments`, {
      key: processorKey,
      body: { amount: { value: 50000, currency: 'EUR' }, reference: `pay-${orderId}` },
    });
    expect(paid.statusCode).toBe(201);

    const body = { amount: { value: 60000, currency: 'EUR' }, reason: 'return' };
    const refund = await post(app, `/v1/orders/${orderId}/refunds`, body, `refund-${orderId}`);
    expect(refund.statusCode).toBe(201);
    const again = await post(app, `/v1/orders/${orderId}/refunds`, body, `refund-${orderId}`);
    expect(again.json()).toEqual(refund.json());
    const order = refund.json().order;
    expect(order.refunds).toHaveLength(1);
    // 93900 captured, 60000 refunded, 50000 paid: 33900 owed, so 16100 goes back to the consumer.
    expect(order).toMatchObject({
      state: 'closed',
      refunded: { value: 60000 },
      invoice: { amount: { value: 33900 }, status: 'paid', outstanding: { value: 0 }, refund: { value: 16100 } },
      refunds: [{ refunded_to_consumer: { value: 16100 } }],
    });
    const refunds = (await outboxTopics(app)).filter(
      (row) => row.topic === 'payment.refund' && row.payload.order_id === orderId,
    );
    expect(refunds.map((row) => row.payload.amount)).toEqual([16100]);
    expect(await payoutTotal(app, orderId)).toBe(33900);
    expect(exposureIn(state, session, accountId)).toBe(0);

    const tooMuch = await post(app, `/v1/orders/${orderId}/refunds`, { amount: { value: 33901, currency: 'EUR' } });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.code).toBe('amount_above_refundable');
  });

  it('pauses the invoice on "I returned it" until the merchant confirms the return with a refund', async () => {
    const { orderId, accountId } = await authorizedOrder(app);
    await post(app, `/v1/orders/${orderId}/captures`, {});
    const claim = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers: await signedInHeaders(app, accountId),
      body: { order_id: orderId, kind: 'returned' },
    });
    expect(claim.statusCode).toBe(201);
    expect((await getOrder(app, orderId)).invoice.status).toBe('paused');

    const refund = await post(app, `/v1/orders/${orderId}/refunds`, { amount: { value: 93900, currency: 'EUR' } });
    expect(refund.json().order).toMatchObject({
      state: 'refunded',
      status: 'approved',
      invoice: { status: 'refunded', amount: { value: 0 }, outstanding: { value: 0 } },
    });
    const [claimRow] = await app.database.query<{ status: string }>('SELECT status FROM claims WHERE order_id = $1', [
      orderId,
    ]);
    expect(claimRow?.status).toBe('upheld');
    const [caseRow] = await app.database.query<{ status: string; resolution: string }>(
      'SELECT status, resolution FROM cases WHERE order_id = $1',
      [orderId],
    );
    expect(caseRow).toMatchObject({ status: 'resolved', resolution: 'claim_upheld' });
  });

  it('links carrier events by tracking number: "delivered" reaches the portal', async () => {
    const { orderId, accountId } = await authorizedOrder(app);
    const headers = await signedInHeaders(app, accountId);
    const purchase = async () =>
      (
        (await app.request('GET', '/v1/me/purchases', { key: null, headers })).json().data as Array<{
          id: string;
          delivery: { state: string };
        }>
      ).find((item) => item.id === orderId);
    expect((await purchase())?.delivery.state).toBe('ordered');

    await post(app, `/v1/orders/${orderId}/captures`, { carrier: carrier.code, tracking_numbers: ['3SDEL0001'] });
    expect((await purchase())?.delivery.state).toBe('shipped');
    const transit = await carrierEvent(app, carrier, {
      event_id: 'e-1',
      tracking_number: '3SDEL0001',
      kind: 'in_transit',
    });
    expect(transit.json()).toEqual({ result: 'accepted', shipment_status: 'in_transit', duplicate: false });
    const delivered = { event_id: 'e-2', tracking_number: '3SDEL0001', kind: 'delivered' };
    expect((await carrierEvent(app, carrier, delivered)).json()).toMatchObject({ shipment_status: 'delivered' });
    expect((await carrierEvent(app, carrier, delivered)).json()).toMatchObject({ duplicate: true });
    // A late "in transit" cannot undo a delivery.
    await carrierEvent(app, carrier, { event_id: 'e-3', tracking_number: '3SDEL0001', kind: 'in_transit' });
    expect(await purchase()).toMatchObject({ delivery: { state: 'delivered', shipments: [{ status: 'delivered' }] } });
    const order = await getOrder(app, orderId);
    expect(order.history.map((entry: { event: string }) => entry.event)).toContain('shipment_delivered');
    expect(await webhookEvents(orderId)).toContain('shipment.delivered');
  });

  it('refuses a redirect on a claimed order or one with delivery conditions, and raises an alert', async () => {
    const claimed = await authorizedOrder(app);
    await post(app, `/v1/orders/${claimed.orderId}/captures`, {
      carrier: carrier.code,
      tracking_numbers: ['3SRED0001'],
    });
    await app.request('POST', '/v1/me/claims', {
      key: null,
      headers: await signedInHeaders(app, claimed.accountId),
      body: { order_id: claimed.orderId, kind: 'not_received' },
    });
    const redirect = {
      event_id: 'r-1',
      tracking_number: '3SRED0001',
      kind: 'redirect_requested',
      redirect: { kind: 'pickup_point' },
    };
    const answer = await carrierEvent(app, carrier, redirect);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ result: 'redirect_refused', reason: 'order_under_claim', duplicate: false });
    const alerts = await app.database.query<{ kind: string; message: string }>(
      `SELECT kind, message FROM protection_alerts WHERE kind = 'redirect_refused' AND message LIKE $1`,
      [`%${claimed.orderId}%`],
    );
    expect(alerts).toHaveLength(1);
    // The monitoring desk sees it where it sees SLA breaches.
    const desk = (await app.request('GET', '/v1/admin/case-alerts', { key: adminKey })).json();
    expect(JSON.stringify(desk)).toContain(claimed.orderId);
    expect(await webhookEvents(claimed.orderId)).toContain('shipment.redirect_refused');

    const conditioned = await authorizedOrder(app);
    await app.database.query(`UPDATE orders SET delivery_requirements = '["no_redirect"]'::jsonb WHERE id = $1`, [
      conditioned.orderId,
    ]);
    await post(app, `/v1/orders/${conditioned.orderId}/captures`, {
      carrier: carrier.code,
      tracking_numbers: ['3SRED0002'],
    });
    const refused = await carrierEvent(app, carrier, { ...redirect, event_id: 'r-2', tracking_number: '3SRED0002' });
    expect(refused.json()).toMatchObject({ result: 'redirect_refused', reason: 'delivery_conditions' });

    const plain = await authorizedOrder(app);
    await post(app, `/v1/orders/${plain.orderId}/captures`, { carrier: carrier.code, tracking_numbers: ['3SRED0003'] });
    const allowed = await carrierEvent(app, carrier, { ...redirect, event_id: 'r-3', tracking_number: '3SRED0003' });
    expect(allowed.json()).toMatchObject({ result: 'redirect_allowed' });
  });

  it('refuses bad input with stable 4xx codes', async () => {
    const { orderId } = await authorizedOrder(app);
    const expectError = async (response: Awaited<ReturnType<typeof post>>, status: number, code: string) => {
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
    };
    const captures = `/v1/orders/${orderId}/captures`;
    await expectError(
      await post(app, captures, { amount: { value: 93901, currency: 'EUR' } }),
      422,
      'amount_above_capturable',
    );
    await expectError(await post(app, captures, { amount: { value: 100, currency: 'USD' } }), 422, 'currency_mismatch');
    await expectError(await post(app, captures, { amount: { value: -5, currency: 'EUR' } }), 400, 'invalid_request');
    await expectError(await post(app, captures, { tracking_numbers: ['3SXYZ0001'] }), 422, 'carrier_required');
    await expectError(
      await post(app, `/v1/orders/${orderId}/refunds`, { amount: { value: 1, currency: 'EUR' } }),
      409,
      'nothing_captured',
    );
    await post(app, captures, { amount: { value: 1000, currency: 'EUR' } });
    await expectError(
      await post(app, `/v1/orders/${orderId}/refunds`, { amount: { value: 1001, currency: 'EUR' } }),
      422,
      'amount_above_refundable',
    );
    await expectError(await post(app, `/v1/orders/ord_unknown/captures`, {}), 404, 'not_found');
    await expectError(await post(app, `/v1/orders/not-an-id/captures`, {}), 404, 'not_found');
    const other = await app.merchants.create('Other Shop');
    const foreign = await app.request('POST', captures, { body: {}, key: other.api_key });
    expect(foreign.statusCode).toBe(404);

    const unknown = await carrierEvent(app, carrier, {
      event_id: 'u-1',
      tracking_number: '3SNONE0001',
      kind: 'delivered',
    });
    await expectError(unknown, 404, 'unknown_tracking_number');
    const forged = await carrierEvent(
      app,
      carrier,
      { event_id: 'u-2', tracking_number: '3SDEL0001', kind: 'delivered' },
      { secret: 'not-the-carrier-key' },
    );
    await expectError(forged, 401, 'invalid_signature');
    const strange = await carrierEvent(app, carrier, { event_id: 'u-3', tracking_number: '3SDEL0001', kind: 'lost' });
    await expectError(strange, 400, 'invalid_request');
    const carrierTwice = await app.request('POST', '/v1/admin/carriers', {
      key: adminKey,
      body: { code: carrier.code, name: 'again' },
    });
    expect(carrierTwice.json().error.code).toBe('carrier_exists');
  });

  it('keeps invoicing at approval for merchants in "on_approval" mode', async () => {
    const shop = await app.merchants.create('Approval Shop');
    const session = (
      await app.request('POST', '/v1/sessions', {
        key: shop.api_key,
        body: (await import('./application.ts')).sessionBody(),
      })
    ).json();
    const authorized = (
      await app.request('POST', `/v1/sessions/${session.id}/authorize`, { key: shop.api_key })
    ).json();
    const order = (await app.request('GET', `/v1/orders/${authorized.order.id}`, { key: shop.api_key })).json();
    expect(order).toMatchObject({ state: 'captured', invoice: { status: 'open', amount: { value: 93900 } } });
    expect(await payoutTotal(app, authorized.order.id)).toBe(93900);
  });

  it('documents every order route in the OpenAPI document', async () => {
    const document = (await app.request('GET', '/openapi.json')).json();
    for (const path of [
      '/v1/orders/{id}',
      '/v1/orders/{id}/captures',
      '/v1/orders/{id}/cancel',
      '/v1/orders/{id}/refunds',
      '/v1/carriers/{code}/events',
      '/v1/admin/carriers',
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
  });
});
