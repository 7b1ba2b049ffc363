// Storage of proofs at the bank: started attempts, the bank subject linked to an account, and subject conflicts.
import type { SqlExecutor } from '../storage/database.ts';
import type { VerifiedIdentity } from './proof.ts';

export interface ProofAttemptRow {
  id: string;
  challenge_id: string;
  method: string;
  status: 'pending' | 'completing' | 'verified' | 'failed';
  flow: Record<string, string>;
  provider_reference: string | null;
  failure_code: string | null;
  identity: VerifiedIdentity | null;
  created_at: Date;
  completed_at: Date | null;
}

const columns =
  'id, challenge_id, method, status, flow, provider_reference, failure_code, identity, created_at, completed_at';

export async function insertProofAttempt(
  db: SqlExecutor,
  row: Pick<ProofAttemptRow, 'id' | 'challenge_id' | 'method' | 'flow' | 'provider_reference' | 'created_at'>,
): Promise<void> {
  await db.query(
    `INSERT INTO proof_attempts (id, challenge_id, method, status, flow, provider_reference, created_at)
     VALUES ($1, $2, $3, 'pending', $4, $5, $6)`,
    [row.id, row.challenge_id, row.method, JSON.stringify(row.flow), row.provider_reference, row.created_at],
  );
}

export async function findProofAttempt(db: SqlExecutor, id: string): Promise<ProofAttemptRow | null> {
  const rows = await db.query<ProofAttemptRow>(`SELECT ${columns} FROM proof_attempts WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function findProofAttemptByReference(
  db: SqlExecutor,
  method: string,
  reference: string,
): Promise<ProofAttemptRow | null> {
  const rows = await db.query<ProofAttemptRow>(
    `SELECT ${columns} FROM proof_attempts WHERE method = $1 AND provider_reference = $2`,
    [method, reference],
  );
  return rows[0] ?? null;
}

export async function latestProofAttempt(
  db: SqlExecutor,
  challengeId: string,
  method: string,
): Promise<ProofAttemptRow | null> {
  const rows = await db.query<ProofAttemptRow>(
    `SELECT ${columns} FROM proof_attempts WHERE challenge_id = $1 AND method = $2 ORDER BY seq DESC LIMIT 1`,
    [challengeId, method],
  );
  return rows[0] ?? null;
}

/** Takes a pending attempt for completion exactly once: a replayed callback finds nothing to take. */
export async function takeProofAttempt(db: SqlExecutor, id: string): Promise<ProofAttemptRow | null> {
  const rows = await db.query<ProofAttemptRow>(
    `UPDATE proof_attempts SET status = 'completing' WHERE id = $1 AND status = 'pending' RETURNING ${columns}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function finishProofAttempt(
  db: SqlExecutor,
  id: string,
  outcome: { status: 'verified' | 'failed'; failureCode: string | null; identity: VerifiedIdentity | null; at: Date },
): Promise<void> {
  await db.query(
    `UPDATE proof_attempts SET status = $2, failure_code = $3, identity = $4, completed_at = $5, flow = '{}' WHERE id = $1`,
    [id, outcome.status, outcome.failureCode, outcome.identity ? JSON.stringify(outcome.identity) : null, outcome.at],
  );
}

/** What the provider vouched for, kept before the proof is decided so a completion cut short can be finished. */
export async function recordAttemptIdentity(db: SqlExecutor, id: string, identity: VerifiedIdentity): Promise<void> {
  await db.query('UPDATE proof_attempts SET identity = $2 WHERE id = $1', [id, JSON.stringify(identity)]);
}

export async function findBankSubject(db: SqlExecutor, accountId: string): Promise<string | null> {
  const rows = await db.query<{ subject: string }>('SELECT subject FROM account_bank_subjects WHERE account_id = $1', [
    accountId,
  ]);
  return rows[0]?.subject ?? null;
}

/** Links the account to the bank subject; returns false when it already was (nothing new to tell the engine). */
export async function linkBankSubject(db: SqlExecutor, accountId: string, subject: string, at: Date): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO account_bank_subjects (account_id, subject, verified_at) VALUES ($1, $2, $3)
     ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
    [accountId, subject, at],
  );
  return rows.length > 0;
}

export async function insertBankSubjectConflict(
  db: SqlExecutor,
  row: { id: string; account_id: string; session_id: string; subject: string; at: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO bank_subject_conflicts (id, account_id, session_id, subject, at) VALUES ($1, $2, $3, $4, $5)',
    [row.id, row.account_id, row.session_id, row.subject, row.at],
  );
}
