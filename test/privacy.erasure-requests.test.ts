// Erasure requests by mail (admin route): idempotent, validated, durable until worked, worked once by several workers.
import { serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sessionBody, type TestApplication } from './application.ts';
import { databaseKinds } from './databases.ts';
import { approvedOrder, makeProtectionTestApplication } from './protection.helpers.ts';
import { makeErasureService } from '../src/privacy/erasure.service.ts';
import { erasureSteps } from '../src/privacy/erasure.steps.ts';
import type { ErasureStep } from '../src/privacy/erasure.step.ts';
import { emailPseudonymOf } from './accounts.sealed.ts';

const person = (index: number) => ({
  merchant_reference: `mail-${index}`,
  customer: {
    name: `Mail Person ${index}`,
    email: `mail.person.${index}@example.nl`,
    phone: `+316100000${10 + index}`,
  },
  device: { id: `dev-mail-${index}`, ip: '203.0.113.50' },
});

describe.each(databaseKinds)('erasure requests by mail on %s', (kind) => {
  let app: TestApplication;
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown, key: string | null = adminKey) =>
    app.request(method, url, { key, ...(body === undefined ? {} : { body }) });
  const remaining = async (email: string) =>
    (
      await app.database.query(
        `SELECT 1 FROM sessions WHERE input->'customer'->>'email' = $1
         UNION ALL SELECT 1 FROM accounts WHERE email = $1 OR email_pseudonym = $2
         UNION ALL SELECT 1 FROM channels WHERE value = $1 OR value_pseudonym = $2`,
        [email, emailPseudonymOf(app, email)],
      )
    ).length;
  /** A second node: its own service over the same database and steps. */
  const otherNode = (steps: readonly ErasureStep[] = erasureSteps) =>
    makeErasureService({
      database: app.database,
      clock: app.clock,
      ids: app.ids,
      privacy: app.config.privacy,
      pseudonyms: app.pseudonyms,
      openInput: app.personalData.open,
      steps,
      afterErasure: async () => {},
    });

  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('records a request once per reference, answers what is due when, and refuses bad input with a code', async () => {
    await approvedOrder(app, person(1));
    const body = { reference: 'letter-2026-001', email: 'mail.person.1@example.nl' };
    const first = await admin('POST', '/v1/admin/erasure-requests', body);
    expect(first.statusCode, first.body).toBe(201);
    const request = first.json();
    expect(request).toMatchObject({ status: 'pending', erased: [], kept: [], finished_at: null });
    expect(Date.parse(request.due_at) - Date.parse(request.requested_at)).toBe(3_600_000);
    expect(Date.parse(request.limit_at) - Date.parse(request.requested_at)).toBe(24 * 3_600_000);
    const again = await admin('POST', '/v1/admin/erasure-requests', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(request.id);

    const nobody = await admin('POST', '/v1/admin/erasure-requests', { reference: 'letter-x' });
    expect(nobody.statusCode).toBe(400);
    expect(nobody.json().error.code).toMatch(/^[a-z_]+$/);
    const badEmail = await admin('POST', '/v1/admin/erasure-requests', { reference: 'letter-y', email: 'not mail' });
    expect(badEmail.statusCode).toBe(400);
    expect((await admin('POST', '/v1/admin/erasure-requests', body, null)).statusCode).toBe(401);
    expect((await admin('GET', '/v1/admin/erasure-requests/era_nothing')).statusCode).toBe(404);

    // Accepted, not yet worked: the person is still there until the worker's round.
    expect(await remaining('mail.person.1@example.nl')).toBeGreaterThan(0);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1 });
    expect(await remaining('mail.person.1@example.nl')).toBe(0);
    const done = (await admin('GET', `/v1/admin/erasure-requests/${request.id}`)).json();
    // The invoice is not paid yet: kept for the tax period, and what collecting it needs until settled or time-barred.
    expect(done).toMatchObject({
      status: 'done',
      kept: [
        expect.objectContaining({ kind: 'invoice', count: 1, keep_until: '2033-11-02T10:00:00.000Z' }),
        expect.objectContaining({ kind: 'open_debt', count: 1, legal_basis: expect.stringContaining('BW 3:307') }),
      ],
    });
    expect(Date.parse(done.finished_at)).toBeLessThanOrEqual(Date.parse(done.due_at));
  });

  it('erases a checkout that never became an order, found by the phone number alone', async () => {
    const session = await app.request('POST', '/v1/sessions', { body: sessionBody(person(2)) });
    expect(session.statusCode).toBe(201);
    const accepted = await admin('POST', '/v1/admin/erasure-requests', {
      reference: 'mail-2',
      phone: '06 10000012',
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    await app.erasure.service.workPending();
    expect(await remaining('mail.person.2@example.nl')).toBe(0);
    expect((await admin('GET', `/v1/admin/erasure-requests/${accepted.json().id}`)).json().erased).toEqual(
      expect.arrayContaining([{ store: 'delete_sessions', count: 1 }]),
    );
  });

  it('erases a person whose decision a shadow ruleset also judged (its would-be outcome refers to the decision)', async () => {
    const { orderId } = await approvedOrder(app, person(7));
    const [decision] = await app.database.query<{ id: string }>('SELECT decision_id AS id FROM orders WHERE id = $1', [
      orderId,
    ]);
    expect(decision).toBeDefined();
    // What a shadowed ruleset writes in the decision's own transaction (src/checkout): one row per decision.
    await app.database.query(
      `INSERT INTO ruleset_shadow_outcomes (decision_id, ruleset_version, active_version, outcome, active_outcome,
         rule_hits, decided_at) VALUES ($1, 'shadow-v', 'active-v', 'review', 'approved', '[]', now())`,
      [decision!.id],
    );
    const accepted = await admin('POST', '/v1/admin/erasure-requests', {
      reference: 'mail-7',
      email: 'mail.person.7@example.nl',
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    await app.erasure.service.workPending();
    const done = (await admin('GET', `/v1/admin/erasure-requests/${accepted.json().id}`)).json();
    expect(done.status).toBe('done');
    expect(done.erased).toEqual(expect.arrayContaining([{ store: 'delete_ruleset_shadow_outcomes', count: 1 }]));
    expect(
      await app.database.query('SELECT 1 FROM ruleset_shadow_outcomes WHERE decision_id = $1', [decision!.id]),
    ).toEqual([]);
  });

  it('a failing step rolls the whole erasure back; the request stays pending and the next round finishes it', async () => {
    await approvedOrder(app, person(3));
    const accepted = (
      await admin('POST', '/v1/admin/erasure-requests', { reference: 'mail-3', email: 'mail.person.3@example.nl' })
    ).json();
    const crashing: ErasureStep = {
      name: 'crash',
      run: async () => {
        throw new Error('power cut');
      },
    };
    // The crash comes after the accounts step: nothing of that half-done work may stay.
    await expect(otherNode([...erasureSteps, crashing]).workPending()).rejects.toThrow('power cut');
    expect(await remaining('mail.person.3@example.nl')).toBeGreaterThan(0);
    const [row] = await app.database.query<{ status: string; attempts: number; identifiers: unknown }>(
      'SELECT status, attempts, identifiers FROM erasure_requests WHERE id = $1',
      [accepted.id],
    );
    expect(row).toMatchObject({ status: 'pending', attempts: 1, identifiers: expect.anything() });
    // This node's online state knows the person (rebuilt from the database) until it sees the other node's erasure.
    await app.onlineState.rebuild();
    const inMemory = () => serialize(app.featureState.exportData()).includes('mail.person.3@example.nl');
    expect(inMemory()).toBe(true);
    // Retried after a pause (a minute after the first failure), not at once.
    expect(await otherNode().workPending()).toBe(0);
    app.clock.advance(60_000);
    expect(await otherNode().workPending()).toBe(1);
    expect(await remaining('mail.person.3@example.nl')).toBe(0);
    expect(inMemory()).toBe(true);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_memory: 1 });
    expect(inMemory()).toBe(false);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_memory: 0 });
    const [restricted] = await app.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM restricted_records WHERE request_id = $1',
      [accepted.id],
    );
    // One copy of the invoice and one of its open debt: the rolled-back attempt left none behind.
    expect(restricted!.count).toBe(2);
  });

  it('several workers at once finish every request exactly once', async () => {
    const ids: string[] = [];
    for (let index = 10; index < 16; index += 1) {
      await approvedOrder(app, person(index));
      const accepted = await admin('POST', '/v1/admin/erasure-requests', {
        reference: `mail-${index}`,
        email: `mail.person.${index}@example.nl`,
      });
      ids.push(accepted.json().id);
    }
    const counts = await Promise.all([otherNode().workPending(), otherNode().workPending(), otherNode().workPending()]);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(6);
    const rows = await app.database.query<{ status: string; attempts: number }>(
      'SELECT status, attempts FROM erasure_requests WHERE id = ANY($1)',
      [ids],
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((row) => row.status === 'done' && row.attempts === 1)).toBe(true);
    const [copies] = await app.database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM restricted_records WHERE request_id = ANY($1)',
      [ids],
    );
    // An invoice and its open debt per person, once each.
    expect(copies!.count).toBe(12);
  });
});
