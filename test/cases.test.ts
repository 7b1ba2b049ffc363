// Cases for the ops console: SLA timers and alerts, assign/comment with an audit trail, resolution both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, outboxTopics, signedInHeaders } from './protection.helpers.ts';
import type { HistoryEvent } from '../src/risk/engine.ts';

const hour = 3_600_000;
const processorKey = 'cases-processor-key-0123456789';

describe.each(databaseKinds)('cases on %s', (kind) => {
  let app: TestApplication;
  const recorded: HistoryEvent[] = [];
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, { PAYMENT_PROCESSOR_KEY: processorKey });
    const record = app.engine.record.bind(app.engine);
    app.engine.record = async (event) => {
      recorded.push(event);
      await record(event);
    };
    await app.request('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/x', events: ['case.resolved'] } });
  });
  afterAll(async () => {
    await app.close();
  });

  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, { key: adminKey, ...(body === undefined ? {} : { body }) });

  async function claimed(reference: string, claimKind = 'not_mine') {
    const order = await approvedOrder(app, { merchant_reference: reference });
    const headers = await signedInHeaders(app, order.accountId);
    const filed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: order.orderId, kind: claimKind },
    });
    return { ...order, caseId: filed.json().case_id as string };
  }

  it('times the first response, alerts once when it is breached, and stops the clock on the first action', async () => {
    const { caseId } = await claimed('sla-1');
    let read = (await admin('GET', `/v1/admin/cases/${caseId}`)).json();
    expect(read.sla).toMatchObject({ breached: false, seconds_remaining: 4 * 3600, first_responded_at: null });
    expect(read.evidence.order.id).toBe(read.order_id);

    app.clock.advance(5 * hour);
    expect((await app.protection.scheduler.tick()).case_sla).toBe(1);
    expect((await app.protection.scheduler.tick()).case_sla).toBe(0);
    const alerts = (await admin('GET', '/v1/admin/case-alerts')).json();
    expect(alerts.data.filter((alert: { subject_id: string }) => alert.subject_id === caseId)).toHaveLength(1);
    expect((await outboxTopics(app)).filter((row) => row.topic === 'ops.alert')).toHaveLength(1);
    expect(await app.metrics.registry.getSingleMetricAsString('rearguard_case_sla_breaches_total')).toContain(' 1');
    const breached = (await admin('GET', '/v1/admin/cases?breached=true&status=open')).json();
    expect(breached.data.map((item: { id: string }) => item.id)).toContain(caseId);

    await admin('POST', `/v1/admin/cases/${caseId}/assign`, { assignee: 'sam', actor: 'lead' });
    await admin('POST', `/v1/admin/cases/${caseId}/comments`, { text: 'Calling the merchant.', actor: 'sam' });
    read = (await admin('GET', `/v1/admin/cases/${caseId}`)).json();
    expect(read.assignee).toBe('sam');
    expect(read.sla).toMatchObject({ breached: true, seconds_remaining: null });
    expect(read.audit.map((event: { action: string; actor: string }) => `${event.action}:${event.actor}`)).toEqual([
      expect.stringMatching(/^opened:consumer:acc_/),
      'assigned:lead',
      'commented:sam',
    ]);
    const mine = (await admin('GET', '/v1/admin/cases?assignee=sam')).json();
    expect(mine.data.map((item: { id: string }) => item.id)).toEqual([caseId]);
  });

  it('a case filed before evidence was kept by reference is read and resolved from its plain evidence', async () => {
    const { caseId, orderId } = await claimed('legacy-1');
    const legacy = {
      order: {
        id: orderId,
        amount: { value: 4900, currency: 'EUR' },
        merchant: null,
        placed_at: '2026-01-01T00:00:00Z',
      },
      decision: null,
      claimed_identity: { name: 'Old Case', email: 'Old.Case@example.nl', phone: '+31 6 1111 2222' },
      device: { id: 'dev-legacy-1', ip: '192.0.2.44' },
      ip: '192.0.2.44',
      billing_address: null,
      shipping_address: { street: 'Dam', house_number: '1', postal_code: '1012 JS', city: 'Amsterdam', country: 'NL' },
      linked_accounts: [{ account_id: 'acc_gone', name: 'Linked Person', email: 'linked@example.nl', shared: 'ip' }],
    };
    await app.database.query('UPDATE cases SET evidence = $2 WHERE id = $1', [caseId, JSON.stringify(legacy)]);
    expect((await admin('GET', `/v1/admin/cases/${caseId}`)).json().evidence).toEqual(legacy);
    await admin('POST', `/v1/admin/cases/${caseId}/resolve`, {
      outcome: 'fraud_confirmed',
      note: 'Old.',
      actor: 'sam',
    });
    const flags = await app.database.query<{ entity_kind: string; entity_value: string }>(
      'SELECT entity_kind, entity_value FROM protection_flags WHERE case_id = $1 ORDER BY entity_kind',
      [caseId],
    );
    expect(flags).toEqual([
      { entity_kind: 'address', entity_value: '1012JS|1|NL' },
      { entity_kind: 'device', entity_value: 'dev-legacy-1' },
      { entity_kind: 'email', entity_value: 'old.case@example.nl' },
      { entity_kind: 'ip', entity_value: '192.0.2.44' },
      { entity_kind: 'phone', entity_value: '+31611112222' },
    ]);
  });

  it('confirmed fraud: the invoice is written off, the order labelled with its time, the entities flagged', async () => {
    const { caseId, orderId, invoiceId, accountId } = await claimed('fraud-1');
    const resolved = await admin('POST', `/v1/admin/cases/${caseId}/resolve`, {
      outcome: 'fraud_confirmed',
      note: 'Parcel redirected to a drop address.',
      actor: 'sam',
    });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({
      status: 'resolved',
      resolution: 'fraud_confirmed',
      invoice: { id: invoiceId, status: 'written_off' },
      claim: { status: 'upheld' },
    });
    const [label] = await app.database.query<{ label: string; known_at: Date }>(
      'SELECT label, known_at FROM labels WHERE order_id = $1',
      [orderId],
    );
    expect(label).toEqual({ label: 'fraud_third_party', known_at: new Date(app.clock.now()) });
    expect(recorded).toContainEqual({ kind: 'label', orderId, at: app.clock.now(), label: 'fraud_third_party' });
    const flags = await app.database.query<{ entity_kind: string; entity_value: string }>(
      'SELECT entity_kind, entity_value FROM protection_flags WHERE case_id = $1 ORDER BY entity_kind',
      [caseId],
    );
    expect(flags).toEqual([
      { entity_kind: 'address', entity_value: '1012LG|1|NL' },
      { entity_kind: 'device', entity_value: 'dev-anna-1' },
      { entity_kind: 'email', entity_value: 'anna@example.nl' },
      { entity_kind: 'ip', entity_value: '203.0.113.7' },
      { entity_kind: 'phone', entity_value: '+31612345678' },
    ]);
    const notices = await outboxTopics(app, accountId);
    expect(notices.at(-1)!.payload).toMatchObject({ template: 'claim_upheld' });
    const webhooks = (await outboxTopics(app)).filter((row) => row.payload.event === 'case.resolved');
    expect(webhooks.at(-1)!.payload.data).toMatchObject({ case_id: caseId, outcome: 'fraud_confirmed' });

    const again = await admin('POST', `/v1/admin/cases/${caseId}/resolve`, {
      outcome: 'rejected',
      note: 'x',
      actor: 'sam',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('case_resolved');
  });

  it('rejected: the invoice resumes with its paused days back, and the consumer is told why and how to appeal', async () => {
    const { caseId, invoiceId, accountId, orderId } = await claimed('reject-1', 'not_received');
    const [before] = await app.database.query<{ due_at: Date }>('SELECT due_at FROM invoices WHERE id = $1', [
      invoiceId,
    ]);
    app.clock.advance(48 * hour);
    const resolved = await admin('POST', `/v1/admin/cases/${caseId}/resolve`, {
      outcome: 'rejected',
      note: 'The carrier has a signed delivery at your address.',
      actor: 'sam',
    });
    expect(resolved.json()).toMatchObject({ invoice: { status: 'open' }, claim: { status: 'rejected' } });
    expect(Date.parse(resolved.json().invoice.due_at)).toBe(before!.due_at.getTime() + 48 * hour);
    const notice = (await outboxTopics(app, accountId)).at(-1)!.payload;
    expect(notice.template).toBe('claim_rejected');
    expect(notice.text).toContain('The carrier has a signed delivery at your address.');
    expect(notice.text).toContain('human review');
    expect((await app.request('GET', `/v1/orders/${orderId}`)).json().status).toBe('approved');
    expect(recorded.some((event) => event.kind === 'label' && event.orderId === orderId)).toBe(false);
  });

  it('refunds what a fraud victim already paid when the fraud is confirmed', async () => {
    const order = await approvedOrder(app, { merchant_reference: 'paid-then-reported' });
    const paid = await app.request('POST', `/v1/invoices/${order.invoiceId}/payments`, {
      key: processorKey,
      body: { amount: { value: 93900, currency: 'EUR' }, reference: 'psp-victim-1' },
    });
    expect(paid.json().invoice.status).toBe('paid');
    const headers = await signedInHeaders(app, order.accountId);
    const filed = await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: order.orderId, kind: 'not_mine' },
    });
    expect(filed.json().invoice.status).toBe('paid');
    await admin('POST', `/v1/admin/cases/${filed.json().case_id}/resolve`, {
      outcome: 'fraud_confirmed',
      note: 'Not the account holder.',
      actor: 'sam',
    });
    const invoice = (await app.request('GET', `/v1/invoices/${order.invoiceId}`, { key: processorKey })).json();
    expect(invoice).toMatchObject({ status: 'written_off', outstanding: { value: 0 }, refund: { value: 93900 } });
    const refunds = (await outboxTopics(app)).filter((row) => row.topic === 'payment.refund');
    expect(refunds.map((row) => row.payload)).toContainEqual(
      expect.objectContaining({ invoice_id: order.invoiceId, amount: 93900, currency: 'EUR' }),
    );
    expect((await outboxTopics(app, order.accountId)).at(-1)!.payload.text).toContain('EUR 939.00 you already paid');
  });

  it('refuses bad case requests with stable 4xx codes', async () => {
    expect((await app.request('GET', '/v1/admin/cases')).statusCode).toBe(401);
    expect((await admin('GET', '/v1/admin/cases/cas_nope')).statusCode).toBe(404);
    expect((await admin('GET', '/v1/admin/cases?breached=maybe')).statusCode).toBe(400);
    const { caseId } = await claimed('bad-1');
    const bad = await admin('POST', `/v1/admin/cases/${caseId}/resolve`, { outcome: 'shrug', note: 'x', actor: 'a' });
    expect(bad.json().error).toMatchObject({ code: 'invalid_request', field: 'outcome' });
    expect((await admin('POST', `/v1/admin/cases/${caseId}/comments`, { text: '', actor: 'a' })).statusCode).toBe(400);
  });
});
