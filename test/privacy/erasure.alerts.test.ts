// A failed erasure alerts the desk once per request and is retried after a pause; one past its 24-hour limit alerts
// too (pending, or finished late). The alerts reach OPS_ALERT_TO through the outbox and name no person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { databaseKinds } from '../databases.ts';
import type { OutgoingMessage } from '../../src/notify/notifier.ts';
import { makeErasureService } from '../../src/privacy/erasure.service.ts';
import { erasureSteps } from '../../src/privacy/erasure.steps.ts';
import type { ErasureStep } from '../../src/privacy/erasure.step.ts';

const hour = 3_600_000;

describe.each(databaseKinds)('erasure alerts on %s', (kind) => {
  let app: TestApplication;
  const sent: OutgoingMessage[] = [];
  beforeAll(async () => {
    const capturing = { send: async (message: OutgoingMessage) => void sent.push(message) };
    app = await makeTestApplication(
      kind,
      { notifiers: { email: capturing, sms: capturing } },
      { OPS_ALERT_TO: 'desk@provider.example' },
    );
  });
  afterAll(async () => {
    await app.close();
  });

  const crashing: ErasureStep = {
    name: 'crash',
    run: async () => {
      throw new Error('power cut');
    },
  };
  /** A node whose last step always fails, after every real step has done its work (all of it rolled back). */
  const failingNode = () =>
    makeErasureService({
      database: app.database,
      clock: app.clock,
      ids: app.ids,
      privacy: app.config.privacy,
      pseudonyms: app.pseudonyms,
      steps: [...erasureSteps, crashing],
      afterErasure: async () => {},
    });
  const alertsOf = (requestId: string) =>
    app.database.query<{ kind: string; message: string }>(
      'SELECT kind, message FROM protection_alerts WHERE subject_id = $1 ORDER BY seq',
      [requestId],
    );
  const opsAlerts = async (requestId: string) =>
    app.database.query(`SELECT 1 FROM outbox WHERE topic = 'ops.alert' AND payload->>'erasure_request_id' = $1`, [
      requestId,
    ]);
  const request = async (reference: string, email: string) => {
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: reference,
        customer: { name: 'Alert Person', email, phone: '+31612399911' },
      }),
    });
    expect(session.statusCode).toBe(201);
    const accepted = await app.request('POST', '/v1/admin/erasure-requests', {
      key: adminKey,
      body: { reference, email },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    return accepted.json().id as string;
  };

  it('alerts once at the first failure, retries after a growing pause, and alerts again past the limit', async () => {
    const email = 'alert.person.1@example.nl';
    const id = await request('alert-1', email);
    await expect(failingNode().workPending()).rejects.toThrow('power cut');
    const first = await alertsOf(id);
    expect(first).toEqual([{ kind: 'erasure_failed', message: expect.stringContaining('failed at step crash') }]);
    expect(first[0]!.message).not.toContain(email);

    // Waiting for its retry: the next round leaves it alone; a minute later it is tried again (and fails again).
    expect(await failingNode().workPending()).toBe(0);
    app.clock.advance(60_000);
    await expect(failingNode().workPending()).rejects.toThrow('power cut');
    const [row] = await app.database.query<{ status: string; attempts: number; wait: number }>(
      `SELECT status, attempts, extract(epoch FROM next_attempt_at - $2::timestamptz)::int AS wait
         FROM erasure_requests WHERE id = $1`,
      [id, new Date(app.clock.now())],
    );
    expect(row).toEqual({ status: 'pending', attempts: 2, wait: 120 });
    expect(await alertsOf(id)).toHaveLength(1);
    expect(await opsAlerts(id)).toHaveLength(1);

    // The desk address hears of it once; the text names the request, not the person.
    for (let round = 0; round < 3; round++) await app.outbox.drainOnce();
    const toDesk = sent.filter((message) => message.kind === 'ops_alert' && message.text.includes(id));
    expect(toDesk.map((message) => [message.to, message.subject])).toEqual([
      ['desk@provider.example', 'Rearguard alert: erasure failed'],
    ]);
    expect(toDesk[0]!.text).not.toContain(email);

    // A day later it is still pending: past the 24-hour limit, the desk is told once more (once, whoever checks).
    app.clock.advance(24 * hour);
    expect(await failingNode().alertOverdue()).toBe(1);
    expect(await failingNode().alertOverdue()).toBe(0);
    expect((await alertsOf(id)).map((alert) => alert.kind)).toEqual(['erasure_failed', 'erasure_overdue']);
    // The real steps then finish it; finishing late raises no second overdue alert.
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1, erasure_overdue: 0 });
    expect((await app.request('GET', `/v1/admin/erasure-requests/${id}`, { key: adminKey })).json().status).toBe(
      'done',
    );
    expect(await alertsOf(id)).toHaveLength(2);
    expect(await opsAlerts(id)).toHaveLength(2);
  });

  it('a request that no node worked in time alerts when it is finished late', async () => {
    const id = await request('alert-2', 'alert.person.2@example.nl');
    app.clock.advance(25 * hour);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1 });
    expect((await alertsOf(id)).map((alert) => alert.kind)).toEqual(['erasure_overdue']);
  });
});
