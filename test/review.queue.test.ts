// The review queue end to end: a `review` decision opens an item with a deadline; an analyst approves (order,
// invoice, webhooks) or declines it; past its deadline the configured default applies and an alert is raised.
import type { OutgoingMessage } from '../src/notify/notifier.ts';
import { loadConfig } from '../src/config.ts';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const shippedRuleset = JSON.parse(readFileSync(new URL('../rules/default.json', import.meta.url), 'utf8'));

/** Every purchase above EUR 100 goes to review: the analysts' own lever, activated through the admin API. */
async function reviewLargeOrders(app: TestApplication) {
  const ruleset = structuredClone(shippedRuleset);
  ruleset.version = 'review-large-1';
  ruleset.rules.unshift({
    id: 'review_large',
    description: 'Review anything above EUR 100',
    condition: { kind: 'cmp', feature: 'cart_amount', op: 'gt', value: 10000 },
    action: 'review',
    reason: { code: 'large_order_review', message: 'We check larger orders by hand.' },
  });
  const admin = (url: string, body?: unknown) => app.request('POST', url, { key: adminKey, body });
  expect((await admin('/v1/admin/rulesets', { ruleset })).statusCode).toBe(201);
  expect((await admin('/v1/admin/rulesets/review-large-1/activate')).statusCode).toBe(200);
}

interface Delivered {
  type: string;
  data: Record<string, unknown>;
}

