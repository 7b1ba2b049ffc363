// What captures and refunds do to the order's one invoice: it grows with each capture, shrinks with each refund,
// and whatever the consumer paid beyond the new amount goes back through the processor outbox.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';
import { lockInvoiceByOrder, netPaid, resumeInvoice, type InvoiceRow } from '../invoicing/invoice.transitions.ts';
import { refundTopic } from '../protection/case.resolution.ts';

const dayMilliseconds = 86_400_000;

/**
 * A capture invoices what was shipped: the first creates the invoice, later ones add to it. The invoice is due
 * `dueDays` after the latest capture; an invoice that was paid (or fully refunded) opens again for the new amount.
 */
export async function invoiceCapture(
  tx: SqlExecutor,
  ids: Ids,
  order: { id: string; account_id: string; currency: string },
  amount: number,
  at: Date,
  dueDays: number,
  options: { readonly freshOrder?: boolean } = {},
): Promise<InvoiceRow> {
  const dueAt = new Date(at.getTime() + dueDays * dayMilliseconds);
  // An order placed a moment ago in this transaction has no invoice yet: nothing to look up or lock.
  const invoice = options.freshOrder ? null : await lockInvoiceByOrder(tx, order.id);
  if (!invoice) {
    const created: InvoiceRow = {
      id: ids.next('inv'),
      order_id: order.id,
      account_id: order.account_id,
      amount,
      currency: order.currency,
      status: 'open',
      due_at: dueAt,
      created_at: at,
      paused_at: null,
      paused_from: null,
      fees: 0,
      paid_amount: 0,
      paid_at: null,
      refund_requested: 0,
    };
    await tx.query(
      `INSERT INTO invoices (id, order_id, account_id, amount, currency, status, due_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)`,
      [created.id, order.id, order.account_id, amount, order.currency, dueAt, at],
    );
    return created;
  } else {
    const reopen = invoice.status === 'paid' || invoice.status === 'refunded';
    await tx.query(
      `UPDATE invoices SET amount = amount + $2, due_at = $3,
         status = CASE WHEN $4::boolean THEN 'open' ELSE status END,
         paid_at = CASE WHEN $4::boolean THEN NULL ELSE paid_at END
       WHERE id = $1`,
      [invoice.id, amount, dueAt, reopen],
    );
  }
  return (await lockInvoiceByOrder(tx, order.id))!;
}

/**
 * A refund lowers what is owed at once. A paused invoice (a "returned" claim) resumes first when `resume` is set:
 * the merchant's refund is the confirmation of the return. Returns the amount going back to the consumer.
 */
export async function invoiceRefund(
  tx: SqlExecutor,
  ids: Ids,
  orderId: string,
  amount: number,
  at: Date,
  options: { resume: boolean },
): Promise<{ invoice: InvoiceRow; toConsumer: number }> {
  let invoice = (await lockInvoiceByOrder(tx, orderId))!;
  if (options.resume && (await resumeInvoice(tx, invoice, at))) invoice = (await lockInvoiceByOrder(tx, orderId))!;
  const newAmount = invoice.amount - amount;
  // A written-off invoice is owed by nobody; its payments were already handed back when it was written off.
  const writtenOff = invoice.status === 'written_off';
  const toConsumer = writtenOff ? 0 : Math.max(0, netPaid(invoice) - (newAmount + invoice.fees));
  const paidAfter = netPaid(invoice) - toConsumer;
  let status = invoice.status;
  if (!writtenOff) {
    if (newAmount + invoice.fees === 0 && paidAfter === 0) status = 'refunded';
    else if (paidAfter >= newAmount + invoice.fees) status = 'paid';
  }
  await tx.query(
    `UPDATE invoices SET amount = $2, refund_requested = refund_requested + $3, status = $4,
       paid_at = CASE WHEN $4 = 'paid' THEN COALESCE(paid_at, $5) ELSE paid_at END,
       paused_from = CASE WHEN $4 = 'paused' THEN paused_from ELSE NULL END
     WHERE id = $1`,
    [invoice.id, newAmount, toConsumer, status, at],
  );
  if (toConsumer > 0) {
    // The processor adapter drains this topic, as it does for refunds after confirmed fraud.
    await enqueue(tx, ids, {
      topic: refundTopic,
      recipient: invoice.id,
      payload: {
        invoice_id: invoice.id,
        order_id: orderId,
        amount: toConsumer,
        currency: invoice.currency,
        reason: 'order_refund',
      },
      at,
    });
  }
  return { invoice: (await lockInvoiceByOrder(tx, orderId))!, toConsumer };
}
