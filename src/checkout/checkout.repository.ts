// Storage of sessions, decisions, orders and invoices: SQL only, no business rules.
import { keysetSql } from '../http/list-envelope.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { DeferredWrites } from '../storage/deferred-writes.ts';
import type { Decision } from '../risk/engine.ts';
import type { SessionInput, SessionStatus } from './session.schema.ts';
import type { KeptInput, SealedInputColumns } from '../privacy/personal-data.ts';
import type { OpenSubject, SubjectKeyColumns } from '../privacy/subject-store.ts';
import { decodeDecisionRecord, encodeFeatures, encodeRuleResults } from './decision-record.codec.ts';

export interface SessionRow {
  id: string;
  merchant_id: string;
  status: SessionStatus;
  input: SessionInput;
  created_at: Date;
  updated_at: Date;
  /** Whose key seals the input (null: a session from before sealing). */
  subject_id?: string | null;
  /** That subject's wrapped key as read with the session: a new account's data is sealed under it, no second read. */
  subject_key?: SubjectKeyColumns | null;
  /** The person-free copy as stored with the session (pseudonyms made at creation): decision and order keep it too. */
  kept?: KeptInput;
  /** The subject already opened (a session this process created): a new account is sealed under it without a read. */
  subject?: OpenSubject;
}

export interface DecisionRow {
  seq: number;
  id: string;
  session_id: string;
  merchant_id: string;
  account_id: string | null;
  outcome: Decision['outcome'];
  reasons: Decision['reasons'];
  score: number | null;
  features: Decision['features'];
  rule_results: Decision['ruleResults'];
  challenge_options: Decision['challengeOptions'];
  versions: Decision['versions'];
  input: unknown;
  latency_us: number;
  decided_at: Date;
}

export interface OrderRow {
  id: string;
  session_id: string | null;
  decision_id: string | null;
  merchant_id: string | null;
  account_id: string;
  merchant_reference: string | null;
  amount: number;
  currency: string;
  status: string;
  source: 'live' | 'import';
  placed_at: Date;
  invoice_id: string | null;
  invoice_status: string | null;
  invoice_due_at: Date | null;
  /** How the goods may be delivered (an unproven buyer's first order: no redirect, no pick-up point, ID check). */
  delivery_requirements: string[];
}

/** The life-cycle columns an order is inserted with, so it is written once in the state the life-cycle gave it. */
export interface OrderLifecycle {
  readonly state: string;
  readonly captured: number;
  readonly refunded: number;
  readonly expiresAt: Date | null;
}

/** A session as stored: the person-free copy in `input`, the full input sealed under its subject's key. */
export interface StoredSessionRow extends SealedInputColumns {
  id: string;
  merchant_id: string;
  status: SessionStatus;
  input: KeptInput | SessionInput;
  created_at: Date;
  updated_at: Date;
}

export async function insertSession(
  db: SqlExecutor,
  row: Omit<SessionRow, 'updated_at' | 'input'> & { kept: KeptInput; subject_id: string; sealed_input: Buffer },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id, merchant_id, status, input, subject_id, sealed_input, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [row.id, row.merchant_id, row.status, JSON.stringify(row.kept), row.subject_id, row.sealed_input, row.created_at],
  );
}

/**
 * Inserts a session sealed under a subject taken from a cache, only while that subject is live (not shredded by an
 * erasure, here or on another node): one statement. False when it was not, and nothing was inserted.
 */
