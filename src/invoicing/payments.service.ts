// Payments reported by the provider's payment processor: idempotent by reference, partial payments add up, full payment settles.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { enqueueConsumerNotice } from '../protection/consumer.notice.ts';
import { lockInvoice, netPaid, normalise, outstanding, type InvoiceRow } from './invoice.transitions.ts';
import { z } from 'zod';
import { invoiceViewSchema, moneySchema, presentInvoice } from './invoice.presenter.ts';
import { settleOrder } from '../orders/order.settlement.ts';
import {
  payRestrictedDebt,
  readRestrictedInvoice,
  type RestrictedPayment,
} from '../privacy/restricted-debt.payments.ts';
import type { AccountData } from '../privacy/account-data.ts';

export interface PaymentInput {
  readonly amount: { readonly value: number; readonly currency: string };
  /** The processor's own id for this payment: the same reference twice is one payment. */
  readonly reference: string;
  readonly received_at?: string | undefined;
}

interface PaymentRow {
  id: string;
  invoice_id: string;
  reference: string;
  amount: number;
  currency: string;
  received_at: Date;
}

export const paymentViewSchema = z.object({
  id: z.string(),
  invoice_id: z.string(),
  reference: z.string(),
  amount: moneySchema,
  received_at: z.string(),
});
export const paymentRecordedSchema = z.object({
  payment: paymentViewSchema,
  invoice: invoiceViewSchema,
  duplicate: z.boolean(),
});
export const invoiceWithPaymentsSchema = invoiceViewSchema.extend({ payments: z.array(paymentViewSchema) });

const presentPayment = (row: PaymentRow): z.infer<typeof paymentViewSchema> => ({
  id: row.id,
  invoice_id: row.invoice_id,
  reference: row.reference,
  amount: { value: Number(row.amount), currency: row.currency },
  received_at: row.received_at.toISOString(),
});

async function findByReference(db: SqlExecutor, reference: string): Promise<PaymentRow | null> {
  const [row] = await db.query<PaymentRow>('SELECT * FROM invoice_payments WHERE reference = $1', [reference]);
  return row ?? null;
}

/** An invoice as restricted storage keeps it, in the live row's shape (the person and their account are gone). */
function keptInvoiceRow(kept: RestrictedPayment['invoice']): InvoiceRow {
  return normalise({
    ...kept,
    account_id: '',
    status: kept.status as InvoiceRow['status'],
    due_at: new Date(kept.due_at),
    created_at: new Date(kept.created_at),
    paused_at: null,
    paused_from: null,
    fees: Number(kept.fees ?? 0),
    paid_amount: Number(kept.paid_amount),
    refund_requested: 0,
  });
}

/** The processor's clock may run a little ahead of ours; more than this is not skew. */
const maxClockSkewMilliseconds = 10 * 60_000;

