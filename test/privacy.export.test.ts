// The right of access: GET /v1/me/export holds everything about the signed-in person and nothing about anyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import type { TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, signedInHeaders } from './protection.helpers.ts';

describe.each(databaseKinds)('personal data export on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('gives the person their account, purchases, decisions, claims and messages, and says what it leaves out', async () => {
    const { orderId, accountId } = await approvedOrder(app, { merchant_reference: 'export-1' });
    // Someone else's purchase in the same shop must not appear.
    await approvedOrder(app, {
      merchant_reference: 'export-other',
      customer: { name: 'Bram Jansen', email: 'bram@example.nl', phone: '+31687654321' },
      billing_address: {
        street: 'Coolsingel',
        house_number: '40',
        postal_code: '3011AD',
        city: 'Rotterdam',
        country: 'NL',
      },
      shipping_address: {
        street: 'Coolsingel',
        house_number: '40',
        postal_code: '3011AD',
        city: 'Rotterdam',
        country: 'NL',
      },
    });
    const headers = await signedInHeaders(app, accountId);
    const claimed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: orderId, kind: 'not_mine', message: 'I never ordered a phone' },
    });
    expect(claimed.statusCode).toBe(201);

    const response = await app.request('GET', '/v1/me/export', { key: null, headers });
    expect(response.statusCode).toBe(200);
    const exported = response.json();
    expect(exported.account).toMatchObject({ id: accountId, name: 'Anna de Vries', email: 'anna@example.nl' });
    expect(exported.channels.map((channel: { value: string }) => channel.value)).toEqual(
      expect.arrayContaining(['anna@example.nl']),
    );
    expect(exported.purchases.map((purchase: { id: string }) => purchase.id)).toEqual([orderId]);
    expect(exported.purchases[0]).toMatchObject({
      merchant_reference: 'export-1',
      delivery_address: expect.any(String),
    });
    expect(exported.invoices).toHaveLength(1);
    expect(exported.decisions).toHaveLength(1);
    expect(exported.decisions[0]).toMatchObject({ outcome: 'approved', summary: expect.any(String) });
    expect(exported.claims).toEqual([
      expect.objectContaining({ order_id: orderId, kind: 'not_mine', message: 'I never ordered a phone' }),
    ]);
    expect(exported.cases).toEqual([expect.objectContaining({ kind: 'claim', status: 'open' })]);
    expect(exported.devices.map((device: { id: string }) => device.id)).toEqual(['dev-anna-1']);
    expect(exported.portal_sessions.length).toBeGreaterThanOrEqual(1);
    expect(exported.not_included.length).toBeGreaterThan(0);
    // What we sent to their addresses: the confirmation requests and the claim receipt, by kind, without the texts.
    const sent = exported.messages_sent.map((message: { kind: string; to: string }) => `${message.kind}:${message.to}`);
    expect(sent).toEqual(
      expect.arrayContaining(['channel_confirmation:anna@example.nl', 'claim_received:anna@example.nl']),
    );
    expect(exported.messages_sent.every((message: object) => !('text' in message))).toBe(true);

    const text = response.body;
    expect(text).not.toContain('Bram');
    expect(text).not.toContain('bram@example.nl');
    expect(text).not.toContain('Coolsingel');
    // Secrets never leave: no token or code hashes, no passkey keys.
    expect(text).not.toMatch(/token_hash|code_hash|public_key/);
  });

  it('answers 401 without a signed-in consumer', async () => {
    const response = await app.request('GET', '/v1/me/export', { key: null });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toMatch(/^[a-z_]+$/);
  });
});