export async function insertSessionForLiveSubject(
  db: SqlExecutor,
  row: Omit<SessionRow, 'updated_at' | 'input'> & { kept: KeptInput; subject_id: string; sealed_input: Buffer },
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO sessions (id, merchant_id, status, input, subject_id, sealed_input, created_at, updated_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $7
      WHERE EXISTS (SELECT 1 FROM subjects WHERE id = $5 AND wrapped_key IS NOT NULL)
     RETURNING 1`,
    [row.id, row.merchant_id, row.status, JSON.stringify(row.kept), row.subject_id, row.sealed_input, row.created_at],
  );
  return rows.length > 0;
}

export async function findSession(
  db: SqlExecutor,
  merchantId: string,
  sessionId: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredSessionRow | null> {
  // The subject's wrapped key comes with the row: opening the input costs no second statement.
  const rows = await db.query<StoredSessionRow>(
    `SELECT s.id, s.merchant_id, s.status, s.input, s.created_at, s.updated_at, s.sealed_input, s.subject_id,
       k.master_key_id, k.wrapped_key
     FROM sessions s LEFT JOIN subjects k ON k.id = s.subject_id WHERE s.id = $1 AND s.merchant_id = $2${
       options.forUpdate ? ' FOR UPDATE OF s' : ''
     }`,
    [sessionId, merchantId],
  );
  return rows[0] ?? null;
}

/**
 * Moves the session from the status it was decided in to the decision's outcome; 0 rows means someone else decided
 * it first. Called on a deferred executor, this is the approval's first write and its row lock.
 */
export function claimSession(
  db: DeferredWrites,
  sessionId: string,
  expected: SessionStatus,
  status: SessionStatus,
  at: Date,
  options: { readonly liveSubject?: boolean } = {},
): Promise<number> {
  // Required: a session decided by someone else meanwhile fails the whole statement, whatever it carries.
  // `liveSubject`: the input was not read now (it was kept since creation), so an erasure since must fail it too.
  const text = options.liveSubject
    ? `UPDATE sessions SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4
        AND EXISTS (SELECT 1 FROM subjects k WHERE k.id = sessions.subject_id AND k.wrapped_key IS NOT NULL)`
    : 'UPDATE sessions SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4';
  return db.write(text, [sessionId, status, at, expected], { required: true });
}

export async function updateSessionStatus(db: SqlExecutor, sessionId: string, status: SessionStatus, at: Date) {
  await db.query('UPDATE sessions SET status = $2, updated_at = $3 WHERE id = $1', [sessionId, status, at]);
}

export async function insertDecision(db: SqlExecutor, row: Omit<DecisionRow, 'seq'>): Promise<void> {
  await db.query(
    `INSERT INTO decisions (id, session_id, merchant_id, account_id, outcome, reasons, score, features, rule_results,
       challenge_options, versions, input, latency_us, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      row.id,
      row.session_id,
      row.merchant_id,
      row.account_id,
      row.outcome,
      JSON.stringify(row.reasons),
      row.score,
      JSON.stringify(encodeFeatures(row.features)),
      JSON.stringify(encodeRuleResults(row.rule_results)),
      JSON.stringify(row.challenge_options),
      JSON.stringify(row.versions),
      JSON.stringify(row.input),
      row.latency_us,
      row.decided_at,
    ],
  );
}

const decisionColumns = `seq, id, session_id, merchant_id, account_id, outcome, reasons, score, features, rule_results,
  challenge_options, versions, input, latency_us, decided_at`;

/**
 * A session's decisions come after it was created, so the read names a time from which to look: on the monthly
 * partitions (migration 181) it visits the months since the session began, not every month's index. The day of slack
 * covers processes whose clocks differ.
 */
export const decisionSlackMilliseconds = 24 * 60 * 60 * 1000;

export async function latestDecision(
  db: SqlExecutor,
  session: { readonly id: string; readonly created_at: Date },
): Promise<DecisionRow | null> {
  const rows = await db.query<DecisionRow>(
    `SELECT ${decisionColumns} FROM decisions WHERE session_id = $1 AND decided_at >= $2 ORDER BY seq DESC LIMIT 1`,
    [session.id, new Date(session.created_at.getTime() - decisionSlackMilliseconds)],
  );
  return rows[0] === undefined ? null : decodeDecisionRecord(db, rows[0]);
}

