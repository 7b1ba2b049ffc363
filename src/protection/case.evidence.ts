// Gathers what an analyst needs to judge a claim: the decision record, device, IP, addresses, linked accounts.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { accountSealedSql, accountSubjectJoinSql, type AccountSealedColumns } from '../privacy/account-data.ts';

export interface OrderForClaim {
  id: string;
  session_id: string | null;
  account_id: string;
  merchant_id: string | null;
  merchant_name: string | null;
  decision_id: string | null;
  amount: number;
  currency: string;
  input: SessionInput;
  status: string;
  placed_at: Date;
}

interface DecisionEvidenceRow {
  id: string;
  outcome: string;
  reasons: unknown;
  score: number | null;
  rule_results: Array<{ kind: string }>;
  versions: unknown;
  decided_at: Date;
}

interface LinkedAccountRow extends AccountSealedColumns {
  account_id: string;
  shared: string;
}

export async function gatherEvidence(tx: SqlExecutor, order: OrderForClaim, personalData: PersonalData) {
  const input = order.input;
  const [decision] = order.decision_id
    ? await tx.query<DecisionEvidenceRow>(
        'SELECT id, outcome, reasons, score, rule_results, versions, decided_at FROM decisions WHERE id = $1',
        [order.decision_id],
      )
    : [];
  const deviceId = input.device?.id ?? null;
  const ip = input.device?.ip ?? null;
  const shipping = input.shipping_address ?? input.billing_address;
  const iban = input.customer?.iban === undefined ? null : normaliseIban(input.customer.iban);
  // Live orders keep pseudonyms, not values: those are compared; imported orders still hold their values.
  const pseudonyms = personalData.pseudonymsOf(input);
  const shippingPseudonym = shipping ? personalData.addressPseudonym(shipping) : null;
  // Other accounts that share this order's device, IP, delivery address, typed e-mail or IBAN point at a ring.
  const linked = await tx.query<LinkedAccountRow>(
    `SELECT DISTINCT ON (o.account_id, shared) o.account_id, ${accountSealedSql('a', 'k')}, shared
     FROM orders o JOIN accounts a ON a.id = o.account_id ${accountSubjectJoinSql('a', 'k')},
     LATERAL (VALUES
       (CASE WHEN $2::text IS NOT NULL AND o.input->'device'->>'id' = $2 THEN 'device'
             WHEN o.input->'pseudonyms'->>'device' = $8 THEN 'device' END),
       (CASE WHEN $3::text IS NOT NULL AND o.input->'device'->>'ip' = $3 THEN 'ip'
             WHEN o.input->'pseudonyms'->>'ip' = $9 THEN 'ip' END),
       (CASE WHEN lower(o.input->'shipping_address'->>'postal_code') = lower($4)
              AND lower(o.input->'shipping_address'->>'house_number') = lower($5) THEN 'shipping_address'
             WHEN COALESCE(o.input->'pseudonyms'->>'shipping_address', o.input->'pseudonyms'->>'billing_address') = $10
             THEN 'shipping_address' END),
       (CASE WHEN lower(o.input->'customer'->>'email') = lower($6) THEN 'email'
             WHEN o.input->'pseudonyms'->>'email' = $11 THEN 'email' END),
       (CASE WHEN $7::text IS NOT NULL AND upper(replace(o.input->'customer'->>'iban', ' ', '')) = $7 THEN 'iban'
             WHEN o.input->'pseudonyms'->>'iban' = $12 THEN 'iban' END)
     ) AS link(shared)
     WHERE o.account_id <> $1 AND shared IS NOT NULL
     ORDER BY o.account_id, shared LIMIT 50`,
    [
      order.account_id,
      deviceId,
      ip,
      shipping?.postal_code ?? null,
      shipping?.house_number ?? null,
      input.customer?.email ?? null,
      iban,
      pseudonyms.device,
      pseudonyms.ip,
      shippingPseudonym,
      pseudonyms.email,
      pseudonyms.iban,
    ],
  );
  return {
    order: {
      id: order.id,
      amount: { value: Number(order.amount), currency: order.currency },
      merchant: order.merchant_name,
      placed_at: order.placed_at.toISOString(),
    },
    decision: decision
      ? {
          id: decision.id,
          outcome: decision.outcome,
          reasons: decision.reasons,
          score: decision.score,
          rule_hits: decision.rule_results.filter((result) => result.kind === 'hit'),
          versions: decision.versions,
          decided_at: decision.decided_at.toISOString(),
        }
      : null,
    claimed_identity: input.customer ?? null,
    device: input.device ?? null,
    ip,
    billing_address: input.billing_address ?? null,
    shipping_address: shipping ?? null,
    linked_accounts: linked.map((row) => {
      // The case keeps who the linked account is as evidence: opened from its sealed person now.
      const { name, email } = personalData.accounts.accountPerson(row);
      return { account_id: row.account_id, name, email, shared: row.shared };
    }),
  };
}

export type CaseEvidence = Awaited<ReturnType<typeof gatherEvidence>>;
