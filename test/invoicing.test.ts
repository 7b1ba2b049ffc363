// Invoice life cycle: due date, reminders on the clock (never twice), late fee, partial and idempotent payments, payouts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, type TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication, outboxTopics, signedInHeaders } from './protection.helpers.ts';
import type { HistoryEvent } from '../src/risk/engine.ts';
import { dueSteps } from '../src/invoicing/invoice.scheduler.ts';

const day = 86_400_000;
const processorKey = 'test-processor-key-0123456789';

describe('dueSteps', () => {
  const policy = { reminderDays: [-3, 1, 7], lateFeeCents: 500, lateFeeAfterDays: 14, unpaidAfterDays: 60 };
  it.each([
    [-4, [], []],
    [-3, ['reminder_1'], []],
    [2, ['reminder_2'], ['reminder_1']],
    [14, ['reminder_3', 'late_fee'], ['reminder_1', 'reminder_2']],
    [60, ['reminder_3', 'late_fee', 'unpaid'], ['reminder_1', 'reminder_2']],
  ])('at due %+d days sends %j and skips %j', (offset, send, skip) => {
    const result = dueSteps(policy, 0, offset * day);
    expect(result.send.map((step) => step.step)).toEqual(send);
    expect(result.skip).toEqual(skip);
  });
  it('adds no late fee when the fee is zero', () => {
    expect(dueSteps({ ...policy, lateFeeCents: 0 }, 0, 20 * day).send.map((step) => step.step)).toEqual(['reminder_3']);
  });
});