describe.each(databaseKinds)('review queue on %s', (kind) => {
  let app: TestApplication;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, { key: adminKey, body });
  const delivered = () => receiver.received.map((hook) => JSON.parse(hook.body) as Delivered);

  async function heldForReview(reference: string, overrides: Record<string, unknown> = {}) {
    const session = (
      await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: reference, ...overrides }) })
    ).json();
    const authorized = (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
    expect(authorized.decision).toBe('review');
    expect(authorized.order).toBeUndefined();
    const pending = (await admin('GET', '/v1/admin/reviews?status=pending&limit=500')).json();
    const item = pending.data.find((candidate: { session_id: string }) => candidate.session_id === session.id);
    expect(item).toBeDefined();
    return { sessionId: session.id as string, item };
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind, {}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', REVIEW_DEADLINE_MINUTES: '90' });
    receiver = await startWebhookReceiver();
    await reviewLargeOrders(app);
    const endpoint = await app.request('POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['order.approved', 'session.review_approved', 'session.review_declined'] },
    });
    expect(endpoint.statusCode).toBe(201);
  });
  afterAll(async () => {
    await receiver.close();
    await app.close();
  });

  it('opens a queue item with a deadline; an analyst approves it into an order, an invoice and webhooks', async () => {
    const { sessionId, item } = await heldForReview('review-approve-1');
    expect(item).toMatchObject({
      status: 'pending',
      amount: { value: 93900, currency: 'EUR' },
      due_at: new Date(app.clock.now() + 90 * 60_000).toISOString(),
      seconds_remaining: 90 * 60,
      resolution: null,
    });
    expect((await app.request('GET', `/v1/sessions/${sessionId}`)).json().status).toBe('review');

    const approved = await admin('POST', `/v1/admin/reviews/${item.id}/approve`, { actor: 'Ilse', note: 'called her' });
    expect(approved.statusCode).toBe(200);
    const settled = approved.json();
    expect(settled).toMatchObject({
      status: 'approved',
      seconds_remaining: null,
      resolution: { outcome: 'approved', by: 'Ilse', source: 'analyst', note: 'called her' },
    });
    expect(settled.resolution.order_id).toMatch(/^ord_/);

    // The merchant reads the new status and the order with its invoice, exactly as after any approval.
    const session = (await app.request('GET', `/v1/sessions/${sessionId}`)).json();
    expect(session).toMatchObject({ status: 'approved', order: { id: settled.resolution.order_id } });
    expect(session.decision.reasons).toEqual([expect.objectContaining({ code: 'review_approved' })]);
    expect(JSON.stringify(session)).not.toContain('Ilse');
    const order = (await app.request('GET', `/v1/orders/${settled.resolution.order_id}`)).json();
    expect(order).toMatchObject({ status: 'approved', invoice: { status: 'open' } });

    await app.outbox.drainOnce();
    const hooks = delivered().filter((hook) => hook.data.session_id === sessionId);
    expect(hooks.map((hook) => hook.type).sort()).toEqual(['order.approved', 'session.review_approved']);
    expect(hooks.find((hook) => hook.type === 'session.review_approved')!.data).toMatchObject({
      order_id: settled.resolution.order_id,
      status: 'approved',
      settled_by: 'analyst',
      merchant_reference: 'review-approve-1',
    });

    // Settled once: a second verdict, either way, is refused with a stable code and changes nothing.
    for (const verdict of ['approve', 'decline']) {
      const again = await admin('POST', `/v1/admin/reviews/${item.id}/${verdict}`, { actor: 'Bram' });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('review_not_pending');
    }
    const orders = await app.database.query('SELECT id FROM orders WHERE session_id = $1', [sessionId]);
    expect(orders).toHaveLength(1);
  });

  it('declines on an analyst verdict: no order, the session is declined, the merchant hears', async () => {
    const { sessionId, item } = await heldForReview('review-decline-1');
    const declined = await admin('POST', `/v1/admin/reviews/${item.id}/decline`, { actor: 'Ilse' });
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toMatchObject({ status: 'declined', resolution: { order_id: null, source: 'analyst' } });
    const session = (await app.request('GET', `/v1/sessions/${sessionId}`)).json();
    expect(session).toMatchObject({ status: 'declined', order: null });
    expect(session.decision.reasons).toEqual([expect.objectContaining({ code: 'review_declined' })]);
    await app.outbox.drainOnce();
    const hooks = delivered().filter((hook) => hook.data.session_id === sessionId);
    expect(hooks.map((hook) => hook.type)).toEqual(['session.review_declined']);
    // A replayed authorize answers with the settled decision, not a second one.
    const replay = (await app.request('POST', `/v1/sessions/${sessionId}/authorize`)).json();
    expect(replay.decision).toBe('declined');
  });

  it('lets a block-list hit added since the review win over an approval', async () => {
    const email = 'mallory.review@example.com';
    const { sessionId, item } = await heldForReview('review-blocked-1', {
      customer: { name: 'Mallory', email, phone: '+31611112222' },
    });
    const listed = await admin('POST', '/v1/admin/lists', {
      list: 'block',
      kind: 'email',
      value: email,
      reason: 'ring',
    });
    expect(listed.statusCode).toBe(201);
    const approved = (await admin('POST', `/v1/admin/reviews/${item.id}/approve`, { actor: 'Ilse' })).json();
    expect(approved).toMatchObject({ status: 'declined', resolution: { order_id: null } });
    expect((await app.request('GET', `/v1/sessions/${sessionId}`)).json().status).toBe('declined');
  });

  it('settles one verdict when two analysts act at once', async () => {
    const { sessionId, item } = await heldForReview('review-race-1');
    const results = await Promise.all([
      admin('POST', `/v1/admin/reviews/${item.id}/approve`, { actor: 'Ilse' }),
      admin('POST', `/v1/admin/reviews/${item.id}/decline`, { actor: 'Bram' }),
    ]);
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 409]);
    const winner = results.find((result) => result.statusCode === 200)!.json();
    const session = (await app.request('GET', `/v1/sessions/${sessionId}`)).json();
    expect(session.status).toBe(winner.status);
    const decisions = await app.database.query('SELECT id FROM decisions WHERE session_id = $1', [sessionId]);
    expect(decisions).toHaveLength(2);
  });

  it('applies the default (decline) past the deadline, once, and raises an alert', async () => {
    const { sessionId, item } = await heldForReview('review-late-1');
    app.clock.advance(89 * 60_000);
    await app.reviewScheduler.tick();
    expect((await admin('GET', `/v1/admin/reviews/${item.id}`)).json().status).toBe('pending');
    app.clock.advance(2 * 60_000);
    const counts = await app.reviewScheduler.tick();
    expect(counts.review_deadlines).toBeGreaterThanOrEqual(1);
    expect((await app.reviewScheduler.tick()).review_deadlines).toBe(0);
    expect((await admin('GET', `/v1/admin/reviews/${item.id}`)).json()).toMatchObject({
      status: 'declined',
      resolution: { by: 'system', source: 'deadline' },
    });
    expect((await app.request('GET', `/v1/sessions/${sessionId}`)).json().status).toBe('declined');
    const alerts = (await admin('GET', '/v1/admin/case-alerts')).json().data;
    expect(alerts).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'review_deadline_passed', subject_id: item.id })]),
    );
    await app.outbox.drainOnce();
    const hooks = delivered().filter((hook) => hook.data.session_id === sessionId);
    expect(hooks).toEqual([
      expect.objectContaining({
        type: 'session.review_declined',
        data: expect.objectContaining({ settled_by: 'deadline' }),
      }),
    ]);
    expect((await admin('POST', `/v1/admin/reviews/${item.id}/approve`, { actor: 'Ilse' })).statusCode).toBe(409);
  });

  it('lists with the shared envelope and refuses bad input with stable codes', async () => {
    const page = (await admin('GET', '/v1/admin/reviews?limit=1')).json();
    expect(page).toMatchObject({ data: [expect.any(Object)], has_more: true, next_cursor: expect.any(String) });
    const next = (await admin('GET', `/v1/admin/reviews?limit=1&cursor=${page.next_cursor}`)).json();
    expect(next.data[0].id).not.toBe(page.data[0].id);
    expect((await admin('GET', '/v1/admin/reviews/rvw_unknown')).statusCode).toBe(404);
    // A malformed id is simply not found, as everywhere else in the API.
    expect((await admin('GET', '/v1/admin/reviews/nonsense')).statusCode).toBe(404);
    expect((await admin('GET', '/v1/admin/reviews?status=lost')).statusCode).toBe(400);
    const { item } = await heldForReview('review-bad-input-1');
    const noActor = await admin('POST', `/v1/admin/reviews/${item.id}/approve`, {});
    expect(noActor.statusCode).toBe(400);
    expect(noActor.json().error.code).toBe('invalid_request');
    expect(
      (await app.request('POST', `/v1/admin/reviews/${item.id}/approve`, { body: { actor: 'x' } })).statusCode,
    ).toBe(401);
    expect((await admin('GET', `/v1/admin/reviews/${item.id}`)).json().status).toBe('pending');
  });
});

