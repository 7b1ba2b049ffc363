// Searching decision records for the desk: by time, outcome, merchant, rule hit, score range and any identifier.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { DecisionRow } from '../checkout/checkout.repository.ts';

export interface DecisionFilter {
  readonly from: Date | undefined;
  readonly to: Date | undefined;
  readonly outcome: DecisionRow['outcome'] | undefined;
  readonly merchantId: string | undefined;
  readonly ruleHit: string | undefined;
  readonly scoreMin: number | undefined;
  readonly scoreMax: number | undefined;
  /** A decision, session, account or order id, an e-mail address, phone number, device id or IP address. */
  readonly identifier: string | undefined;
  /** Newest first: only decisions before this seq. */
  readonly before: number | undefined;
  readonly limit: number;
}

export interface DecisionSummaryRow {
  seq: string | number;
  id: string;
  session_id: string;
  merchant_id: string;
  merchant_name: string;
  account_id: string | null;
  outcome: DecisionRow['outcome'];
  score: number | null;
  decided_at: Date;
  reasons: DecisionRow['reasons'];
  rule_hits: string[] | null;
  customer_name: string | null;
  amount: string | number | null;
  currency: string | null;
}

/**
 * What an identifier would be as a pseudonym of each kind: decisions keep pseudonyms, not e-mail addresses,
 * phone numbers, device ids or IPs, so a search compares those (the pseudonym kinds never collide).
 */
function identifierPseudonyms(identifier: string | null, personalData: PersonalData): string[] {
  if (identifier === null) return [];
  const { pseudonyms } = personalData;
  return [
    personalData.emailPseudonym(identifier),
    personalData.phonePseudonym(identifier),
    pseudonyms.of('device', identifier),
    pseudonyms.of('ip', identifier.toLowerCase()),
  ];
}

/** Newest first; limit+1 rows (the extra one says there is more). Customer names are opened from the sessions. */
export async function searchDecisions(
  db: SqlExecutor,
  filter: DecisionFilter,
  personalData: PersonalData,
): Promise<DecisionSummaryRow[]> {
  const identifier = filter.identifier?.trim() || null;
  const rows = await db.query<DecisionSummaryRow & { input: unknown }>(
    `SELECT d.seq, d.id, d.session_id, d.merchant_id, m.name AS merchant_name, d.account_id, d.outcome, d.score,
       d.decided_at, d.reasons,
       (SELECT array_agg(hit->>'ruleId') FROM jsonb_array_elements(d.rule_results) hit WHERE hit->>'kind' = 'hit') AS rule_hits,
       d.input, d.input->'customer'->>'name' AS customer_name, (d.input->'amount'->>'value')::bigint AS amount,
       d.input->'amount'->>'currency' AS currency
     FROM decisions d JOIN merchants m ON m.id = d.merchant_id
     WHERE ($1::timestamptz IS NULL OR d.decided_at >= $1) AND ($2::timestamptz IS NULL OR d.decided_at < $2)
       AND ($3::text IS NULL OR d.outcome = $3) AND ($4::text IS NULL OR d.merchant_id = $4)
       AND ($5::text IS NULL OR d.rule_results @> jsonb_build_array(jsonb_build_object('kind', 'hit', 'ruleId', $5::text)))
       AND ($6::double precision IS NULL OR d.score >= $6) AND ($7::double precision IS NULL OR d.score <= $7)
       AND ($8::text IS NULL OR d.id = $8 OR d.session_id = $8 OR d.account_id = $8
         OR lower(d.input->'customer'->>'email') = lower($8)
         OR regexp_replace(d.input->'customer'->>'phone', '[^0-9+]', '', 'g') = regexp_replace($8, '[^0-9+]', '', 'g')
         OR d.input->'device'->>'id' = $8 OR d.input->'device'->>'ip' = $8
         OR EXISTS (SELECT 1 FROM jsonb_each_text(d.input->'pseudonyms') p WHERE p.value = ANY($11::text[]))
         OR EXISTS (SELECT 1 FROM orders o WHERE o.id = $8 AND o.session_id = d.session_id))
       AND ($9::bigint IS NULL OR d.seq < $9)
     ORDER BY d.seq DESC LIMIT $10`,
    [
      filter.from ?? null,
      filter.to ?? null,
      filter.outcome ?? null,
      filter.merchantId ?? null,
      filter.ruleHit ?? null,
      filter.scoreMin ?? null,
      filter.scoreMax ?? null,
      identifier,
      filter.before ?? null,
      filter.limit + 1,
      identifierPseudonyms(identifier, personalData),
    ],
  );
  const inputs = await personalData.inputsOf(db, rows);
  return rows.map(({ input: _input, ...row }, index) => ({
    ...row,
    customer_name: row.customer_name ?? inputs[index]!.customer.name,
  }));
}
