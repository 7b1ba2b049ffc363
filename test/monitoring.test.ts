// Live monitoring through /v1/ops on both databases: series against last week, alert rules raised once, notified,
// acknowledged and resolved, and an emergency lever applied on the decision path until its time is up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { makeStaffDesk } from './staff.desk.ts';
import type { OutgoingMessage } from '../src/notify/notifier.ts';

const week = 7 * 24 * 60 * 60 * 1000;
const billingOf = (number: number) => ({
  street: 'Kerkstraat',
  house_number: String(number),
  postal_code: '1017GA',
  city: 'Amsterdam',
  country: 'NL',
});

describe.each(databaseKinds)('live monitoring on %s', (kind) => {
  let app: TestApplication;
  const sent: OutgoingMessage[] = [];
  const desk = makeStaffDesk(() => app);
  let orderNumber = 0;

  /** A small first order of a new customer: approved on its own (below the new-customer floor). */
  async function order(amount = 2_000) {
    orderNumber += 1;
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        amount: { value: amount, currency: 'EUR' },
        merchant_reference: `mon-${orderNumber}`,
        lines: [{ name: 'Socks', quantity: 1, unit_price: amount, category: 'clothing' }],
        customer: {
          name: `Klant ${orderNumber}`,
          email: `klant${orderNumber}@example.nl`,
          phone: `+316${String(20_000_000 + orderNumber)}`,
        },
        billing_address: billingOf(orderNumber),
        shipping_address: billingOf(orderNumber),
        device: { id: `dev-mon-${orderNumber}`, ip: `198.51.100.${orderNumber}`, user_agent: 'Mozilla/5.0' },
      }),
    });
    expect(session.statusCode).toBe(201);
    const authorized = await app.request('POST', `/v1/sessions/${session.json().id}/authorize`);
    expect(authorized.statusCode).toBe(200);
    return authorized.json() as { decision: string; reasons: { code: string }[] };
  }

  beforeAll(async () => {
    const capturing = { send: async (message: OutgoingMessage) => void sent.push(message) };
    app = await makeTestApplication(
      kind,
      { notifiers: { email: capturing, sms: capturing } },
      { OPS_ALERT_TO: 'desk@provider.example' },
    );
    await desk.hire('Lea', 'lead');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts decisions per minute by outcome against the same hour last week, from the database', async () => {
    const now = app.clock.now();
    app.clock.set(now - week);
    expect((await order()).decision).toBe('approved');
    app.clock.set(now);
    for (let index = 0; index < 3; index++) expect((await order()).decision).toBe('approved');

    const response = await desk.as('Lea', 'GET', `/v1/ops/monitoring?minutes=30&merchant_id=${app.merchant.id}`);
    expect(response.statusCode).toBe(200);
    const view = response.json();
    expect(view.totals.now).toMatchObject({ decisions: 3, approved: 3, step_up: 0 });
    expect(view.totals.last_week).toMatchObject({ decisions: 1, approved: 1 });
    expect(view.decisions_per_minute).toHaveLength(30);
    const minute = view.decisions_per_minute.at(-1);
    expect(minute).toMatchObject({ approved: 3, last_week_total: 1 });
    expect(view.latency_ms.p50).toBeGreaterThanOrEqual(0);
    expect(view.score.bins).toHaveLength(10);
    expect(view.score.bins.reduce((sum: number, bin: { now: number }) => sum + bin.now, 0)).toBeCloseTo(1);
    expect(view.provider_fallback).toMatchObject({ decisions: 0, rate: 0 });
    // The same picture as server-sent events, so the console's charts move on their own.
    const stream = await desk.as('Lea', 'GET', '/v1/ops/monitoring/stream?minutes=30&interval_seconds=1&events=2');
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = stream.body.split('\n\n').filter((event) => event.startsWith('event: monitoring'));
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!.split('data: ')[1]!).totals.now.decisions).toBeGreaterThanOrEqual(3);
    // Without a signed-in staff member there is no picture; bad windows are a 400 with the field named.
    expect((await app.request('GET', '/v1/ops/monitoring', { key: null })).statusCode).toBe(401);
    const bad = await desk.as('Lea', 'GET', '/v1/ops/monitoring?minutes=100000');
    expect(bad.statusCode).toBe(400);
  });

  it('raises an alert from a rule once, sends it to the desk, then acknowledges and resolves it', async () => {
    const created = await desk.as('Lea', 'POST', '/v1/ops/alert-rules', {
      name: 'Busy shop',
      series: 'decisions',
      merchant_id: app.merchant.id,
      kind: 'threshold',
      threshold: 3,
      window_minutes: 30,
    });
    expect(created.statusCode).toBe(201);
    const rule = created.json();
    const change = await desk.as('Lea', 'POST', '/v1/ops/alert-rules', {
      name: 'Step-ups doubled',
      series: 'step_ups',
      merchant_id: app.merchant.id,
      new_address_only: true,
      kind: 'change',
      threshold: 2,
      minimum_count: 5,
      window_minutes: 60,
    });
    expect(change.statusCode).toBe(201);

    expect((await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate')).json()).toEqual({ raised: 1 });
    // Still breached, but its alert is open: nobody is told twice.
    expect((await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate')).json()).toEqual({ raised: 0 });
    expect(await app.monitoring.alertRules.evaluate()).toBe(0);

    const open = (await desk.as('Lea', 'GET', '/v1/ops/alerts?open=true')).json().data;
    const alert = open.find((item: { kind: string }) => item.kind === 'alert_rule');
    expect(alert.message).toContain('Busy shop: decisions was 3');
    for (let round = 0; round < 3; round++) await app.outbox.drainOnce();
    const notified = sent.filter((message) => message.kind === 'ops_alert');
    expect(notified).toHaveLength(1);
    expect(notified[0]).toMatchObject({ to: 'desk@provider.example', subject: 'Rearguard alert: alert rule' });

    expect((await desk.as('Lea', 'POST', `/v1/ops/alerts/${alert.id}/acknowledge`)).statusCode).toBe(200);
    const resolved = await desk.as('Lea', 'POST', `/v1/ops/alerts/${alert.id}/resolve`);
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ id: alert.id, resolved_by: 'Lea' });
    const again = await desk.as('Lea', 'POST', `/v1/ops/alerts/${alert.id}/resolve`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('alert_resolved');
    const audit = (await desk.as('Lea', 'GET', `/v1/ops/audit?subject=${alert.id}`)).json().data;
    expect(audit.map((entry: { action: string }) => entry.action)).toEqual(['alert.acknowledge', 'alert.resolve']);
    // Resolved while the cause persists: the next round raises a fresh alert.
    expect((await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate')).json()).toEqual({ raised: 1 });
    const rules = (await desk.as('Lea', 'GET', '/v1/ops/alert-rules')).json();
    expect(rules.data.map((item: { id: string }) => item.id)).toContain(rule.id);
    expect(rules.data.find((item: { id: string }) => item.id === rule.id).last_evaluated_at).not.toBeNull();
    // Writing rules is for leads; a series the monitor does not know is refused at the edge.
    await desk.hire('Ana', 'analyst');
    const refused = await desk.as('Ana', 'POST', '/v1/ops/alert-rules', { ...rule, series: 'decisions' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('staff_role_required');
    const wrong = await desk.as('Lea', 'POST', '/v1/ops/alert-rules', { ...rule, series: 'weather' });
    expect(wrong.statusCode).toBe(400);
  });

  it('pulls a lever from an alert that reviews larger orders until it expires by itself, audited', async () => {
    expect((await order(2_000)).decision).toBe('approved');
    const [alert] = await app.database.query<{ id: string }>(
      `SELECT id FROM protection_alerts WHERE kind = 'alert_rule' AND resolved_at IS NULL`,
    );
    const pulled = await desk.as('Lea', 'POST', '/v1/ops/levers', {
      merchant_id: app.merchant.id,
      action: 'review',
      minimum_amount: 1_500,
      minutes: 120,
      alert_id: alert!.id,
    });
    expect(pulled.statusCode).toBe(201);
    const lever = pulled.json();
    expect(lever).toMatchObject({ status: 'active', pulled_by: 'Lea', alert_id: alert!.id });

    const underLever = await order(2_000);
    expect(underLever.decision).toBe('review');
    expect(underLever.reasons.map((reason) => reason.code)).toContain('emergency_lever_review');
    // Below the lever's amount the decision is the engine's own.
    expect((await order(1_000)).decision).toBe('approved');
    const [stored] = await app.database.query<{ hit: boolean }>(
      `SELECT rule_results @> jsonb_build_array(jsonb_build_object('kind', 'hit', 'ruleId', $1::text)) AS hit
       FROM decisions ORDER BY seq DESC OFFSET 1 LIMIT 1`,
      [`emergency_lever_${lever.id}`],
    );
    expect(stored?.hit).toBe(true);

    // Its time is up: the next decision no longer sees it, before any job has run.
    app.clock.advance(121 * 60_000);
    expect((await order(2_000)).decision).toBe('approved');
    await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate');
    const listed = (await desk.as('Lea', 'GET', '/v1/ops/levers')).json().data;
    expect(listed.find((item: { id: string }) => item.id === lever.id)).toMatchObject({
      status: 'expired',
      ended_by: 'clock',
    });
    const audit = (await desk.as('Lea', 'GET', `/v1/ops/audit?subject=${lever.id}`)).json().data;
    expect(audit.map((entry: { action: string; actor: string }) => [entry.action, entry.actor])).toEqual([
      ['lever.pull', 'Lea'],
      ['lever.expire', 'clock'],
    ]);
    expect(audit[0].after).toMatchObject({ alert_id: alert!.id });
  });

  it('refuses a lever that is too long, on an unknown merchant, and releases an active one early', async () => {
    const tooLong = await desk.as('Lea', 'POST', '/v1/ops/levers', {
      merchant_id: app.merchant.id,
      action: 'step_up',
      minutes: 5_000,
    });
    expect(tooLong.statusCode).toBe(400);
    const unknown = await desk.as('Lea', 'POST', '/v1/ops/levers', {
      merchant_id: 'mer_unknown',
      action: 'step_up',
      minutes: 60,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('merchant_not_found');
    const pulled = await desk.as('Lea', 'POST', '/v1/ops/levers', {
      merchant_id: app.merchant.id,
      action: 'review',
      minutes: 60,
    });
    const lever = pulled.json();
    expect((await order(2_000)).decision).toBe('review');
    const released = await desk.as('Lea', 'POST', `/v1/ops/levers/${lever.id}/release`);
    expect(released.json()).toMatchObject({ status: 'released', ended_by: 'Lea' });
    expect((await order(2_000)).decision).toBe('approved');
    expect((await desk.as('Lea', 'POST', `/v1/ops/levers/${lever.id}/release`)).statusCode).toBe(409);
  });
});

describe.each(databaseKinds)('a change rule on %s', (kind) => {
  let app: TestApplication;
  const desk = makeStaffDesk(() => app);
  let orderNumber = 0;

  /** A new customer's order to an address no account has; with the development bank a step-up has a proof to ask. */
  async function order() {
    orderNumber += 1;
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        amount: { value: 2_000, currency: 'EUR' },
        merchant_reference: `chg-${orderNumber}`,
        lines: [{ name: 'Socks', quantity: 1, unit_price: 2_000 }],
        customer: {
          name: `Koper ${orderNumber}`,
          email: `koper${orderNumber}@example.nl`,
          phone: `+316300${String(10_000 + orderNumber)}`,
        },
        billing_address: billingOf(orderNumber),
        shipping_address: billingOf(orderNumber),
        device: { id: `dev-chg-${orderNumber}`, ip: `198.51.100.${orderNumber}`, user_agent: 'Mozilla/5.0' },
      }),
    });
    return (await app.request('POST', `/v1/sessions/${session.json().id}/authorize`)).json().decision as string;
  }

  async function stepUps(count: number) {
    const pulled = await desk.as('Lea', 'POST', '/v1/ops/levers', {
      merchant_id: app.merchant.id,
      action: 'step_up',
      new_address_only: true,
      minutes: 30,
    });
    expect(pulled.statusCode).toBe(201);
    for (let index = 0; index < count; index++) expect(await order()).toBe('step_up');
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind, { demo: true });
    await desk.hire('Lea', 'lead');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('raises "step-ups of new-address orders at this merchant doubled against last week"', async () => {
    const now = app.clock.now();
    app.clock.set(now - week);
    await stepUps(3);
    app.clock.set(now);
    const created = await desk.as('Lea', 'POST', '/v1/ops/alert-rules', {
      name: 'New-address step-ups doubled',
      series: 'step_ups',
      merchant_id: app.merchant.id,
      new_address_only: true,
      kind: 'change',
      threshold: 2,
      minimum_count: 3,
      window_minutes: 60,
    });
    expect(created.statusCode).toBe(201);
    // As many as last week: no alert.
    await stepUps(3);
    expect((await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate')).json()).toEqual({ raised: 0 });
    // Twice as many: the desk hears of it, with both figures in the message.
    await stepUps(3);
    expect((await desk.as('Lea', 'POST', '/v1/ops/alert-rules/evaluate')).json()).toEqual({ raised: 1 });
    const alerts = (await desk.as('Lea', 'GET', '/v1/ops/alerts?open=true')).json().data;
    expect(alerts[0]).toMatchObject({ kind: 'alert_rule', rule_id: created.json().id });
    expect(alerts[0].message).toBe(
      'New-address step-ups doubled: step_ups was 6 in the last 60 min against 3 a week ago (alert at 2x)',
    );
  });
});
