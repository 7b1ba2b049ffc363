// Shared fixtures for step-up tests: Anna's history (verified channels on file) and a session shipping elsewhere.
import { expect } from 'vitest';
import { sessionBody, type TestApplication } from '../application.ts';

const annaAddress = { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' };
export const strangerAddress = {
  street: 'Industrieweg',
  house_number: '99',
  postal_code: '3044AS',
  city: 'Rotterdam',
  country: 'NL',
};

function historyOrder(id: string, placedAt: string) {
  return {
    type: 'order',
    id,
    placed_at: placedAt,
    account_id: 'ext-anna',
    merchant: 'Phone Shop',
    merchant_reference: id,
    amount: { value: 4900, currency: 'EUR' },
    customer: { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' },
    billing_address: annaAddress,
    shipping_address: annaAddress,
    device: { id: 'dev-anna-laptop', ip: '198.51.100.20' },
    outcome: 'paid_on_time',
    outcome_at: new Date(Date.parse(placedAt) + 5 * 86_400_000).toISOString(),
  };
}

/** Anna: a customer since 2025 whose e-mail and phone are on file and verified, with orders paid on time. */
export const annaHistory = [
  {
    type: 'account',
    id: 'ext-anna',
    created_at: '2025-01-02T09:00:00Z',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    phone: '+31612345678',
    date_of_birth: '1985-03-02',
    address: annaAddress,
  },
  historyOrder('h-1', '2025-03-01T12:00:00Z'),
  historyOrder('h-2', '2025-06-01T12:00:00Z'),
  historyOrder('h-3', '2025-09-01T12:00:00Z'),
  historyOrder('h-4', '2026-01-01T12:00:00Z'),
]
  .map((record) => JSON.stringify(record))
  .join('\n');

export async function importAnna(app: Pick<TestApplication, 'importer' | 'database'>): Promise<{ accountId: string }> {
  const result = await app.importer.importText(annaHistory);
  if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected));
  const [row] = await app.database.query<{ id: string }>("SELECT id FROM accounts WHERE external_id = 'ext-anna'");
  return { accountId: row!.id };
}

/** The attack from the design: Anna's name, e-mail and phone typed in, the parcel to another address and device. */
export function attackerSession(overrides: Record<string, unknown> = {}) {
  return sessionBody({
    shipping_address: strangerAddress,
    device: { id: 'dev-attacker', ip: '203.0.113.66', user_agent: 'Mozilla/5.0' },
    ...overrides,
  });
}

export async function authorize(app: TestApplication, body: Record<string, unknown>) {
  const created = await app.request('POST', '/v1/sessions', { body });
  if (created.statusCode !== 201) throw new Error(created.body);
  const response = await app.request('POST', `/v1/sessions/${created.json().id}/authorize`);
  return { sessionId: created.json().id as string, status: response.statusCode, body: response.json() };
}

/** Reads the last code message sent to `to` from the outbox, as the development notifier keeps it. */
export async function lastMessageTo(app: TestApplication, to: string) {
  const rows = await app.database.query<{
    payload: { text: string; html?: string; subject?: string; kind: string; channel: string };
  }>('SELECT payload FROM outbox WHERE recipient = $1 ORDER BY seq DESC LIMIT 1', [to]);
  return rows[0]?.payload ?? null;
}

export const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? null;

export const annaPhone = '+31612345678';
export const annaEmail = 'anna@example.nl';

/** The calls a shop (or its widget) makes on a challenge, and the code Anna would read on her phone or in her mail. */
export function challengeClient(app: () => TestApplication) {
  let reference = 0;
  const send = (id: string, method: string, key?: string) =>
    app().request('POST', `/v1/challenges/${id}/send`, { body: { method }, ...(key ? { key } : {}) });
  return {
    nextSession: (overrides: Record<string, unknown> = {}) =>
      authorize(app(), attackerSession({ merchant_reference: `order-${++reference}`, ...overrides })),
    send,
    verify: (id: string, code: string, key?: string) =>
      app().request('POST', `/v1/challenges/${id}/verify`, { body: { code }, ...(key ? { key } : {}) }),
    async sentCode(id: string, method = 'otp_sms') {
      const response = await send(id, method);
      expect(response.statusCode, response.body).toBe(200);
      const message = await lastMessageTo(app(), method === 'otp_sms' ? annaPhone : annaEmail);
      return codeIn(message!.text)!;
    },
  };
}
