// Storage of staff accounts, their passkeys, ceremonies, sessions and enrolment links: SQL only.
import { keysetSql } from '../http/list-envelope.ts';
import type { SqlExecutor } from '../storage/database.ts';

export const staffRoles = ['analyst', 'lead', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

export interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  created_at: Date;
}

export interface StaffPasskeyRow {
  id: string;
  staff_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string[];
}

export async function insertStaff(db: SqlExecutor, row: StaffRow & { created_by: string }): Promise<void> {
  await db.query('INSERT INTO staff (id, name, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [
    row.id,
    row.name,
    row.role,
    row.created_at,
    row.created_by,
  ]);
}

export async function findStaff(db: SqlExecutor, id: string): Promise<StaffRow | null> {
  const rows = await db.query<StaffRow>('SELECT id, name, role, created_at FROM staff WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** One keyset page by (name, id), fetching one row more than the limit so the caller knows whether more follow. */
export async function listStaff(
  db: SqlExecutor,
  page: { limit: number; after: readonly [string, string] | null },
): Promise<StaffRow[]> {
  const keyset = keysetSql({ columns: ['name', 'id'], direction: 'asc' }, page, 1);
  return db.query<StaffRow>(
    `SELECT id, name, role, created_at FROM staff WHERE ${keyset.where} ${keyset.orderBy}`,
    keyset.params,
  );
}

export async function insertEnrolment(
  db: SqlExecutor,
  row: { id: string; staff_id: string; token_hash: string; expires_at: Date },
): Promise<void> {
  await db.query('INSERT INTO staff_enrolments (id, staff_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)', [
    row.id,
    row.staff_id,
    row.token_hash,
    row.expires_at,
  ]);
}

/** The staff member an unused, unexpired enrolment link belongs to (without using it up). */
export async function findEnrolment(
  db: SqlExecutor,
  tokenHash: string,
  at: Date,
): Promise<{ id: string; staff_id: string } | null> {
  const rows = await db.query<{ id: string; staff_id: string }>(
    'SELECT id, staff_id FROM staff_enrolments WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2',
    [tokenHash, at],
  );
  return rows[0] ?? null;
}

export async function useEnrolment(db: SqlExecutor, id: string, at: Date): Promise<boolean> {
  const rows = await db.query(
    'UPDATE staff_enrolments SET used_at = $2 WHERE id = $1 AND used_at IS NULL RETURNING id',
    [id, at],
  );
  return rows.length === 1;
}

export async function insertCeremony(
  db: SqlExecutor,
  row: { id: string; purpose: 'enrolment' | 'sign_in'; staff_id: string | null; challenge: string; expires_at: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO staff_ceremonies (id, purpose, staff_id, challenge, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [row.id, row.purpose, row.staff_id, row.challenge, row.expires_at],
  );
}

/** Uses a ceremony up: each challenge is answered at most once. */
export async function takeCeremony(
  db: SqlExecutor,
  id: string,
  purpose: 'enrolment' | 'sign_in',
  at: Date,
): Promise<{ staff_id: string | null; challenge: string } | null> {
  const rows = await db.query<{ staff_id: string | null; challenge: string }>(
    `UPDATE staff_ceremonies SET used_at = $3
     WHERE id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING staff_id, challenge`,
    [id, purpose, at],
  );
  return rows[0] ?? null;
}

export async function insertPasskey(db: SqlExecutor, row: StaffPasskeyRow & { created_at: Date }): Promise<void> {
  await db.query(
    `INSERT INTO staff_passkeys (id, staff_id, credential_id, public_key, counter, transports, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      row.id,
      row.staff_id,
      row.credential_id,
      row.public_key,
      row.counter,
      JSON.stringify(row.transports),
      row.created_at,
    ],
  );
}

export async function findPasskeyByCredential(db: SqlExecutor, credentialId: string): Promise<StaffPasskeyRow | null> {
  const rows = await db.query<StaffPasskeyRow>(
    'SELECT id, staff_id, credential_id, public_key, counter::int AS counter, transports FROM staff_passkeys WHERE credential_id = $1',
    [credentialId],
  );
  return rows[0] ?? null;
}

export async function touchPasskey(db: SqlExecutor, id: string, counter: number, at: Date): Promise<void> {
  await db.query('UPDATE staff_passkeys SET counter = $2, last_used_at = $3 WHERE id = $1', [id, counter, at]);
}

export async function insertSession(
  db: SqlExecutor,
  row: { id: string; staff_id: string; token_hash: string; created_at: Date; expires_at: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO staff_sessions (id, staff_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [row.id, row.staff_id, row.token_hash, row.created_at, row.expires_at],
  );
}

export async function findSessionStaff(
  db: SqlExecutor,
  tokenHash: string,
  at: Date,
): Promise<(StaffRow & { session_id: string }) | null> {
  const rows = await db.query<StaffRow & { session_id: string }>(
    `SELECT s.id, s.name, s.role, s.created_at, ss.id AS session_id FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id
     WHERE ss.token_hash = $1 AND ss.revoked_at IS NULL AND ss.expires_at > $2`,
    [tokenHash, at],
  );
  return rows[0] ?? null;
}

export async function revokeSession(db: SqlExecutor, sessionId: string, at: Date): Promise<void> {
  await db.query('UPDATE staff_sessions SET revoked_at = $2 WHERE id = $1', [sessionId, at]);
}
