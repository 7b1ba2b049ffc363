// Training respects erasure: the next training snapshot (history replayed from the database) leaves erased people out.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, type TestApplication, postImport } from './application.ts';
import { databaseKinds } from './databases.ts';
import { makeProtectionTestApplication } from './protection.helpers.ts';
import { replayOrigin } from '../src/training/history.source.ts';
import { makeProgressBar } from '../src/training/progress.bar.ts';

function history(person: string) {
  const address = {
    street: 'Dorpsstraat',
    house_number: person.length.toString(),
    postal_code: '1234AB',
    city: 'Ede',
    country: 'NL',
  };
  const customer = {
    name: `${person} Jansen`,
    email: `${person}@example.nl`,
    phone: person === 'erik' ? '+31611110001' : '+31611110002',
  };
  return [
    { type: 'account', id: `ext-${person}`, created_at: '2025-01-02T09:00:00Z', ...customer, address },
    ...['2025-03-01', '2025-04-01'].map((day, index) => ({
      type: 'order',
      id: `${person}-${index}`,
      placed_at: `${day}T12:00:00Z`,
      account_id: `ext-${person}`,
      merchant: 'Shop',
      merchant_reference: `${person}-${index}`,
      amount: { value: 4900, currency: 'EUR' },
      customer,
      billing_address: address,
      shipping_address: address,
      device: { id: `dev-${person}`, ip: '198.51.100.9' },
      outcome: index === 0 ? 'paid_on_time' : 'fraud_confirmed',
      outcome_at: `${day}T18:00:00Z`,
    })),
  ];
}

describe.each(databaseKinds)('training after an erasure on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('replays the history of everyone but the erased person', async () => {
    const lines = [...history('erik'), ...history('fenna')].map((record) => JSON.stringify(record)).join('\n');
    const imported = await postImport(app.server, lines);
    expect(imported.statusCode, imported.body).toBe(200);
    const ordersOf = async (person: string) =>
      (
        await app.database.query<{ id: string }>(
          'SELECT o.id FROM orders o JOIN accounts a ON a.id = o.account_id WHERE a.external_id = $1',
          [`ext-${person}`],
        )
      ).map((row) => row.id);
    const erikOrders = await ordersOf('erik');
    const fennaOrders = await ordersOf('fenna');
    expect(erikOrders).toHaveLength(2);
    const bar = makeProgressBar(new PassThrough(), true);
    const before = await replayOrigin({ kind: 'database', database: app.database }, bar);
    expect(before.history.orderIds).toEqual(expect.arrayContaining([...erikOrders, ...fennaOrders]));

    const accepted = await app.request('POST', '/v1/admin/erasure-requests', {
      key: adminKey,
      body: { reference: 'training-1', email: 'erik@example.nl' },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(await app.erasure.service.workPending()).toBe(1);

    const after = await replayOrigin({ kind: 'database', database: app.database }, bar);
    expect([...after.history.orderIds].sort()).toEqual([...fennaOrders].sort());
    // Erik's fraud label is kept as a restricted incident, outside anything training reads.
    const incidents = await app.database.query("SELECT 1 FROM restricted_records WHERE kind = 'fraud_incident'");
    expect(incidents).toHaveLength(1);
  });
});