export function makePaymentsService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  /** An erased person's unpaid invoice lives on in restricted storage and stays payable (privacy/restricted-debt). */
  taxRetentionYears?: number;
  accounts: AccountData;
}) {
  const { database, clock, ids, engine } = dependencies;

  /** A payment of an invoice kept in restricted storage: the same answer shape; no consumer to notify, no history. */
  async function recordRestricted(
    tx: SqlExecutor,
    invoiceId: string,
    input: PaymentInput,
    receivedAt: Date,
    now: Date,
  ) {
    if (dependencies.taxRetentionYears === undefined) return null;
    const paid: RestrictedPayment | null = await payRestrictedDebt(
      tx,
      invoiceId,
      { reference: input.reference, amount: input.amount, receivedAt },
      { ids, taxRetentionYears: dependencies.taxRetentionYears },
    );
    if (!paid) return null;
    if (paid.settled)
      await enqueueWebhook(tx, ids, {
        merchantId: paid.invoice.merchant_id,
        event: 'invoice.paid',
        payload: { invoice_id: paid.invoice.id, order_id: paid.invoice.order_id },
        at: now,
      });
    return {
      status: paid.duplicate ? 200 : 201,
      payment: paid.payment,
      invoice: keptInvoiceRow(paid.invoice),
      events: [] as HistoryEvent[],
      duplicate: paid.duplicate,
    };
  }

  async function record(invoiceId: string, input: PaymentInput) {
    const now = new Date(clock.now());
    const receivedAt = input.received_at ? new Date(input.received_at) : now;
    // A payment "received" next month would settle an invoice as on time before the money exists.
    if (receivedAt.getTime() > now.getTime() + maxClockSkewMilliseconds) {
      throw new ApiError(422, 'received_in_future', 'received_at is in the future', 'received_at');
    }
    const outcome = await database.transaction(async (tx) => {
      const invoice = await lockInvoice(tx, invoiceId);
      if (!invoice) {
        const restricted = await recordRestricted(tx, invoiceId, input, receivedAt, now);
        if (restricted) return restricted;
        throw notFound('invoice');
      }
      // Checked under the invoice lock, so two deliveries of one payment cannot both count.
      const existing = await findByReference(tx, input.reference);
      if (existing) {
        if (existing.invoice_id !== invoice.id || Number(existing.amount) !== input.amount.value) {
          throw new ApiError(
            409,
            'payment_reference_conflict',
            'this reference was used for another payment',
            'reference',
          );
        }
        return { status: 200, payment: existing, invoice, events: [] as HistoryEvent[], duplicate: true };
      }
      if (input.amount.currency !== invoice.currency) {
        throw new ApiError(422, 'currency_mismatch', `the invoice is in ${invoice.currency}`, 'amount.currency');
      }
      // More than is owed is not a payment of this invoice: the processor returns it instead of it vanishing here.
      // Net of what went back to the consumer: after a refund beyond what was owed and a later capture, the gross
      // payments overstated what was paid and an honest payment of the rest was refused as an overpayment.
      const owed = outstanding(invoice);
      if (input.amount.value > owed) {
        throw new ApiError(
          422,
          'overpayment',
          `the payment is more than the ${owed} outstanding on this invoice`,
          'amount.value',
          { outstanding: { value: owed, currency: invoice.currency } },
        );
      }
      const payment: PaymentRow = {
        id: ids.next('ipm'),
        invoice_id: invoice.id,
        reference: input.reference,
        amount: input.amount.value,
        currency: input.amount.currency,
        received_at: receivedAt,
      };
      await tx.query(
        `INSERT INTO invoice_payments (id, invoice_id, reference, amount, currency, received_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [payment.id, payment.invoice_id, payment.reference, payment.amount, payment.currency, receivedAt, now],
      );
      const paidAmount = invoice.paid_amount + payment.amount;
      // Money refunded to the consumer (an order refund) no longer counts towards the invoice.
      const settled =
        invoice.status !== 'paid' &&
        invoice.status !== 'written_off' &&
        netPaid({ ...invoice, paid_amount: paidAmount }) >= invoice.amount + invoice.fees;
      await tx.query(
        `UPDATE invoices SET paid_amount = $2, status = $3, paid_at = $4, paused_from = CASE WHEN $3 = 'paid' THEN NULL ELSE paused_from END
         WHERE id = $1`,
        [invoice.id, paidAmount, settled ? 'paid' : invoice.status, settled ? receivedAt : (invoice.paid_at ?? null)],
      );
      const events = settled ? await settle(tx, invoice, receivedAt, now) : [];
      if (settled) events.push(...(await settleOrder(tx, ids, invoice.order_id, now)));
      const updated = normalise({ ...invoice, paid_amount: paidAmount, status: settled ? 'paid' : invoice.status });
      return { status: 201, payment, invoice: updated, events, duplicate: false };
    });
    for (const event of outcome.events) await engine.record(event);
    const body: z.infer<typeof paymentRecordedSchema> = {
      payment: presentPayment(outcome.payment),
      invoice: presentInvoice(outcome.invoice),
      duplicate: outcome.duplicate,
    };
    return {
      status: outcome.status,
      body,
    };
  }

  /** A settled invoice becomes payment history (on time or late), the risk engine's strongest good signal. */
  async function settle(tx: SqlExecutor, invoice: InvoiceRow, receivedAt: Date, now: Date): Promise<HistoryEvent[]> {
    const outcome = receivedAt.getTime() <= invoice.due_at.getTime() ? 'paid_on_time' : 'paid_late';
    await tx.query(`INSERT INTO payments (id, invoice_id, amount, outcome, paid_at) VALUES ($1, $2, $3, $4, $5)`, [
      ids.next('pay'),
      invoice.id,
      invoice.amount + invoice.fees,
      outcome,
      receivedAt,
    ]);
    const [order] = await tx.query<{ merchant_id: string | null }>('SELECT merchant_id FROM orders WHERE id = $1', [
      invoice.order_id,
    ]);
    await enqueueWebhook(tx, ids, {
      merchantId: order?.merchant_id ?? null,
      event: 'invoice.paid',
      payload: { invoice_id: invoice.id, order_id: invoice.order_id },
      at: now,
    });
    await enqueueConsumerNotice(tx, ids, dependencies.accounts, {
      accountId: invoice.account_id,
      template: 'payment_received',
      text: 'Thank you: your invoice is paid in full.',
      data: { invoice_id: invoice.id, order_id: invoice.order_id },
      at: now,
    });
    return [{ kind: 'payment', orderId: invoice.order_id, at: receivedAt.getTime(), outcome }];
  }

  async function get(invoiceId: string) {
    const [row] = await database.query<InvoiceRow>('SELECT * FROM invoices WHERE id = $1', [invoiceId]);
    if (!row && dependencies.taxRetentionYears !== undefined) {
      const kept = await readRestrictedInvoice(database, invoiceId);
      if (kept) {
        const view: z.infer<typeof invoiceWithPaymentsSchema> = {
          ...presentInvoice(keptInvoiceRow(kept.invoice)),
          payments: kept.transfers.map((transfer) =>
            presentPayment({
              ...transfer,
              id: transfer.id ?? '',
              invoice_id: invoiceId,
              received_at: new Date(transfer.received_at),
            }),
          ),
        };
        return view;
      }
    }
    if (!row) throw notFound('invoice');
    const payments = await database.query<PaymentRow>(
      'SELECT * FROM invoice_payments WHERE invoice_id = $1 ORDER BY seq',
      [invoiceId],
    );
    const view: z.infer<typeof invoiceWithPaymentsSchema> = {
      ...presentInvoice(normalise(row)),
      payments: payments.map(presentPayment),
    };
    return view;
  }

  return { record, get };
}

export type PaymentsService = ReturnType<typeof makePaymentsService>;
