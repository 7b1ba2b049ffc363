// Features that transfer to real data, through the checkout API: the merchant's own account, IP kind,
// user-agent family, name-e-mail similarity and text fields of extra_merchant_data, stored with the decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';

const iphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe.each(databaseKinds)('transferable features on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  async function decide(overrides: Record<string, unknown>) {
    const created = await app.request('POST', '/v1/sessions', { body: sessionBody(overrides) });
    expect(created.statusCode, created.body).toBe(201);
    const session = created.json();
    await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    const listed = (await app.request('GET', '/v1/admin/decisions?limit=100', { key: adminKey })).json();
    const record = listed.data.find(
      (decision: { input: { merchant_reference: string } }) =>
        decision.input.merchant_reference === overrides.merchant_reference,
    );
    expect(record).toBeDefined();
    return record.features as Record<string, unknown>;
  }

  it('stores the shop account age, IP kind, user agent family and name-e-mail score with the decision', async () => {
    const now = app.clock.now();
    const features = await decide({
      merchant_reference: 'transfer-1',
      customer: { name: 'Anna de Vries', email: 'anna.devries@familie-devries.nl', phone: '+31612345678' },
      device: { id: 'dev-t-1', ip: '100.72.4.9', user_agent: iphone },
      merchant_account: {
        id: 'shop-customer-42',
        registered_at: new Date(now - 400 * 86_400_000).toISOString(),
        changed_at: new Date(now - 3_600_000).toISOString(),
      },
      extra_merchant_data: { delivery_method: 'Pickup_Point', loyalty_tier: 'gold', note: 'x'.repeat(60) },
    });
    expect(features).toMatchObject({
      merchant_account_present: true,
      merchant_account_age_seconds: 400 * 86_400,
      merchant_account_changed_seconds: 3_600,
      ip_kind: 'carrier_nat',
      ip_version: 4,
      user_agent_browser: 'Mobile Safari',
      user_agent_os: 'iOS',
      user_agent_device_type: 'mobile',
      name_email_similarity: 1,
      emd_delivery_method: 'pickup_point',
      emd_loyalty_tier: 'gold',
    });
    expect(features.emd_note).toBeUndefined();
  });

  it('names a missing IP and a documentation range for what they are', async () => {
    const none = await decide({ merchant_reference: 'transfer-2', device: { id: 'dev-t-2' } });
    expect(none).toMatchObject({
      ip_kind: 'none',
      merchant_account_present: false,
      merchant_account_age_seconds: null,
    });
    const reserved = await decide({
      merchant_reference: 'transfer-3',
      device: { id: 'dev-t-3', ip: '2001:db8::5', user_agent: 'Mozilla/5.0' },
    });
    expect(reserved).toMatchObject({ ip_kind: 'reserved', ip_version: 6 });
  });

  it('rejects a malformed shop account with a stable code naming the field', async () => {
    const response = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: 'transfer-bad',
        merchant_account: { id: 'x', registered_at: 'yesterday' },
      }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_request');
    expect(JSON.stringify(response.json().error)).toContain('merchant_account');
  });
});
