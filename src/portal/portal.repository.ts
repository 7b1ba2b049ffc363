// Read models for the consumer portal: one account's purchases, invoices, decisions, devices and addresses. Plain SQL.
import type { SqlExecutor } from '../storage/database.ts';
import { keysetSql } from '../http/list-envelope.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import type { InvoiceRow } from '../invoicing/invoice.transitions.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountSealedColumns,
  type ChannelSealedColumns,
} from '../privacy/account-data.ts';

export interface PurchaseRow {
  id: string;
  merchant_name: string | null;
  merchant_reference: string | null;
  amount: number;
  currency: string;
  status: string;
  placed_at: Date;
  session_id: string | null;
  input: SessionInput;
  decision_id: string | null;
}

export interface DecisionRow {
  id: string;
  merchant_id: string;
  has_order: boolean;
  outcome: string;
  reasons: Array<{ code: string; message: string }>;
  decided_at: Date;
  session_id: string;
  input: SessionInput;
  merchant_name: string | null;
}

export const purchasesOf = (db: SqlExecutor, accountId: string) =>
  db.query<PurchaseRow>(
    `SELECT id, merchant_name, merchant_reference, amount, currency, status, placed_at, session_id, input, decision_id
     FROM orders WHERE account_id = $1 ORDER BY placed_at DESC, id LIMIT 500`,
    [accountId],
  );

/** A keyset page, newest first by (time, id): the cursor's key, one row more than the limit. */
export type TimePage = { limit: number; after: readonly [string, string] | null };

export function purchasePage(db: SqlExecutor, accountId: string, page: TimePage) {
  const keyset = keysetSql({ columns: ['placed_at', 'id'], direction: 'desc' }, page, 2);
  return db.query<PurchaseRow>(
    `SELECT id, merchant_name, merchant_reference, amount, currency, status, placed_at, session_id, input, decision_id
     FROM orders WHERE account_id = $1 AND ${keyset.where} ${keyset.orderBy}`,
    [accountId, ...keyset.params],
  );
}

export function invoicePage(db: SqlExecutor, accountId: string, page: TimePage) {
  const keyset = keysetSql({ columns: ['created_at', 'id'], direction: 'desc' }, page, 2);
  return db.query<InvoiceRow>(`SELECT * FROM invoices WHERE account_id = $1 AND ${keyset.where} ${keyset.orderBy}`, [
    accountId,
    ...keyset.params,
  ]);
}

export const invoicesOfOrders = (db: SqlExecutor, orderIds: readonly string[]) =>
  db.query<InvoiceRow>('SELECT * FROM invoices WHERE order_id = ANY($1::text[])', [orderIds]);

/** Decisions about this account's purchases that were not plain approvals: the consumer may ask why. */
export const decisionsOf = (db: SqlExecutor, accountId: string) =>
  db.query<DecisionRow>(
    `SELECT d.id, d.merchant_id, d.outcome, d.reasons, d.decided_at, d.session_id, d.input, m.name AS merchant_name,
       EXISTS (SELECT 1 FROM orders o WHERE o.decision_id = d.id) AS has_order
     FROM decisions d LEFT JOIN merchants m ON m.id = d.merchant_id
     WHERE d.account_id = $1 OR d.id IN (SELECT decision_id FROM orders WHERE account_id = $1 AND decision_id IS NOT NULL)
     ORDER BY d.decided_at DESC, d.id LIMIT 200`,
    [accountId],
  );

export function decisionPage(db: SqlExecutor, accountId: string, page: TimePage) {
  const keyset = keysetSql({ columns: ['d.decided_at', 'd.id'], direction: 'desc' }, page, 2);
  return db.query<DecisionRow>(
    `SELECT d.id, d.merchant_id, d.outcome, d.reasons, d.decided_at, d.session_id, d.input, m.name AS merchant_name,
       EXISTS (SELECT 1 FROM orders o WHERE o.decision_id = d.id) AS has_order
     FROM decisions d LEFT JOIN merchants m ON m.id = d.merchant_id
     WHERE (d.account_id = $1 OR d.id IN (SELECT decision_id FROM orders WHERE account_id = $1 AND decision_id IS NOT NULL))
       AND ${keyset.where} ${keyset.orderBy}`,
    [accountId, ...keyset.params],
  );
}

export const disownedOf = (db: SqlExecutor, accountId: string) =>
  db.query<{ entity_kind: 'device' | 'address'; entity_value: string }>(
    'SELECT entity_kind, entity_value FROM account_disowned_entities WHERE account_id = $1',
    [accountId],
  );

export async function disown(db: SqlExecutor, accountId: string, kind: 'device' | 'address', value: string, at: Date) {
  await db.query(
    `INSERT INTO account_disowned_entities (account_id, entity_kind, entity_value, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [accountId, kind, value, at],
  );
}

/** The account's channels with what opens their sealed values (AccountData.channelValue). */
export const channelsOf = (db: SqlExecutor, accountId: string) =>
  db.query<{ id: string; kind: 'email' | 'phone'; verified_at: Date | null } & ChannelSealedColumns>(
    `SELECT c.id, c.kind, c.verified_at, ${channelSealedSql('c')} FROM channels c ${channelSubjectJoinSql('c')}
      WHERE c.account_id = $1 ORDER BY c.kind, c.created_at`,
    [accountId],
  );

/** The account with what opens its sealed person (AccountData.accountPerson). */
export const accountOf = async (db: SqlExecutor, accountId: string) =>
  (
    await db.query<{ id: string; always_verify: boolean } & AccountSealedColumns>(
      `SELECT a.id, a.always_verify, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
        WHERE a.id = $1`,
      [accountId],
    )
  )[0] ?? null;

/** The consumer's own review requests, newest first: the portal shows each decision's request after any sign-in. */
export const reviewRequestsOf = (db: SqlExecutor, accountId: string) =>
  db.query<{
    decision_id: string;
    status: 'open' | 'resolved';
    message: string | null;
    opened_at: Date;
    answer_due_at: Date | null;
    resolution: string | null;
    resolved_at: Date | null;
  }>(
    `SELECT decision_id, status, evidence->>'message' AS message, opened_at, answer_due_at, resolution, resolved_at
     FROM cases
     WHERE account_id = $1 AND kind = 'review_request' AND decision_id IS NOT NULL ORDER BY opened_at DESC, id`,
    [accountId],
  );

export const claimsOfOrders = (db: SqlExecutor, orderIds: readonly string[]) =>
  db.query<{
    order_id: string;
    kind: string;
    status: 'open' | 'upheld' | 'rejected';
    created_at: Date;
    resolved_at: Date | null;
  }>('SELECT order_id, kind, status, created_at, resolved_at FROM claims WHERE order_id = ANY($1::text[])', [orderIds]);

export const merchantsOfOrders = (db: SqlExecutor, orderIds: readonly string[]) =>
  db.query<{ id: string; merchant_name: string | null }>(
    'SELECT id, merchant_name FROM orders WHERE id = ANY($1::text[])',
    [orderIds],
  );

export const languageOf = async (db: SqlExecutor, accountId: string) =>
  (await db.query<{ language: string | null }>('SELECT language FROM accounts WHERE id = $1', [accountId]))[0] ?? null;

export async function setLanguage(db: SqlExecutor, accountId: string, language: string | null) {
  await db.query('UPDATE accounts SET language = $2 WHERE id = $1', [accountId, language]);
}
