// Invoice state changes shared by buyer protection and collection: pause, resume, write off. Plain SQL in the caller's transaction.
import type { SqlExecutor } from '../storage/database.ts';

export const invoiceStatuses = ['open', 'paid', 'paused', 'written_off', 'unpaid', 'refunded'] as const;
export type InvoiceStatus = (typeof invoiceStatuses)[number];

export interface InvoiceRow {
  id: string;
  order_id: string;
  account_id: string;
  amount: number;
  currency: string;
  status: InvoiceStatus;
  due_at: Date;
  created_at: Date;
  paused_at: Date | null;
  paused_from: InvoiceStatus | null;
  fees: number;
  paid_amount: number;
  paid_at: Date | null;
  refund_requested: number;
}

/** Only an invoice still to be collected can be paused; a paid or written-off one has nothing to stop. */
const pausable: readonly InvoiceStatus[] = ['open', 'unpaid'];

export async function lockInvoiceByOrder(tx: SqlExecutor, orderId: string): Promise<InvoiceRow | null> {
  const [row] = await tx.query<InvoiceRow>('SELECT * FROM invoices WHERE order_id = $1 FOR UPDATE', [orderId]);
  return row ? normalise(row) : null;
}

export async function lockInvoice(tx: SqlExecutor, invoiceId: string): Promise<InvoiceRow | null> {
  const [row] = await tx.query<InvoiceRow>('SELECT * FROM invoices WHERE id = $1 FOR UPDATE', [invoiceId]);
  return row ? normalise(row) : null;
}

/** BIGINT columns arrive as strings from node-postgres and as numbers from PGlite. */
export function normalise(row: InvoiceRow): InvoiceRow {
  return {
    ...row,
    amount: Number(row.amount),
    fees: Number(row.fees ?? 0),
    paid_amount: Number(row.paid_amount ?? 0),
    refund_requested: Number(row.refund_requested ?? 0),
  };
}

/** Pauses collection (no reminders, no fees); returns whether the invoice was paused by this call. */
export async function pauseInvoice(tx: SqlExecutor, invoice: InvoiceRow, at: Date): Promise<boolean> {
  if (!pausable.includes(invoice.status)) return false;
  await tx.query(`UPDATE invoices SET status = 'paused', paused_from = status, paused_at = $2 WHERE id = $1`, [
    invoice.id,
    at,
  ]);
  return true;
}

/**
 * Resumes a paused invoice where it was; the due date moves by the time spent paused, so the consumer
 * never loses days (or earns a late fee) because we were investigating.
 */
export async function resumeInvoice(tx: SqlExecutor, invoice: InvoiceRow, at: Date): Promise<boolean> {
  if (invoice.status !== 'paused') return false;
  const pausedMilliseconds = invoice.paused_at ? Math.max(0, at.getTime() - invoice.paused_at.getTime()) : 0;
  await tx.query(
    `UPDATE invoices SET status = COALESCE(paused_from, 'open'), paused_from = NULL, paused_at = NULL, due_at = $2 WHERE id = $1`,
    [invoice.id, new Date(invoice.due_at.getTime() + pausedMilliseconds)],
  );
  return true;
}

/**
 * Nothing is owed any more; whatever was already paid is to be refunded (the consumer never pays for an order
 * that was not theirs). Returns the amount to refund, or null when the invoice was written off before.
 */
export async function writeOffInvoice(tx: SqlExecutor, invoice: InvoiceRow): Promise<{ refund: number } | null> {
  if (invoice.status === 'written_off') return null;
  const refund = Math.max(0, invoice.paid_amount - invoice.refund_requested);
  await tx.query(
    `UPDATE invoices SET status = 'written_off', paused_from = NULL, refund_requested = refund_requested + $2 WHERE id = $1`,
    [invoice.id, refund],
  );
  return { refund };
}

/** What the consumer has paid and keeps paid: payments minus what was (or is being) refunded to them. */
export const netPaid = (invoice: Pick<InvoiceRow, 'paid_amount' | 'refund_requested'>) =>
  invoice.paid_amount - invoice.refund_requested;

/** What is still to be paid on an invoice; never negative. */
export const outstanding = (invoice: Pick<InvoiceRow, 'amount' | 'fees' | 'paid_amount' | 'refund_requested'>) =>
  Math.max(0, invoice.amount + invoice.fees - netPaid(invoice));
