// Test helpers for buyer protection: an approved live order and a signed-in consumer for its account.
import { expect } from 'vitest';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import type { DatabaseKind } from './databases.ts';
import { makePlaceholderEngine } from '../src/risk/placeholder.engine.ts';

/**
 * These tests are about what happens after a decision, so they take the placeholder engine that approves
 * everything: the risk policy (issue 3) evolves without changing what buyer protection must do.
 */
export const makeProtectionTestApplication = (kind: DatabaseKind, environment: Record<string, string> = {}) =>
  makeTestApplication(
    kind,
    { engine: makePlaceholderEngine() },
    { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...environment },
  );

export async function approvedOrder(app: TestApplication, overrides: Record<string, unknown> = {}) {
  const session = (await app.request('POST', '/v1/sessions', { body: sessionBody(overrides) })).json();
  const authorized = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
  expect(authorized.decision).toBe('approved');
  const [order] = await app.database.query<{ account_id: string; invoice_id: string }>(
    'SELECT o.account_id, i.id AS invoice_id FROM orders o JOIN invoices i ON i.order_id = o.id WHERE o.id = $1',
    [authorized.order.id],
  );
  return { orderId: authorized.order.id as string, accountId: order!.account_id, invoiceId: order!.invoice_id };
}

/** Until the sign-in endpoints are exercised here, API tests issue a session directly (as the sign-in does). */
export async function signedInHeaders(app: TestApplication, accountId: string) {
  const { token } = await app.consumerSessions.issue(accountId, 'otp_email');
  return { authorization: `Bearer ${token}` };
}

/** Outbox messages; with an account id, that account's notices (their `kind` is the notice template). */
export async function outboxTopics(app: TestApplication, accountId?: string) {
  const rows = await app.database.query<{ topic: string; payload: Record<string, unknown> }>(
    `SELECT topic, payload FROM outbox WHERE ($1::text IS NULL OR (topic = 'notification' AND payload->>'account_id' = $1))
     ORDER BY seq`,
    [accountId ?? null],
  );
  return rows.map((row) => ({
    ...row,
    payload: { template: row.payload.kind, ...row.payload } as Record<string, unknown>,
  }));
}