/** `decidedAt`, when the caller has it (a reference to a decision carries it): one month is read, not every month. */
export async function findDecision(
  db: SqlExecutor,
  decisionId: string,
  decidedAt: Date | null = null,
): Promise<DecisionRow | null> {
  const rows = await (decidedAt === null
    ? db.query<DecisionRow>(`SELECT ${decisionColumns} FROM decisions WHERE id = $1`, [decisionId])
    : db.query<DecisionRow>(`SELECT ${decisionColumns} FROM decisions WHERE id = $1 AND decided_at = $2`, [
        decisionId,
        decidedAt,
      ]));
  return rows[0] === undefined ? null : decodeDecisionRecord(db, rows[0]);
}

/** One keyset page of decision records in decision order (limit+1 rows: the extra one says there is more). */
export async function listDecisions(
  db: SqlExecutor,
  page: { after: readonly [number] | null; limit: number },
): Promise<DecisionRow[]> {
  const keyset = keysetSql({ columns: ['seq'], direction: 'asc' }, page, 1);
  const rows = await db.query<DecisionRow>(
    `SELECT ${decisionColumns} FROM decisions WHERE ${keyset.where} ${keyset.orderBy}`,
    keyset.params,
  );
  return Promise.all(rows.map((row) => decodeDecisionRecord(db, row)));
}

export async function insertOrder(
  db: SqlExecutor,
  row: Omit<OrderRow, 'invoice_id' | 'invoice_status' | 'invoice_due_at' | 'delivery_requirements'> & {
    merchant_name: string | null;
    external_id: string | null;
    input: unknown;
    delivery_requirements?: readonly string[];
  },
  lifecycle: OrderLifecycle | null = null,
): Promise<void> {
  // Without a life-cycle the columns keep their defaults: captured at approval (captured_amount NULL: all of it).
  await db.query(
    `INSERT INTO orders (id, session_id, decision_id, merchant_id, merchant_name, account_id, external_id,
       merchant_reference, amount, currency, input, source, status, placed_at, delivery_requirements,
       state, captured_amount, refunded_amount, authorization_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb,
       COALESCE($16::text, 'captured'), $17::bigint, COALESCE($18::bigint, 0), $19::timestamptz)`,
    [
      row.id,
      row.session_id,
      row.decision_id,
      row.merchant_id,
      row.merchant_name,
      row.account_id,
      row.external_id,
      row.merchant_reference,
      row.amount,
      row.currency,
      JSON.stringify(row.input),
      row.source,
      row.status,
      row.placed_at,
      JSON.stringify(row.delivery_requirements ?? []),
      lifecycle?.state ?? null,
      lifecycle?.captured ?? null,
      lifecycle?.refunded ?? null,
      lifecycle?.expiresAt ?? null,
    ],
  );
}

export async function insertInvoice(
  db: SqlExecutor,
  row: {
    id: string;
    order_id: string;
    account_id: string;
    amount: number;
    currency: string;
    status: string;
    due_at: Date;
    created_at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO invoices (id, order_id, account_id, amount, currency, status, due_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.id, row.order_id, row.account_id, row.amount, row.currency, row.status, row.due_at, row.created_at],
  );
}

const orderSelect = `SELECT o.id, o.session_id, o.decision_id, o.merchant_id, o.account_id, o.merchant_reference, o.amount,
  o.currency, o.status, o.source, o.placed_at, o.delivery_requirements, i.id AS invoice_id, i.status AS invoice_status, i.due_at AS invoice_due_at
  FROM orders o LEFT JOIN invoices i ON i.order_id = o.id`;

export async function findOrder(db: SqlExecutor, merchantId: string, orderId: string): Promise<OrderRow | null> {
  const rows = await db.query<OrderRow>(`${orderSelect} WHERE o.id = $1 AND o.merchant_id = $2`, [orderId, merchantId]);
  return rows[0] ?? null;
}

export async function findOrderBySession(db: SqlExecutor, sessionId: string): Promise<OrderRow | null> {
  const rows = await db.query<OrderRow>(`${orderSelect} WHERE o.session_id = $1`, [sessionId]);
  return rows[0] ?? null;
}
