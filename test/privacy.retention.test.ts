// Privacy retention: abandoned checkouts, expired challenges, old decision inputs, due restricted records and messages
// sent go, once each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { databaseKinds } from './databases.ts';
import { purgePrivacyExpired } from '../src/privacy/privacy.retention.ts';

const day = 86_400_000;

describe.each(databaseKinds)('privacy retention on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    (
      await app.database.query<{ count: number }>(`SELECT count(*)::int AS count FROM (${sql}) t`, params as never[])
    )[0]!.count;

  it('two runners at once purge each record once, and keep what is still in its period', async () => {
    // A small first order is approved and becomes an order; a blocked device's checkout is declined (no order);
    // checkouts never authorized are abandoned.
    const small = {
      amount: { value: 2500, currency: 'EUR' },
      lines: [{ name: 'Book', quantity: 1, unit_price: 2500 }],
    };
    const approved = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ ...small, merchant_reference: 'kept' }),
    });
    const decided = (await app.request('POST', `/v1/sessions/${approved.json().id}/authorize`)).json();
    expect(decided.decision, JSON.stringify(decided)).toBe('approved');
    const blocked = await app.request('POST', '/v1/admin/lists', {
      key: adminKey,
      body: { list: 'block', kind: 'device', value: 'dev-abandoned', reason: 'test' },
    });
    expect(blocked.statusCode).toBe(201);
    for (let index = 0; index < 6; index += 1) {
      const body = sessionBody({
        merchant_reference: `abandoned-${index}`,
        customer: { name: 'Gone Person', email: `gone.${index}@example.nl`, phone: '+31612340000' },
        device: { id: 'dev-abandoned', ip: '203.0.113.5' },
      });
      const session = await app.request('POST', '/v1/sessions', { body });
      expect(session.statusCode).toBe(201);
      if (index % 2 === 0) {
        const declined = (await app.request('POST', `/v1/sessions/${session.json().id}/authorize`)).json();
        expect(declined.decision).toBe('declined');
      }
    }
    // Challenges: one long expired, one still recent (a row of the approved session, as the step-up would write it).
    const [decision] = await app.database.query<{ id: string; session_id: string; merchant_id: string }>(
      'SELECT id, session_id, merchant_id FROM decisions WHERE session_id = $1',
      [approved.json().id],
    );
    for (const [id, expiresAt] of [
      ['chl_old', new Date(app.clock.now() - 40 * day)],
      ['chl_new', new Date(app.clock.now() + 40 * day)],
    ] as const)
      await app.database.query(
        `INSERT INTO challenges (id, session_id, merchant_id, decision_id, options, status, expires_at, created_at)
         VALUES ($1, $2, $3, $4, '[]', 'expired', $5, $5)`,
        [id, decision!.session_id, decision!.merchant_id, decision!.id, expiresAt],
      );
    await app.database.query(
      `INSERT INTO proof_attempts (id, challenge_id, method, status, flow, created_at)
       VALUES ('prf_old', 'chl_old', 'bank_identification', 'failed', '{}', now())`,
    );
    // Restricted records: one past its due date, one not.
    for (const [id, keepUntil] of [
      ['rst_due', new Date(app.clock.now() + 10 * day)],
      ['rst_later', new Date(app.clock.now() + 400 * day)],
    ] as const)
      await app.database.query(
        `INSERT INTO restricted_records (id, request_id, kind, legal_basis, keep_until, payload, created_at)
         VALUES ($1, 'era_x', 'invoice', 'tax', $2, '{}', now())`,
        [id, keepUntil],
      );

    // Nothing is past its period yet.
    const now = () => new Date(app.clock.now());
    expect(Object.values(await purgePrivacyExpired(app.database, now(), app.config.privacy))).toEqual([0, 1, 0, 0, 0]);
    app.clock.advance(31 * day);
    const [first, second] = await Promise.all([
      purgePrivacyExpired(app.database, now(), app.config.privacy),
      purgePrivacyExpired(app.database, now(), app.config.privacy),
    ]);
    expect(first.abandoned_sessions! + second.abandoned_sessions!).toBe(6);
    expect(first.restricted_records! + second.restricted_records!).toBe(1);
    expect(await count(`SELECT 1 FROM sessions WHERE input->>'merchant_reference' LIKE 'abandoned-%'`)).toBe(0);
    expect(await count(`SELECT 1 FROM decisions WHERE input->>'merchant_reference' LIKE 'abandoned-%'`)).toBe(0);
    expect(await count('SELECT 1 FROM sessions WHERE id = $1', [approved.json().id])).toBe(1);
    expect(await count("SELECT 1 FROM challenges WHERE id IN ('chl_old', 'chl_new')")).toBe(1);
    expect(await count("SELECT 1 FROM proof_attempts WHERE id = 'prf_old'")).toBe(0);
    expect(await count("SELECT 1 FROM restricted_records WHERE id IN ('rst_due', 'rst_later')")).toBe(1);

    // A year on, the decision keeps its outcome and reasons but no longer the typed-in identity.
    app.clock.advance(340 * day);
    const [later, again] = await Promise.all([
      purgePrivacyExpired(app.database, now(), app.config.privacy),
      purgePrivacyExpired(app.database, now(), app.config.privacy),
    ]);
    expect(later.decision_inputs! + again.decision_inputs!).toBe(1);
    const [kept] = await app.database.query<{ outcome: string; input: Record<string, unknown> }>(
      'SELECT outcome, input FROM decisions WHERE id = $1',
      [decision!.id],
    );
    expect(kept!.outcome).toBe('approved');
    expect(kept!.input).toMatchObject({ personal_data_removed: true, amount: { value: 2500 } });
    expect(kept!.input).not.toHaveProperty('customer');
    expect(kept!.input).not.toHaveProperty('billing_address');
    expect(kept!.input).not.toHaveProperty('pseudonyms');
    expect(Object.values(await purgePrivacyExpired(app.database, now(), app.config.privacy))).toEqual([0, 0, 0, 0, 0]);
    app.clock.advance(30 * day);
    expect(Object.values(await purgePrivacyExpired(app.database, now(), app.config.privacy))).toEqual([0, 0, 0, 1, 0]);
  });
  it('deletes messages that ended past the period (delivered, failed), never pending or held ones, once each', async () => {
    // An approval's own messages go through the outbox as the server sends them: delivered by the worker.
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        amount: { value: 2500, currency: 'EUR' },
        lines: [{ name: 'Book', quantity: 1, unit_price: 2500 }],
        merchant_reference: 'messages',
      }),
    });
    expect(session.statusCode, session.body).toBe(201);
    const decided = (await app.request('POST', `/v1/sessions/${session.json().id}/authorize`)).json();
    expect(decided.decision, JSON.stringify(decided)).toBe('approved');
    await app.database.query("DELETE FROM outbox WHERE status <> 'pending'");
    const sent = await app.outbox.drainOnce();
    expect(sent).toBeGreaterThan(0);
    const delivered = await count("SELECT 1 FROM outbox WHERE status = 'delivered'");
    expect(delivered).toBe(sent);
    // Beside them: one failed for good, one still pending (its retries), one held, all as old as the others.
    const at = new Date(app.clock.now());
    for (const [id, status] of [
      ['out_failed', 'failed'],
      ['out_pending', 'pending'],
      ['out_held', 'held'],
    ] as const)
      await app.database.query(
        `INSERT INTO outbox (id, topic, recipient, payload, status, attempts, next_attempt_at, created_at)
         VALUES ($1, 'notification', 'someone@example.nl', '{}', $2, 3, $3, $3)`,
        [id, status, at],
      );

    const now = () => new Date(app.clock.now());
    app.clock.advance(29 * day);
    expect((await purgePrivacyExpired(app.database, now(), app.config.privacy)).sent_messages).toBe(0);
    app.clock.advance(2 * day);
    const [first, second] = await Promise.all([
      purgePrivacyExpired(app.database, now(), app.config.privacy),
      purgePrivacyExpired(app.database, now(), app.config.privacy),
    ]);
    expect(first.sent_messages! + second.sent_messages!).toBe(delivered + 1);
    const left = await app.database.query<{ id: string }>('SELECT id FROM outbox ORDER BY id');
    expect(left.map((row) => row.id)).toEqual(['out_held', 'out_pending']);
  });
});
