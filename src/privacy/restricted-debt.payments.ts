// Open debt in restricted storage stays payable: a transfer or pay-link payment of an erased person's invoice.
import { ApiError } from '../shared/errors.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { yearsAfter } from './erasure.step.ts';

/** The invoice as restricted storage keeps it (restrict_invoices in restricted.storage.ts). */
interface KeptInvoice {
  id: string;
  order_id: string;
  amount: number;
  fees: number | null;
  paid_amount: number;
  currency: string;
  status: string;
  due_at: string;
  created_at: string;
  merchant_id: string | null;
}

interface KeptTransfer {
  id?: string;
  reference: string;
  amount: number;
  currency: string;
  received_at: string;
}

interface RestrictedRow {
  id: string;
  kind: 'invoice' | 'open_debt';
  keep_until: Date;
  payload: {
    invoice?: KeptInvoice;
    transfers?: KeptTransfer[];
    outstanding?: number;
  };
}

export interface RestrictedPayment {
  readonly duplicate: boolean;
  readonly payment: {
    id: string;
    invoice_id: string;
    reference: string;
    amount: number;
    currency: string;
    received_at: Date;
  };
  readonly invoice: KeptInvoice & { paid_at: Date | null };
  /** This payment settled the debt. */
  readonly settled: boolean;
}

/**
 * Records a payment of an invoice whose live rows went with an erasure. Null when restricted storage holds no such
 * invoice (the caller answers 404 as for any unknown invoice). The same checks as a live invoice: one reference is
 * one payment, the currency must match, no more than is outstanding. When the payment settles the debt, the reason to
 * keep the person's contact details is gone: the open-debt record is deleted at once, and the invoice record (which
 * now shows the payment, a bookkeeping record itself) is kept until the settlement + the tax retention period, if
 * that is later than it was kept already.
 */
export async function payRestrictedDebt(
  tx: SqlExecutor,
  invoiceId: string,
  input: { reference: string; amount: { value: number; currency: string }; receivedAt: Date },
  context: { ids: Ids; taxRetentionYears: number },
): Promise<RestrictedPayment | null> {
  const rows = await tx.query<RestrictedRow>(
    `SELECT id, kind, keep_until, payload FROM restricted_records
      WHERE kind IN ('invoice', 'open_debt') AND coalesce(payload->>'invoice_id', payload->'invoice'->>'id') = $1
      ORDER BY id FOR UPDATE`,
    [invoiceId],
  );
  const kept = rows.find((row) => row.kind === 'invoice');
  const debt = rows.find((row) => row.kind === 'open_debt');
  if (!kept?.payload.invoice) return null;
  const invoice = { ...kept.payload.invoice, paid_at: null as Date | null };
  const transfers = kept.payload.transfers ?? [];
  const existing = transfers.find((transfer) => transfer.reference === input.reference);
  if (existing) {
    if (Number(existing.amount) !== input.amount.value) throw referenceConflict();
    return {
      duplicate: true,
      settled: false,
      invoice,
      payment: {
        ...existing,
        id: existing.id ?? '',
        invoice_id: invoiceId,
        received_at: new Date(existing.received_at),
      },
    };
  }
  const [usedElsewhere] = await tx.query('SELECT 1 FROM invoice_payments WHERE reference = $1', [input.reference]);
  if (usedElsewhere) throw referenceConflict();
  if (input.amount.currency !== invoice.currency)
    throw new ApiError(422, 'currency_mismatch', `the invoice is in ${invoice.currency}`, 'amount.currency');
  const outstanding = Math.max(0, Number(debt?.payload.outstanding ?? 0));
  if (input.amount.value > outstanding)
    throw new ApiError(
      422,
      'overpayment',
      `the payment is more than the ${outstanding} outstanding on this invoice`,
      'amount.value',
      { outstanding: { value: outstanding, currency: invoice.currency } },
    );

  const payment = {
    id: context.ids.next('ipm'),
    invoice_id: invoiceId,
    reference: input.reference,
    amount: input.amount.value,
    currency: input.amount.currency,
    received_at: input.receivedAt,
  };
  const settled = input.amount.value >= outstanding;
  invoice.paid_amount = Number(invoice.paid_amount) + payment.amount;
  if (settled) {
    invoice.status = 'paid';
    invoice.paid_at = input.receivedAt;
  }
  const keepUntil = settled
    ? new Date(Math.max(kept.keep_until.getTime(), yearsAfter(input.receivedAt, context.taxRetentionYears).getTime()))
    : kept.keep_until;
  const { paid_at: paidAt, ...storedInvoice } = invoice;
  await tx.query(`UPDATE restricted_records SET payload = $2, keep_until = $3 WHERE id = $1`, [
    kept.id,
    JSON.stringify({
      ...kept.payload,
      invoice: { ...storedInvoice, ...(paidAt ? { paid_at: paidAt.toISOString() } : {}) },
      transfers: [...transfers, { ...payment, received_at: payment.received_at.toISOString() }],
    }),
    keepUntil,
  ]);
  if (debt && settled) await tx.query('DELETE FROM restricted_records WHERE id = $1', [debt.id]);
  else if (debt)
    await tx.query(
      `UPDATE restricted_records SET payload = jsonb_set(payload, '{outstanding}', $2::jsonb) WHERE id = $1`,
      [debt.id, JSON.stringify(outstanding - payment.amount)],
    );
  return { duplicate: false, settled, invoice, payment };
}

/** The processor's read of an erased person's invoice: the kept invoice and the transfers recorded against it. */
export async function readRestrictedInvoice(
  db: SqlExecutor,
  invoiceId: string,
): Promise<{ invoice: KeptInvoice & { paid_at: Date | null }; transfers: KeptTransfer[] } | null> {
  const [kept] = await db.query<RestrictedRow>(
    `SELECT id, kind, keep_until, payload FROM restricted_records
      WHERE kind = 'invoice' AND coalesce(payload->>'invoice_id', payload->'invoice'->>'id') = $1`,
    [invoiceId],
  );
  if (!kept?.payload.invoice) return null;
  const paidAt = (kept.payload.invoice as KeptInvoice & { paid_at?: string }).paid_at;
  return {
    invoice: { ...kept.payload.invoice, paid_at: paidAt ? new Date(paidAt) : null },
    transfers: kept.payload.transfers ?? [],
  };
}

const referenceConflict = () =>
  new ApiError(409, 'payment_reference_conflict', 'this reference was used for another payment', 'reference');
