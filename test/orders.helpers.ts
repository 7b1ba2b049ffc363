// Test helpers for order management: a merchant capturing on shipment, an authorized order, signed carrier events.
import { expect } from 'vitest';
import { adminKey, sessionBody, type TestApplication } from './application.ts';
import { signatureHeaderValue } from '../src/webhooks/webhook.signature.ts';

export const processorKey = 'test-processor-key-0123456789';

export async function captureOnShipment(app: TestApplication) {
  const response = await app.request('POST', `/v1/admin/merchants/${app.merchant.id}/capture-mode`, {
    key: adminKey,
    body: { capture_mode: 'on_shipment' },
  });
  expect(response.statusCode).toBe(200);
}

let sequence = 0;

/** An approved order of a fresh consumer (distinct e-mail, so exposure checks see only this order). */
export async function authorizedOrder(app: TestApplication, overrides: Record<string, unknown> = {}) {
  sequence += 1;
  const body = sessionBody({
    merchant_reference: `order-${sequence}`,
    customer: { name: 'Anna de Vries', email: `anna.${sequence}.${Date.now()}@example.nl`, phone: '+31612345678' },
    ...overrides,
  });
  const session = (await app.request('POST', '/v1/sessions', { body })).json();
  const authorized = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
  expect(authorized.decision).toBe('approved');
  const [row] = await app.database.query<{ account_id: string }>('SELECT account_id FROM orders WHERE id = $1', [
    authorized.order.id,
  ]);
  return { orderId: authorized.order.id as string, accountId: row!.account_id, session: body };
}

export const getOrder = async (app: TestApplication, orderId: string) =>
  (await app.request('GET', `/v1/orders/${orderId}`)).json();

export const post = (app: TestApplication, url: string, body: unknown, idempotencyKey?: string) =>
  app.request('POST', url, { body, ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}) });

/** The payout ledger's entries for one order, summed (captures minus refunds). */
export async function payoutTotal(app: TestApplication, orderId: string): Promise<number> {
  const [row] = await app.database.query<{ total: string | null }>(
    'SELECT SUM(amount)::text AS total FROM payout_entries WHERE order_id = $1',
    [orderId],
  );
  return Number(row?.total ?? 0);
}

export async function registerCarrier(app: TestApplication, code: string) {
  const response = await app.request('POST', '/v1/admin/carriers', { key: adminKey, body: { code, name: code } });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string; code: string; signing_key: string };
}

/** Posts a carrier event signed as the carrier would, over the exact bytes sent. */
export function carrierEvent(
  app: TestApplication,
  carrier: { code: string; signing_key: string },
  event: Record<string, unknown>,
  options: { secret?: string; raw?: string } = {},
) {
  const raw = options.raw ?? JSON.stringify(event);
  const timestamp = Math.floor(app.clock.now() / 1000);
  return app.server.inject({
    method: 'POST',
    url: `/v1/carriers/${carrier.code}/events`,
    headers: {
      'content-type': 'application/json',
      'rearguard-signature': signatureHeaderValue(options.secret ?? carrier.signing_key, timestamp, raw),
    },
    payload: raw,
  });
}
