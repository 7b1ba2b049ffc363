// Storage of claims, cases, their audit trail, flags and alerts; plain SQL, no business logic.
import type { SqlExecutor } from '../storage/database.ts';
import { keysetSql } from '../http/list-envelope.ts';
import type { OrderForClaim } from './case.evidence.ts';

export const claimKinds = ['not_mine', 'not_received', 'returned'] as const;
export type ClaimKind = (typeof claimKinds)[number];
export const claimSources = ['portal', 'notice', 'api'] as const;
export type ClaimSource = (typeof claimSources)[number];
export const caseResolutions = ['fraud_confirmed', 'claim_upheld', 'rejected'] as const;
export type CaseResolution = (typeof caseResolutions)[number];

export interface ClaimRow {
  id: string;
  order_id: string;
  account_id: string;
  kind: ClaimKind;
  source: ClaimSource;
  message: string | null;
  status: 'open' | 'upheld' | 'rejected';
  created_at: Date;
  resolved_at: Date | null;
}

export interface CaseRow {
  seq: number;
  id: string;
  kind: 'claim' | 'review_request';
  claim_id: string | null;
  decision_id: string | null;
  order_id: string | null;
  account_id: string;
  merchant_id: string | null;
  status: 'open' | 'resolved';
  assignee: string | null;
  evidence: Record<string, unknown>;
  resolution: CaseResolution | null;
  resolution_note: string | null;
  opened_at: Date;
  first_response_due_at: Date;
  first_responded_at: Date | null;
  sla_alerted_at: Date | null;
  resolved_at: Date | null;
}

export interface CaseEventRow {
  seq: number;
  id: string;
  case_id: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  at: Date;
}

export async function lockOrder(tx: SqlExecutor, orderId: string): Promise<OrderForClaim | null> {
  const [row] = await tx.query<OrderForClaim>(
    `SELECT id, session_id, account_id, merchant_id, merchant_name, decision_id, amount, currency, input, status, placed_at
     FROM orders WHERE id = $1 FOR UPDATE`,
    [orderId],
  );
  return row ?? null;
}

export async function findClaim(tx: SqlExecutor, orderId: string, kind: ClaimKind): Promise<ClaimRow | null> {
  const [row] = await tx.query<ClaimRow>('SELECT * FROM claims WHERE order_id = $1 AND kind = $2', [orderId, kind]);
  return row ?? null;
}

export async function insertClaim(tx: SqlExecutor, row: Omit<ClaimRow, 'resolved_at'>): Promise<void> {
  await tx.query(
    `INSERT INTO claims (id, order_id, account_id, kind, source, message, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.id, row.order_id, row.account_id, row.kind, row.source, row.message, row.status, row.created_at],
  );
}

export async function insertCase(
  tx: SqlExecutor,
  row: Omit<
    CaseRow,
    | 'seq'
    | 'assignee'
    | 'resolution'
    | 'resolution_note'
    | 'first_responded_at'
    | 'sla_alerted_at'
    | 'resolved_at'
    | 'status'
  >,
): Promise<void> {
  await tx.query(
    `INSERT INTO cases (id, kind, claim_id, decision_id, order_id, account_id, merchant_id, status, evidence, opened_at, first_response_due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)`,
    [
      row.id,
      row.kind,
      row.claim_id,
      row.decision_id,
      row.order_id,
      row.account_id,
      row.merchant_id,
      JSON.stringify(row.evidence),
      row.opened_at,
      row.first_response_due_at,
    ],
  );
}

export async function insertCaseEvent(tx: SqlExecutor, row: Omit<CaseEventRow, 'seq'>): Promise<void> {
  await tx.query(`INSERT INTO case_events (id, case_id, actor, action, details, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    row.id,
    row.case_id,
    row.actor,
    row.action,
    JSON.stringify(row.details),
    row.at,
  ]);
}

export async function findCaseByClaim(tx: SqlExecutor, claimId: string): Promise<CaseRow | null> {
  const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE claim_id = $1', [claimId]);
  return row ?? null;
}

export async function findCase(tx: SqlExecutor, caseId: string, options: { forUpdate?: boolean } = {}) {
  const [row] = await tx.query<CaseRow>(`SELECT * FROM cases WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [
    caseId,
  ]);
  return row ?? null;
}

export async function listCaseEvents(tx: SqlExecutor, caseId: string): Promise<CaseEventRow[]> {
  return tx.query<CaseEventRow>('SELECT * FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
}

/** One keyset page of the account's claims, newest first by (created_at, id); one row more than the limit. */
export async function listClaimsOfAccount(
  tx: SqlExecutor,
  accountId: string,
  page: { limit: number; after: readonly [string, string] | null },
): Promise<ClaimRow[]> {
  const keyset = keysetSql({ columns: ['created_at', 'id'], direction: 'desc' }, page, 2);
  return tx.query<ClaimRow>(`SELECT * FROM claims WHERE account_id = $1 AND ${keyset.where} ${keyset.orderBy}`, [
    accountId,
    ...keyset.params,
  ]);
}

export async function insertFlag(
  tx: SqlExecutor,
  row: {
    id: string;
    kind: string;
    value: string;
    reason: string;
    caseId: string | null;
    accountId: string | null;
    at: Date;
  },
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO protection_flags (id, entity_kind, entity_value, reason, case_id, account_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entity_kind, entity_value, reason) DO NOTHING RETURNING id`,
    [row.id, row.kind, row.value, row.reason, row.caseId, row.accountId, row.at],
  );
  return inserted.length > 0;
}
