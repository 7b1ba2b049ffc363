// Webhooks end to end: registration, signed delivery to a real local receiver, replay protection, retries, the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, type TestApplication } from './application.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import { approvedOrder, makeProtectionTestApplication } from './protection.helpers.ts';
import { verifySignature } from '../src/webhooks/webhook.signature.ts';

describe.each(databaseKinds)('webhooks on %s', (kind) => {
  let app: TestApplication;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await app.close();
  });

  async function register(events: string[]) {
    const response = await app.request('POST', '/v1/webhooks', { body: { url: receiver.url, events } });
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; secret: string; events: string[] };
  }

  it('rejects bad registrations with a stable code', async () => {
    for (const body of [
      { url: 'ftp://example.com/x', events: ['order.approved'] },
      { url: 'not a url', events: ['order.approved'] },
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['order.exploded'] },
      { url: receiver.url },
    ]) {
      const response = await app.request('POST', '/v1/webhooks', { body });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    expect((await app.request('POST', '/v1/webhooks', { body: {}, key: null })).statusCode).toBe(401);
  });

  it('shows the secret once, signs deliveries, and the receiver verifies them', async () => {
    const endpoint = await register(['order.approved']);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = (await app.request('GET', '/v1/webhooks')).json();
    expect(listed.data.find((item: { id: string }) => item.id === endpoint.id)).toEqual({
      id: endpoint.id,
      url: receiver.url,
      events: ['order.approved'],
      created_at: expect.any(String),
    });
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);

    const { orderId } = await approvedOrder(app, { merchant_reference: 'hook-1' });
    await app.outbox.drainOnce();
    const delivery = receiver.received.at(-1)!;
    const header = delivery.headers['rearguard-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(endpoint.secret, header, delivery.body, app.clock.now())).toEqual({
      ok: true,
      timestampSeconds: Math.floor(app.clock.now() / 1000),
    });
    expect(JSON.parse(delivery.body)).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: 'order.approved',
      data: { order_id: orderId, merchant_reference: 'hook-1', amount: { value: 93900, currency: 'EUR' } },
    });
    // Tampering, a wrong secret and a replay outside the tolerance all fail.
    expect(
      verifySignature(endpoint.secret, header, delivery.body.replace('hook-1', 'hook-2'), app.clock.now()),
    ).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifySignature('whsec_other', header, delivery.body, app.clock.now()).ok).toBe(false);
    expect(verifySignature(endpoint.secret, header, delivery.body, app.clock.now() + 301_000)).toEqual({
      ok: false,
      reason: 'timestamp_outside_tolerance',
    });
    expect(verifySignature(endpoint.secret, 'garbage', delivery.body, app.clock.now())).toEqual({
      ok: false,
      reason: 'malformed_header',
    });
    await app.request('DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('retries with backoff after the receiver fails and logs every attempt', async () => {
    const endpoint = await register(['order.approved']);
    receiver.failNext(2);
    const before = receiver.received.length;
    await approvedOrder(app, { merchant_reference: 'hook-retry' });
    await app.outbox.drainOnce();
    expect(receiver.received.length).toBe(before + 1);
    // Not due yet: the backoff holds the message back until the clock moves.
    await app.outbox.drainOnce();
    expect(receiver.received.length).toBe(before + 1);
    app.clock.advance(10_000);
    await app.outbox.drainOnce();
    app.clock.advance(20_000);
    await app.outbox.drainOnce();
    expect(receiver.received.length).toBe(before + 3);
    const bodies = receiver.received.slice(before).map((item) => JSON.parse(item.body).id);
    expect(new Set(bodies).size).toBe(1);

    const log = (await app.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`)).json();
    expect(log.data.map((item: { attempt: number; succeeded: boolean; status_code: number }) => item)).toMatchObject([
      { attempt: 3, succeeded: true, status_code: 204 },
      { attempt: 2, succeeded: false, status_code: 500, error: 'receiver answered 500' },
      { attempt: 1, succeeded: false, status_code: 500 },
    ]);
    const page = (
      await app.request('GET', `/v1/webhooks/${endpoint.id}/deliveries?limit=1&before=${log.data[0].cursor}`)
    ).json();
    expect(page.data).toHaveLength(1);
    expect(page.data[0].attempt).toBe(2);
    await app.request('DELETE', `/v1/webhooks/${endpoint.id}`);
  });

  it('deletes endpoints, only for their owner, and stops delivering to them', async () => {
    const endpoint = await register(['order.approved']);
    const other = await app.merchants.create('Other Shop');
    expect((await app.request('DELETE', `/v1/webhooks/${endpoint.id}`, { key: other.api_key })).statusCode).toBe(404);
    expect(
      (await app.request('GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: other.api_key })).statusCode,
    ).toBe(404);
    expect((await app.request('DELETE', `/v1/webhooks/${endpoint.id}`)).statusCode).toBe(204);
    expect((await app.request('DELETE', `/v1/webhooks/${endpoint.id}`)).statusCode).toBe(404);
    expect((await app.request('DELETE', '/v1/webhooks/nonsense')).statusCode).toBe(404);
    await app.outbox.drainOnce();
    const before = receiver.received.length;
    await approvedOrder(app, { merchant_reference: 'hook-after-delete' });
    await app.outbox.drainOnce();
    expect(receiver.received.length).toBe(before);
  });

  it('honours Idempotency-Key on registration', async () => {
    const headers = { 'idempotency-key': 'register-1' };
    const body = { url: receiver.url, events: ['case.resolved'] };
    const first = await app.request('POST', '/v1/webhooks', { body, headers });
    expect(first.statusCode).toBe(201);
    // The retry registers nothing new; the first answer carried the signing secret, so it is not replayed.
    const second = await app.request('POST', '/v1/webhooks', { body, headers });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('idempotency_response_withheld');
    expect(second.body).not.toContain(first.json().secret);
    const listed = (await app.request('GET', '/v1/webhooks')).json() as { data: { events: string[] }[] };
    expect(listed.data.filter((endpoint) => endpoint.events.includes('case.resolved'))).toHaveLength(1);
  });
});

describe('webhooks without private targets', () => {
  it('refuses an endpoint on a private address with a stable code', async () => {
    const app = await makeTestApplication('pglite');
    try {
      for (const url of [
        'http://127.0.0.1:9/hooks',
        'http://localhost./hooks',
        'http://[::127.0.0.1]/hooks',
        'http://ip6-localhost/hooks',
        'http://2130706433/hooks',
        'http://metadata.google.internal/hooks',
      ]) {
        const response = await app.request('POST', '/v1/webhooks', { body: { url, events: ['order.approved'] } });
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error).toMatchObject({ code: 'webhook_url_not_allowed', field: 'url' });
      }
    } finally {
      await app.close();
    }
  });
});