describe.each(databaseKinds)('invoices and payments on %s', (kind) => {
  let app: TestApplication;
  const recorded: HistoryEvent[] = [];
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, { LATE_FEE_CENTS: '500', PAYMENT_PROCESSOR_KEY: processorKey });
    const record = app.engine.record.bind(app.engine);
    app.engine.record = async (event) => {
      recorded.push(event);
      await record(event);
    };
  });
  afterAll(async () => {
    await app.close();
  });

  const pay = (invoiceId: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request('POST', `/v1/invoices/${invoiceId}/payments`, { key: processorKey, body, headers });
  const invoice = async (invoiceId: string) =>
    (await app.request('GET', `/v1/invoices/${invoiceId}`, { key: processorKey })).json();
  const notices = async (accountId: string) =>
    (await outboxTopics(app, accountId))
      .map((row) => row.payload.template)
      .filter((template) => template !== 'claim_received');

  it('runs the collection schedule once per step, adds a late fee and settles with partial payments', async () => {
    const { invoiceId, accountId, orderId } = await approvedOrder(app, { merchant_reference: 'life-1' });
    const created = await invoice(invoiceId);
    expect(created).toMatchObject({ status: 'open', amount: { value: 93900 }, outstanding: { value: 93900 } });
    expect(Date.parse(created.due_at) - app.clock.now()).toBe(14 * day);

    await app.protection.scheduler.tick();
    expect(await notices(accountId)).toEqual([]);
    app.clock.advance(11 * day); // three days before the due date
    await app.protection.scheduler.tick();
    await app.protection.scheduler.tick();
    expect(await notices(accountId)).toEqual(['payment_reminder']);
    app.clock.advance(4 * day);
    await app.protection.scheduler.tick();
    app.clock.advance(13 * day); // 14 days overdue: third reminder and the late fee
    await app.protection.scheduler.tick();
    await app.protection.scheduler.tick();
    expect(await notices(accountId)).toEqual([
      'payment_reminder',
      'payment_reminder',
      'payment_reminder',
      'late_fee_added',
    ]);
    expect(await invoice(invoiceId)).toMatchObject({ fees: { value: 500 }, outstanding: { value: 94400 } });

    const first = await pay(invoiceId, { amount: { value: 40000, currency: 'EUR' }, reference: 'psp-1' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      invoice: { status: 'open', outstanding: { value: 54400 } },
      duplicate: false,
    });
    const second = await pay(invoiceId, { amount: { value: 54400, currency: 'EUR' }, reference: 'psp-2' });
    expect(second.json()).toMatchObject({ invoice: { status: 'paid', outstanding: { value: 0 } } });
    expect(recorded).toContainEqual({ kind: 'payment', orderId, at: app.clock.now(), outcome: 'paid_late' });
    expect((await notices(accountId)).at(-1)).toBe('payment_received');
    expect((await invoice(invoiceId)).payments).toHaveLength(2);
  });

  it('counts a payment once, whether retried by Idempotency-Key or by processor reference', async () => {
    const { invoiceId, orderId } = await approvedOrder(app, { merchant_reference: 'idem-1' });
    const body = { amount: { value: 93900, currency: 'EUR' }, reference: 'psp-idem-1' };
    const first = await pay(invoiceId, body, { 'idempotency-key': 'pay-1' });
    const replay = await pay(invoiceId, body, { 'idempotency-key': 'pay-1' });
    const again = await pay(invoiceId, body, { 'idempotency-key': 'pay-2' });
    const noKey = await pay(invoiceId, body);
    expect(first.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true, payment: { id: first.json().payment.id } });
    expect(noKey.json().duplicate).toBe(true);
    expect((await invoice(invoiceId)).paid.value).toBe(93900);
    expect(recorded.filter((event) => event.kind === 'payment' && event.orderId === orderId)).toHaveLength(1);
    expect(recorded.at(-1)).toMatchObject({ outcome: 'paid_on_time' });

    const conflict = await pay(invoiceId, { ...body, amount: { value: 1, currency: 'EUR' } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('payment_reference_conflict');
  });

  it('refuses bad payments with stable 4xx codes', async () => {
    const { invoiceId } = await approvedOrder(app, { merchant_reference: 'bad-1' });
    const good = { amount: { value: 100, currency: 'EUR' }, reference: 'psp-bad' };
    const unauthorised = await app.request('POST', `/v1/invoices/${invoiceId}/payments`, { body: good });
    expect(unauthorised.statusCode).toBe(401);
    expect(
      (await app.request('POST', `/v1/invoices/${invoiceId}/payments`, { body: good, key: adminKey })).statusCode,
    ).toBe(201);
    expect(
      (await pay(invoiceId, { ...good, reference: 'x2', amount: { value: 100, currency: 'USD' } })).json().error.code,
    ).toBe('currency_mismatch');
    for (const body of [{}, { ...good, amount: { value: -5, currency: 'EUR' } }, { ...good, reference: '' }, 'nope']) {
      const response = await pay(invoiceId, body);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    expect((await pay('inv_doesnotexist', good)).statusCode).toBe(404);
  });

  it('never reminds or charges a paused invoice, and a resumed one keeps its days', async () => {
    const { invoiceId, accountId, orderId } = await approvedOrder(app, { merchant_reference: 'paused-1' });
    const headers = await signedInHeaders(app, accountId);
    await app.request('POST', '/v1/me/claims', {
      key: null,
      headers,
      body: { order_id: orderId, kind: 'not_received' },
    });
    app.clock.advance(40 * day);
    await app.protection.scheduler.tick();
    expect(await notices(accountId)).toEqual([]);
    expect(await invoice(invoiceId)).toMatchObject({ status: 'paused', fees: { value: 0 }, outstanding: { value: 0 } });
  });

  it('keeps a payout entry per approved order for the merchant, whatever happens afterwards', async () => {
    const ledger = (await app.request('GET', '/v1/payouts')).json();
    expect(ledger.data.length).toBe(4);
    expect(ledger.has_more).toBe(false);
    const totals = (await app.request('GET', '/v1/payouts/totals')).json();
    expect(totals.totals).toEqual([{ value: 4 * 93900, currency: 'EUR', entries: 4 }]);
    const other = await app.merchants.create('Other Shop');
    expect((await app.request('GET', '/v1/payouts', { key: other.api_key })).json().data).toEqual([]);
  });
});
