// Live decisions for model tests: small first orders that a lenient test model approves, each with its order.
import { expect } from 'vitest';
import { testArtifact } from '../src/training/model.fixtures.ts';
import { sessionBody, type TestApplication } from './application.ts';

const features = ['cart_amount', 'cart_items', 'cart_lines'];

/** A test model whose bands approve these small orders, so every decision has an order that can be labelled. */
export function lenientArtifact(name: string) {
  const artifact = testArtifact(name, features);
  return { ...artifact, metadata: { ...artifact.metadata, thresholds: { stepUp: 0.97, review: 0.98, decline: 0.99 } } };
}

/** Small first orders from new customers: approved, so each decision has an order that can be labelled. */
export async function placeSmallOrders(app: Pick<TestApplication, 'request' | 'database'>, count: number) {
  const accounts: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const value = 1000 + index * 150;
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: `small-${index}`,
        amount: { value, currency: 'EUR' },
        lines: [{ name: 'Socks', quantity: 1, unit_price: value, category: 'clothing' }],
        customer: { name: `Klant ${index}`, email: `klant${index}@example.nl`, phone: `+316200000${10 + index}` },
        device: { id: `dev-small-${index}`, ip: `203.0.113.${10 + index}` },
      }),
    });
    const authorized = await app.request('POST', `/v1/sessions/${session.json().id}/authorize`);
    expect(authorized.json().decision, `${session.body} ${authorized.body}`).toBe('approved');
    const [order] = await app.database.query<{ account_id: string }>(
      'SELECT account_id FROM orders WHERE session_id = $1',
      [session.json().id],
    );
    accounts.push(order!.account_id);
  }
  return accounts;
}
