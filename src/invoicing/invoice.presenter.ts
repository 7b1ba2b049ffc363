// How an invoice is shown to the processor, the consumer and the merchant: amounts in minor units, dates as ISO strings.
import { z } from 'zod';
import { outstanding, type InvoiceRow } from './invoice.transitions.ts';

export const moneySchema = z.object({ value: z.number(), currency: z.string() });

/** The response schema; presentInvoice is typed by it, so the two cannot drift apart. */
export const invoiceViewSchema = z.object({
  id: z.string(),
  order_id: z.string(),
  status: z.string(),
  amount: moneySchema,
  fees: moneySchema,
  paid: moneySchema,
  outstanding: moneySchema,
  refund: moneySchema,
  due_at: z.string(),
  created_at: z.string(),
});

export type InvoiceView = z.infer<typeof invoiceViewSchema>;

export function presentInvoice(row: InvoiceRow): InvoiceView {
  return {
    id: row.id,
    order_id: row.order_id,
    status: row.status,
    amount: { value: row.amount, currency: row.currency },
    fees: { value: row.fees, currency: row.currency },
    paid: { value: row.paid_amount, currency: row.currency },
    // Money refunded to the consumer no longer counts as paid. Nothing is owed while an invoice is paused or written off: the consumer must never be asked for it.
    outstanding: {
      value: row.status === 'paused' || row.status === 'written_off' ? 0 : outstanding(row),
      currency: row.currency,
    },
    refund: { value: row.refund_requested, currency: row.currency },
    due_at: row.due_at.toISOString(),
    created_at: row.created_at.toISOString(),
  };
}
