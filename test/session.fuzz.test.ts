// Property-based fuzz of the session body: whatever a client sends, the answer is never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Valid bodies with one part replaced by arbitrary JSON, to reach deep validation paths. */
const mutatedBody = fc
  .tuple(
    fc.constantFrom(
      'amount',
      'merchant_reference',
      'lines',
      'customer',
      'billing_address',
      'shipping_address',
      'device',
      'extra_merchant_data',
    ),
    anyJson,
  )
  .map(([key, value]) => ({ ...sessionBody(), [key]: value }));

const nestedMutation = fc
  .tuple(fc.constantFrom('customer', 'billing_address', 'device', 'amount'), fc.string({ maxLength: 12 }), anyJson)
  .map(([key, field, value]) => {
    const body = sessionBody() as Record<string, unknown>;
    return { ...body, [key]: { ...(body[key] as object), [field]: value } };
  });

describe('session body fuzz', () => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication('pglite');
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers every body with 2xx or 4xx and a stable error shape', async () => {
    let count = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyJson, mutatedBody, nestedMutation, fc.string()), async (body) => {
        const payload = typeof body === 'string' ? body : JSON.stringify(body);
        const response = await app.server.inject({
          method: 'POST',
          url: '/v1/sessions',
          headers: { authorization: `Bearer ${app.merchant.api_key}`, 'content-type': 'application/json' },
          payload,
        });
        count += 1;
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(response.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        } else {
          const authorize = await app.request('POST', `/v1/sessions/${response.json().id}/authorize`);
          expect(authorize.statusCode).toBe(200);
        }
      }),
      { numRuns: 400, seed: 20261124 },
    );
    expect(count).toBeGreaterThanOrEqual(400);
  });
});
