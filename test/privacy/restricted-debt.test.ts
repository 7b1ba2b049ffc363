// An erased person's unpaid invoice stays payable from restricted storage: a transfer with its reference (the invoice
// id, as the pay link and the EPC QR carry it) settles it, and settling ends the keeping of the contact details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, type TestApplication } from '../application.ts';
import { databaseKinds } from '../databases.ts';
import { approvedOrder, makeProtectionTestApplication } from '../protection.helpers.ts';

const processorKey = 'test-processor-key-0123456789';
const year = 365 * 86_400_000;

describe.each(databaseKinds)('open debt in restricted storage on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, {
      PAYMENT_PROCESSOR_KEY: processorKey,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    });
    // The shop hears that the invoice was paid, as for a live one (it knows the order; nothing of the person).
    const endpoint = await app.request('POST', '/v1/webhooks', {
      body: { url: 'http://127.0.0.1:9/hook', events: ['invoice.paid'] },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
  });
  afterAll(async () => {
    await app.close();
  });

  const pay = (invoiceId: string, reference: string, value: number, currency = 'EUR') =>
    app.request('POST', `/v1/invoices/${invoiceId}/payments`, {
      key: processorKey,
      body: { amount: { value, currency }, reference },
    });
  const restricted = async (invoiceId: string) =>
    app.database.query<{ kind: string; keep_until: Date; payload: Record<string, unknown> }>(
      `SELECT kind, keep_until, payload FROM restricted_records
        WHERE coalesce(payload->>'invoice_id', payload->'invoice'->>'id') = $1 ORDER BY kind`,
      [invoiceId],
    );

  it('takes a part payment and then the rest after erasure; the debt record goes, the invoice shows it paid', async () => {
    const email = 'debt.person@example.nl';
    const { invoiceId } = await approvedOrder(app, {
      merchant_reference: 'debt-1',
      customer: { name: 'Debt Person', email, phone: '+31612300099' },
    });
    const [live] = await app.database.query<{ amount: string }>('SELECT amount FROM invoices WHERE id = $1', [
      invoiceId,
    ]);
    const amount = Number(live!.amount);
    const accepted = await app.request('POST', '/v1/admin/erasure-requests', {
      key: adminKey,
      body: { reference: 'letter-debt-1', email },
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1 });
    expect(await app.database.query('SELECT 1 FROM invoices WHERE id = $1', [invoiceId])).toEqual([]);
    const before = await restricted(invoiceId);
    expect(before.map((row) => row.kind)).toEqual(['invoice', 'open_debt']);
    expect(before[1]!.payload).toMatchObject({ outstanding: amount, contact: { email } });

    // The processor can still read what is owed (and nothing of the person).
    const read = await app.request('GET', `/v1/invoices/${invoiceId}`, { key: processorKey });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ id: invoiceId, status: 'open', outstanding: { value: amount }, payments: [] });
    expect(read.body).not.toContain(email);

    // Bad payments are refused as for a live invoice: other currency, more than is owed.
    expect((await pay(invoiceId, 'bank-x', 100, 'USD')).json().error.code).toBe('currency_mismatch');
    expect((await pay(invoiceId, 'bank-y', amount + 1)).json().error.code).toBe('overpayment');

    const part = await pay(invoiceId, 'bank-1', 1000);
    expect(part.statusCode, part.body).toBe(201);
    expect(part.json()).toMatchObject({
      duplicate: false,
      invoice: { id: invoiceId, status: 'open', paid: { value: 1000 }, outstanding: { value: amount - 1000 } },
    });
    // The same transfer reported twice is one payment; its reference with another amount is a conflict.
    const again = await pay(invoiceId, 'bank-1', 1000);
    expect(again.statusCode).toBe(200);
    expect(again.json().duplicate).toBe(true);
    expect((await pay(invoiceId, 'bank-1', 999)).statusCode).toBe(409);
    const partly = await restricted(invoiceId);
    expect(partly[1]!.payload).toMatchObject({ outstanding: amount - 1000 });
    expect(partly[1]!.keep_until).toEqual(before[1]!.keep_until);

    app.clock.advance(3 * 86_400_000);
    const rest = await pay(invoiceId, 'bank-2', amount - 1000);
    expect(rest.statusCode, rest.body).toBe(201);
    expect(rest.json().invoice).toMatchObject({ status: 'paid', outstanding: { value: 0 } });
    const after = await restricted(invoiceId);
    // Settled: the contact details kept to collect it have no basis any more; the invoice record holds the payments.
    expect(after.map((row) => row.kind)).toEqual(['invoice']);
    expect(after[0]!.payload).toMatchObject({
      invoice: { status: 'paid', paid_amount: amount, paid_at: new Date(app.clock.now()).toISOString() },
      transfers: [
        expect.objectContaining({ reference: 'bank-1', amount: 1000 }),
        expect.objectContaining({ reference: 'bank-2', amount: amount - 1000 }),
      ],
    });
    // Kept for the tax period from the settlement (a bookkeeping record), never shorter than before.
    const settlementPlusTax = new Date(app.clock.now());
    settlementPlusTax.setUTCFullYear(settlementPlusTax.getUTCFullYear() + 7);
    expect(after[0]!.keep_until.getTime()).toBe(Math.max(settlementPlusTax.getTime(), before[0]!.keep_until.getTime()));
    expect(after[0]!.keep_until.getTime()).toBeGreaterThan(app.clock.now() + 6 * year);
    const paidView = (await app.request('GET', `/v1/invoices/${invoiceId}`, { key: processorKey })).json();
    expect(paidView).toMatchObject({ status: 'paid', outstanding: { value: 0 } });
    expect(paidView.payments.map((payment: { reference: string }) => payment.reference)).toEqual(['bank-1', 'bank-2']);
    // Nothing more is owed.
    expect((await pay(invoiceId, 'bank-3', 1)).json().error.code).toBe('overpayment');
    const webhooks = await app.database.query<{ data: Record<string, unknown> }>(
      `SELECT payload->'data' AS data FROM outbox WHERE topic = 'webhook' AND payload->>'event' = 'invoice.paid'`,
    );
    expect(webhooks.map((row) => row.data)).toEqual([{ invoice_id: invoiceId, order_id: expect.any(String) }]);
  });

  it('an invoice neither live nor kept is still a 404', async () => {
    const missing = await pay('inv_doesnotexist', 'bank-9', 100);
    expect(missing.statusCode).toBe(404);
    expect((await app.request('GET', '/v1/invoices/inv_doesnotexist', { key: processorKey })).statusCode).toBe(404);
  });
});