describe('review queue with REVIEW_DEFAULT_OUTCOME=approve', () => {
  it('approves an overdue item into an order and still raises an alert', async () => {
    const app = await makeTestApplication(
      'pglite',
      {},
      { REVIEW_DEFAULT_OUTCOME: 'approve', REVIEW_DEADLINE_MINUTES: '30' },
    );
    try {
      await reviewLargeOrders(app);
      const session = (await app.request('POST', '/v1/sessions', { body: sessionBody() })).json();
      expect((await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json().decision).toBe('review');
      app.clock.advance(31 * 60_000);
      expect((await app.reviewScheduler.tick()).review_deadlines).toBe(1);
      const settled = (await app.request('GET', `/v1/sessions/${session.id}`)).json();
      expect(settled).toMatchObject({ status: 'approved', order: { id: expect.stringMatching(/^ord_/) } });
      const alerts = (await app.request('GET', '/v1/admin/case-alerts', { key: adminKey })).json().data;
      expect(alerts).toEqual([expect.objectContaining({ kind: 'review_deadline_passed' })]);
    } finally {
      await app.close();
    }
  });
});

describe('desk alerts with OPS_ALERT_TO', () => {
  it('sends an overdue review alert once to every desk address, and again to nobody when retried', async () => {
    const sent: OutgoingMessage[] = [];
    const capturing = { send: async (message: OutgoingMessage) => void sent.push(message) };
    const app = await makeTestApplication(
      'pglite',
      { notifiers: { email: capturing, sms: capturing } },
      { REVIEW_DEADLINE_MINUTES: '30', OPS_ALERT_TO: 'desk@provider.example, +31201234567' },
    );
    try {
      await reviewLargeOrders(app);
      const session = (await app.request('POST', '/v1/sessions', { body: sessionBody() })).json();
      expect((await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json().decision).toBe('review');
      app.clock.advance(31 * 60_000);
      expect((await app.reviewScheduler.tick()).review_deadlines).toBe(1);
      // The alert fans out into one notification per address; each is then delivered on its own.
      for (let round = 0; round < 3; round++) await app.outbox.drainOnce();
      const alerts = sent.filter((message) => message.kind === 'ops_alert');
      expect(alerts.map((message) => [message.channel, message.to]).sort()).toEqual([
        ['email', 'desk@provider.example'],
        ['sms', '+31201234567'],
      ]);
      expect(alerts[0]!.subject).toBe('Rearguard alert: review deadline passed');
      expect(alerts.every((message) => message.text.includes(session.id))).toBe(true);
      // A redelivered alert message (a crash after the fan-out) reaches nobody twice.
      const [alert] = await app.database.query<{ id: string }>(`SELECT id FROM outbox WHERE topic = 'ops.alert'`);
      await app.database.query(
        `UPDATE outbox SET status = 'pending', delivered_at = NULL, next_attempt_at = $2 WHERE id = $1`,
        [alert!.id, new Date(app.clock.now())],
      );
      for (let round = 0; round < 3; round++) await app.outbox.drainOnce();
      const [redelivered] = await app.database.query<{ status: string; delivered_at: Date | null }>(
        'SELECT status, delivered_at FROM outbox WHERE id = $1',
        [alert!.id],
      );
      expect(redelivered).toMatchObject({ status: 'delivered', delivered_at: expect.any(Date) });
      expect(sent.filter((message) => message.kind === 'ops_alert')).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it('refuses an address that is neither e-mail nor an international phone number', () => {
    const result = loadConfig({ OPS_ALERT_TO: 'desk@provider.example, 0612345678' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join()).toMatch(/OPS_ALERT_TO: "0612345678"/);
  });
});
