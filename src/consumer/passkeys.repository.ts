// Storage of passkeys (WebAuthn credentials) and of one-time WebAuthn ceremony challenges.
import { keysetSql } from '../http/list-envelope.ts';
import type { SqlExecutor } from '../storage/database.ts';

export interface PasskeyRow {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: string;
  counter: number;
  transports: string[];
  created_at: Date;
  last_used_at: Date | null;
}

const columns =
  'id, account_id, credential_id, public_key, counter::int AS counter, transports, created_at, last_used_at';

export async function listPasskeys(db: SqlExecutor, accountId: string): Promise<PasskeyRow[]> {
  return db.query<PasskeyRow>(`SELECT ${columns} FROM passkeys WHERE account_id = $1 ORDER BY created_at`, [accountId]);
}

/** One keyset page of the account's passkeys, oldest first by (created_at, id); one row more than the limit. */
export async function listPasskeysPage(
  db: SqlExecutor,
  accountId: string,
  page: { limit: number; after: readonly [string, string] | null },
): Promise<PasskeyRow[]> {
  const keyset = keysetSql({ columns: ['created_at', 'id'], direction: 'asc' }, page, 2);
  return db.query<PasskeyRow>(
    `SELECT ${columns} FROM passkeys WHERE account_id = $1 AND ${keyset.where} ${keyset.orderBy}`,
    [accountId, ...keyset.params],
  );
}

export async function findPasskeyByCredential(db: SqlExecutor, credentialId: string): Promise<PasskeyRow | null> {
  const rows = await db.query<PasskeyRow>(`SELECT ${columns} FROM passkeys WHERE credential_id = $1`, [credentialId]);
  return rows[0] ?? null;
}

export async function insertPasskey(db: SqlExecutor, row: Omit<PasskeyRow, 'last_used_at'>): Promise<void> {
  await db.query(
    `INSERT INTO passkeys (id, account_id, credential_id, public_key, counter, transports, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      row.id,
      row.account_id,
      row.credential_id,
      row.public_key,
      row.counter,
      JSON.stringify(row.transports),
      row.created_at,
    ],
  );
}

export async function touchPasskey(db: SqlExecutor, passkeyId: string, counter: number, at: Date): Promise<void> {
  await db.query('UPDATE passkeys SET counter = $2, last_used_at = $3 WHERE id = $1', [passkeyId, counter, at]);
}

export async function deletePasskey(db: SqlExecutor, accountId: string, passkeyId: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING id', [
    passkeyId,
    accountId,
  ]);
  return rows.length > 0;
}

export async function insertCeremony(
  db: SqlExecutor,
  row: {
    id: string;
    purpose: 'registration' | 'sign_in';
    account_id: string | null;
    challenge: string;
    expires_at: Date;
  },
): Promise<void> {
  await db.query(
    'INSERT INTO webauthn_ceremonies (id, purpose, account_id, challenge, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [row.id, row.purpose, row.account_id, row.challenge, row.expires_at],
  );
}

/** Takes a ceremony once: a second use, an expired one or one of another account finds nothing. */
export async function takeCeremony(
  db: SqlExecutor,
  ceremonyId: string,
  purpose: 'registration' | 'sign_in',
  at: Date,
): Promise<{ account_id: string | null; challenge: string } | null> {
  const rows = await db.query<{ account_id: string | null; challenge: string }>(
    `UPDATE webauthn_ceremonies SET used_at = $3
     WHERE id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING account_id, challenge`,
    [ceremonyId, purpose, at],
  );
  return rows[0] ?? null;
}
