// Restricted storage: what the law makes us keep of an erased person, copied out of the live tables before they go.
import type { SqlExecutor } from '../storage/database.ts';
import {
  daysAfter,
  legalBases,
  yearsAfter,
  type Erasure,
  type ErasureStep,
  type KeptRecords,
  type RestrictedKind,
} from './erasure.step.ts';

async function keep(
  tx: SqlExecutor,
  erasure: Erasure,
  kind: RestrictedKind,
  keepUntil: Date,
  payload: object,
): Promise<void> {
  await tx.query(
    `INSERT INTO restricted_records (id, request_id, kind, legal_basis, keep_until, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [erasure.ids.next('rst'), erasure.requestId, kind, legalBases[kind], keepUntil, payload, erasure.now],
  );
}

function summarise(kept: Array<{ kind: RestrictedKind; keepUntil: Date }>): KeptRecords[] {
  const byKind = new Map<RestrictedKind, KeptRecords>();
  for (const { kind, keepUntil } of kept) {
    const previous = byKind.get(kind);
    byKind.set(kind, {
      kind,
      count: (previous?.count ?? 0) + 1,
      keepUntil: previous && previous.keepUntil > keepUntil ? previous.keepUntil : keepUntil,
    });
  }
  return [...byKind.values()];
}

interface InvoiceRow {
  id: string;
  order_id: string;
  amount: string | number;
  currency: string;
  status: string;
  due_at: Date;
  created_at: Date;
  paid_amount: string | number;
  fees: string | number;
  merchant_id: string | null;
  merchant_name: string | null;
  placed_at: Date;
  input: {
    customer?: { name?: string; email?: string; phone?: string };
    billing_address?: object;
    lines?: unknown;
  };
}

/** Invoices (tax period) with their payments and payout entries; unpaid ones also as open debt with contact details. */
export const restrictInvoices: ErasureStep = {
  name: 'restrict_invoices',
  async run(tx, erasure) {
    const invoices = await tx.query<InvoiceRow>(
      `SELECT i.id, i.order_id, i.amount, i.currency, i.status, i.due_at, i.created_at, i.paid_amount, i.fees,
              o.merchant_id, o.merchant_name, o.placed_at, o.input
       FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.id = ANY($1)`,
      [erasure.subject.invoiceIds],
    );
    const kept: Array<{ kind: RestrictedKind; keepUntil: Date }> = [];
    for (const invoice of invoices) {
      // One statement at a time: a transaction's connection runs them in order anyway.
      const payments = await tx.query('SELECT amount, outcome, paid_at FROM payments WHERE invoice_id = $1', [
        invoice.id,
      ]);
      const transfers = await tx.query(
        'SELECT reference, amount, currency, received_at FROM invoice_payments WHERE invoice_id = $1',
        [invoice.id],
      );
      const payouts = await tx.query(
        'SELECT id, merchant_id, amount, currency, kind, created_at FROM payout_entries WHERE order_id = $1',
        [invoice.order_id],
      );
      const taxUntil = yearsAfter(invoice.created_at, erasure.privacy.taxRetentionYears);
      // A tax invoice names the buyer and their address; the payout ledger shows what the merchant was paid.
      await keep(tx, erasure, 'invoice', taxUntil, {
        invoice: { ...invoice, input: undefined },
        buyer: { name: invoice.input.customer?.name ?? null, billing_address: invoice.input.billing_address ?? null },
        lines: invoice.input.lines ?? [],
        payments,
        transfers,
        payouts,
      });
      kept.push({ kind: 'invoice', keepUntil: taxUntil });
      const outstanding = Number(invoice.amount) + Number(invoice.fees) - Number(invoice.paid_amount);
      if (['open', 'unpaid', 'paused'].includes(invoice.status) && outstanding > 0) {
        const debtUntil = yearsAfter(invoice.due_at, erasure.privacy.debtLimitationYears);
        await keep(tx, erasure, 'open_debt', debtUntil, {
          invoice_id: invoice.id,
          outstanding,
          currency: invoice.currency,
          due_at: invoice.due_at,
          contact: { email: invoice.input.customer?.email ?? null, phone: invoice.input.customer?.phone ?? null },
        });
        kept.push({ kind: 'open_debt', keepUntil: debtUntil });
      }
    }
    return { erased: 0, kept: summarise(kept) };
  },
};

/** Orders labelled fraud and cases resolved as confirmed fraud: the incident, for the configured period. */
export const restrictFraudIncidents: ErasureStep = {
  name: 'restrict_fraud_incidents',
  async run(tx, erasure) {
    const { orderIds, caseIds } = erasure.subject;
    const labels = await tx.query<{ order_id: string }>(
      `SELECT l.order_id, l.label, l.typology, l.known_at, o.input, o.amount, o.currency, o.merchant_id, o.placed_at
       FROM labels l JOIN orders o ON o.id = l.order_id
       WHERE l.order_id = ANY($1) AND l.label IN ('fraud_third_party', 'fraud_first_party')`,
      [orderIds],
    );
    const cases = await tx.query<{ id: string; order_id: string | null }>(
      `SELECT c.*, (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.seq), '[]') FROM case_events e WHERE e.case_id = c.id)
         AS events
       FROM cases c WHERE c.id = ANY($1) AND c.resolution = 'fraud_confirmed'`,
      [caseIds],
    );
    const incidents = new Map<string, { labels: unknown[]; cases: unknown[] }>();
    const incidentOf = (key: string) => {
      let incident = incidents.get(key);
      if (incident === undefined) incidents.set(key, (incident = { labels: [], cases: [] }));
      return incident;
    };
    for (const label of labels) incidentOf(label.order_id).labels.push(label);
    for (const row of cases) incidentOf(row.order_id ?? row.id).cases.push(row);
    const keepUntil = daysAfter(erasure.now, erasure.privacy.fraudIncidentRetentionDays);
    for (const [key, incident] of incidents) await keep(tx, erasure, 'fraud_incident', keepUntil, { key, ...incident });
    return {
      erased: 0,
      kept: summarise([...incidents.keys()].map(() => ({ kind: 'fraud_incident' as const, keepUntil }))),
    };
  },
};

/** The retention task: restricted records go on their due date, once each whichever node runs it. */
export async function purgeDueRestrictedRecords(database: SqlExecutor, now: Date): Promise<number> {
  const rows = await database.query(
    `DELETE FROM restricted_records WHERE id IN (
       SELECT id FROM restricted_records WHERE keep_until <= $1 LIMIT 5000 FOR UPDATE SKIP LOCKED
     ) RETURNING 1`,
    [now],
  );
  return rows.length;
}
