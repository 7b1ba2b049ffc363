// Builds a whole application in-process for a test, with a manual clock and a test database.
import { loadConfig, type Config } from '../src/config.ts';
import { makeApplication, type Overrides } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { makeTestDatabase, type DatabaseKind } from './databases.ts';

export const adminKey = 'test-admin-key-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  const result = loadConfig({ REARGUARD_ADMIN_KEY: adminKey, LOG_LEVEL: 'silent', ...overrides });
  if (!result.ok) throw new Error(result.errors.join('; '));
  // Development providers (the demo bank and payment service) are wired only where a test asks for `demo`.
  return result.config;
}

export async function makeTestApplication(
  kind: DatabaseKind,
  overrides: Overrides = {},
  environment: Record<string, string> = {},
) {
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
  const database = overrides.database ?? (await makeTestDatabase(kind));
  // Tests decide on the ruleset's transparent points score unless they opt into a model: the shipped one is
  // trained on a simulated world and would make checkout tests depend on its calibration.
  const application = await makeApplication(testConfig(environment), {
    clock,
    defaultModelPath: null,
    ...overrides,
    database,
  });
  const merchant = await application.merchants.create('Test Shop');
  const request = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
  ) =>
    application.server.inject({
      method,
      url,
      headers: {
        ...(options.key === null ? {} : { authorization: `Bearer ${options.key ?? merchant.api_key}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined
        ? {}
        : { payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    });
  return { ...application, clock, merchant, request };
}

export type TestApplication = Awaited<ReturnType<typeof makeTestApplication>>;

/** POST /v1/admin/import with the admin key, as an operator sends history: NDJSON lines, as a string or a stream. */
export function postImport(
  server: Pick<Awaited<ReturnType<typeof makeApplication>>['server'], 'inject'>,
  payload: string | NodeJS.ReadableStream,
) {
  return server.inject({
    method: 'POST',
    url: '/v1/admin/import',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' },
    payload,
  });
}

export function sessionBody(overrides: Record<string, unknown> = {}) {
  return {
    amount: { value: 93900, currency: 'EUR' },
    merchant_reference: 'order-1001',
    lines: [{ name: 'Phone', quantity: 1, unit_price: 93900, category: 'electronics' }],
    customer: { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678', date_of_birth: '1985-03-02' },
    billing_address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
    shipping_address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
    device: { id: 'dev-anna-1', ip: '203.0.113.7', user_agent: 'Mozilla/5.0' },
    ...overrides,
  };
}
