// Gathers what an analyst needs to judge a claim (by reference, no plain personal value) and opens it for its readers.
import { erased, type PersonalData } from '../privacy/personal-data.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { Address, SessionInput } from '../checkout/session.schema.ts';
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

/** Marks evidence kept by reference; cases filed before it hold the values in plain and are read as they are. */
const byReference = 'by_reference' as const;

interface LinkedAccountRow {
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
    `SELECT DISTINCT ON (o.account_id, shared) o.account_id, shared
     FROM orders o JOIN accounts a ON a.id = o.account_id,
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
  const [session] = order.session_id
    ? await tx.query<{ subject_id: string | null }>('SELECT subject_id FROM sessions WHERE id = $1', [order.session_id])
    : [];
  return {
    // Who the claimed identity, device and addresses were is opened from the order's sealed input when read, so
    // erasing that person (or a linked account's) leaves no plain copy behind in the case.
    personal_data: byReference,
    order: {
      id: order.id,
      amount: { value: Number(order.amount), currency: order.currency },
      merchant: order.merchant_name,
      placed_at: order.placed_at.toISOString(),
      session_id: order.session_id,
      subject_id: session?.subject_id ?? null,
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
    pseudonyms: {
      email: pseudonyms.email,
      phone: pseudonyms.phone,
      device: pseudonyms.device,
      ip: pseudonyms.ip,
      shipping_address: shippingPseudonym,
      iban: pseudonyms.iban,
    },
    linked_accounts: linked.map((row) => ({ account_id: row.account_id, shared: row.shared })),
  };
}

/** What a case row stores since evidence is kept by reference. */
export type StoredEvidence = Awaited<ReturnType<typeof gatherEvidence>>;

/** The opened person of an order: its session input, or what restricted storage read before the key was shredded. */
export interface EvidencePerson {
  readonly customer?: Partial<SessionInput['customer']> | undefined;
  readonly device?: Partial<NonNullable<SessionInput['device']>> | undefined;
  readonly billing_address?: Address | undefined;
  readonly shipping_address?: Address | undefined;
}

export interface LinkedPerson {
  readonly name: string | null;
  readonly email: string | null;
}

export const isEvidenceByReference = (evidence: unknown): evidence is StoredEvidence =>
  typeof evidence === 'object' &&
  evidence !== null &&
  (evidence as { personal_data?: unknown }).personal_data === byReference;

/** The evidence as analysts read it (the shape cases kept in plain before): values from the opened person, or null. */
export function openedEvidence(
  stored: StoredEvidence,
  person: EvidencePerson | null,
  linkedPeople: ReadonlyMap<string, LinkedPerson>,
) {
  const { session_id: _session, subject_id: _subject, ...order } = stored.order;
  const shipping = person?.shipping_address ?? person?.billing_address ?? null;
  return {
    order,
    decision: stored.decision,
    claimed_identity: person?.customer ?? null,
    device: person?.device ?? null,
    ip: person?.device?.ip ?? null,
    billing_address: person?.billing_address ?? null,
    shipping_address: shipping,
    linked_accounts: stored.linked_accounts.map((link) => ({
      account_id: link.account_id,
      name: linkedPeople.get(link.account_id)?.name ?? null,
      email: linkedPeople.get(link.account_id)?.email ?? null,
      shared: link.shared,
    })),
  };
}

export type CaseEvidence = ReturnType<typeof openedEvidence>;

/**
 * Opens a case's evidence for a reader: the order's sealed input and the linked accounts' sealed persons, read now;
 * an erased person reads as null. Cases opened before evidence was kept by reference (and review requests) hold
 * their evidence as it is and are returned unchanged.
 */
export async function openCaseEvidence(
  db: SqlExecutor,
  personalData: PersonalData,
  evidence: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (!isEvidenceByReference(evidence)) return evidence;
  const [orderRow] = await db.query<{ session_id: string | null; input: unknown }>(
    'SELECT session_id, input FROM orders WHERE id = $1',
    [evidence.order.id],
  );
  const [input] = orderRow ? await personalData.openInputs(db, [orderRow]) : [];
  const accountIds = [...new Set(evidence.linked_accounts.map((link) => link.account_id))];
  const accounts =
    accountIds.length > 0
      ? await db.query<AccountSealedColumns & { id: string }>(
          `SELECT a.id, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
           WHERE a.id = ANY($1::text[])`,
          [accountIds],
        )
      : [];
  const people = new Map(accounts.map((row) => [row.id, personalData.accounts.accountPerson(row)]));
  return openedEvidence(evidence, input === undefined || input === erased ? null : input, people);
}
