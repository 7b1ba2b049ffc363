// Restricted storage: what the law makes us keep of an erased person, copied out of the live tables before they go.
import type { SqlExecutor } from '../storage/database.ts';
import { isEvidenceByReference, openedEvidence } from '../protection/case.evidence.ts';
import { daysAfter, legalBases, type ErasureStep, type KeptRecords, type RestrictedKind } from './erasure.step.ts';

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

const insertRecords = `INSERT INTO restricted_records (id, request_id, kind, legal_basis, keep_until, payload, created_at)`;

/**
 * Invoices (tax period) with their payments and payout entries; unpaid ones also as open debt with contact details.
 * Set-based: one statement per kind, however many invoices (a person with 1,000 orders must not cost 4,000 trips).
 */
export const restrictInvoices: ErasureStep = {
  name: 'restrict_invoices',
  async run(tx, erasure) {
    const prefix = `${erasure.ids.next('rst')}_`;
    const common = [prefix, erasure.requestId, erasure.now, erasure.subject.invoiceIds];
    // A tax invoice names the buyer and their address; the payout ledger shows what the merchant was paid.
    const invoices = await tx.query<{ keep_until: Date }>(
      `${insertRecords}
       SELECT $1 || i.id, $2, 'invoice', $5, i.created_at + make_interval(years => $6::int),
         jsonb_build_object(
           'invoice', jsonb_build_object('id', i.id, 'order_id', i.order_id, 'amount', i.amount, 'fees', i.fees,
             'paid_amount', i.paid_amount, 'currency', i.currency, 'status', i.status, 'due_at', i.due_at,
             'created_at', i.created_at, 'merchant_id', o.merchant_id, 'merchant_name', o.merchant_name,
             'placed_at', o.placed_at),
           'buyer', jsonb_build_object(
             'name', coalesce($7::jsonb->o.id->'customer'->'name', o.input->'customer'->'name'),
             'billing_address', coalesce($7::jsonb->o.id->'billing_address', o.input->'billing_address')),
           'lines', coalesce(o.input->'lines', '[]'::jsonb),
           'payments', (SELECT coalesce(jsonb_agg(jsonb_build_object('amount', p.amount, 'outcome', p.outcome,
               'paid_at', p.paid_at)), '[]'::jsonb) FROM payments p WHERE p.invoice_id = i.id),
           'transfers', (SELECT coalesce(jsonb_agg(jsonb_build_object('reference', t.reference, 'amount', t.amount,
               'currency', t.currency, 'received_at', t.received_at)), '[]'::jsonb)
             FROM invoice_payments t WHERE t.invoice_id = i.id),
           'payouts', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', e.id, 'merchant_id', e.merchant_id,
               'amount', e.amount, 'currency', e.currency, 'kind', e.kind, 'created_at', e.created_at)), '[]'::jsonb)
             FROM payout_entries e WHERE e.order_id = i.order_id)),
         $3
       FROM invoices i JOIN orders o ON o.id = i.order_id WHERE i.id = ANY($4)
       RETURNING keep_until`,
      [...common, legalBases.invoice, erasure.privacy.taxRetentionYears, JSON.stringify(erasure.subject.buyers)],
    );
    const debts = await tx.query<{ keep_until: Date }>(
      `${insertRecords}
       SELECT $1 || 'debt_' || i.id, $2, 'open_debt', $5, i.due_at + make_interval(years => $6::int),
         jsonb_build_object('invoice_id', i.id, 'outstanding', i.amount + i.fees - i.paid_amount,
           'currency', i.currency, 'due_at', i.due_at,
           'contact', jsonb_build_object(
             'email', coalesce($7::jsonb->o.id->'customer'->'email', o.input->'customer'->'email'),
             'phone', coalesce($7::jsonb->o.id->'customer'->'phone', o.input->'customer'->'phone'))),
         $3
       FROM invoices i JOIN orders o ON o.id = i.order_id
       WHERE i.id = ANY($4) AND i.status IN ('open', 'unpaid', 'paused') AND i.amount + i.fees - i.paid_amount > 0
       RETURNING keep_until`,
      [...common, legalBases.open_debt, erasure.privacy.debtLimitationYears, JSON.stringify(erasure.subject.buyers)],
    );
    return {
      erased: 0,
      kept: summarise([
        ...invoices.map((row) => ({ kind: 'invoice' as const, keepUntil: row.keep_until })),
        ...debts.map((row) => ({ kind: 'open_debt' as const, keepUntil: row.keep_until })),
      ]),
    };
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
    const cases = await tx.query<{ id: string; order_id: string | null; evidence: unknown }>(
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
    for (const row of cases) {
      // The legal record needs the values the case refers to: opened from the buyer read before the key is shredded.
      // Linked accounts are other people: the record keeps them by reference only.
      const evidence = isEvidenceByReference(row.evidence)
        ? openedEvidence(row.evidence, (row.order_id && erasure.subject.buyers[row.order_id]) || null, new Map())
        : row.evidence;
      incidentOf(row.order_id ?? row.id).cases.push({ ...row, evidence });
    }
    const keepUntil = daysAfter(erasure.now, erasure.privacy.fraudIncidentRetentionDays);
    const payloads = [...incidents].map(([key, incident]) => ({ key, ...incident }));
    if (payloads.length > 0)
      await tx.query(
        `${insertRecords}
         SELECT $1 || ordinality, $2, 'fraud_incident', $3, $4, value, $5
         FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY`,
        [
          `${erasure.ids.next('rst')}_`,
          erasure.requestId,
          legalBases.fraud_incident,
          keepUntil,
          erasure.now,
          JSON.stringify(payloads),
        ],
      );
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
