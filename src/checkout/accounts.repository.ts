// Storage of accounts and their channels (e-mail addresses and phone numbers on file).
import type { SqlExecutor } from '../storage/database.ts';
import { accountSubjectJoinSql, type AccountData, type ChannelSealedColumns } from '../privacy/account-data.ts';

/** An account as written: no personal value in plain, only the sealed one and the pseudonyms lookups compare. */
export interface AccountRow {
  id: string;
  external_id: string | null;
  subject_id: string;
  sealed_personal: Buffer;
  email_pseudonym: string | null;
  phone_pseudonym: string | null;
  birth_pseudonym: string | null;
  created_at: Date;
}

export interface ChannelRow {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  sealed_value: Buffer;
  value_pseudonym: string;
  verified_at: Date | null;
  created_at: Date;
}

export async function insertAccount(db: SqlExecutor, row: AccountRow): Promise<void> {
  // The account becomes the subject its first session was sealed under: one key for the person's data.
  await db.query(
    `INSERT INTO accounts (id, external_id, subject_id, sealed_personal, email_pseudonym, phone_pseudonym,
       birth_pseudonym, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      row.external_id,
      row.subject_id,
      row.sealed_personal,
      row.email_pseudonym,
      row.phone_pseudonym,
      row.birth_pseudonym,
      row.created_at,
    ],
  );
}

/** One channel per account and normalised value: a second spelling of the same number adds nothing. */
export async function insertChannel(db: SqlExecutor, row: ChannelRow): Promise<void> {
  await db.query(
    `INSERT INTO channels (id, account_id, kind, sealed_value, value_pseudonym, verified_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (account_id, kind, value_pseudonym) DO NOTHING`,
    [row.id, row.account_id, row.kind, row.sealed_value, row.value_pseudonym, row.verified_at, row.created_at],
  );
}

/** A channel on file as the approval's hooks see it: whether it is verified, whether a confirmation is still open. */
export interface AccountChannel {
  readonly id: string;
  readonly kind: 'email' | 'phone';
  readonly value: string;
  readonly verified_at: Date | null;
  readonly created_at: Date;
  readonly confirmation_pending: boolean;
}

/** Every channel of an account in one read, shared by the hooks of one approval (notice, channel confirmation). */
export async function accountChannels(
  db: SqlExecutor,
  accounts: AccountData,
  accountId: string,
  at: Date,
): Promise<AccountChannel[]> {
  return (await accountOnFile(db, accounts, accountId, at)).channels;
}

/** The account's channels and the language it chose, in one statement: what an approval's messages need. */
export async function accountOnFile(
  db: SqlExecutor,
  accounts: AccountData,
  accountId: string,
  at: Date,
): Promise<{ channels: AccountChannel[]; language: string | null }> {
  const rows = await db.query<
    { [Key in keyof AccountChannel]: AccountChannel[Key] | null } & {
      language: string | null;
    } & ChannelSealedColumns
  >(
    `SELECT a.language, c.id, c.kind, c.value, c.sealed_value, c.verified_at, c.created_at,
       a.subject_id, k.master_key_id, k.wrapped_key,
       EXISTS (SELECT 1 FROM channel_confirmations cc WHERE cc.channel_id = c.id AND cc.expires_at > $2)
         AS confirmation_pending
     FROM accounts a ${accountSubjectJoinSql('a', 'k')} LEFT JOIN channels c ON c.account_id = a.id WHERE a.id = $1`,
    [accountId, at],
  );
  return {
    language: rows[0]?.language ?? null,
    channels: rows.flatMap((row) => {
      const value = row.id === null ? null : accounts.channelValue(row);
      if (row.id === null || value === null) return [];
      const { id, kind, verified_at, created_at, confirmation_pending } = row;
      return [{ id, kind, value, verified_at, created_at, confirmation_pending } as AccountChannel];
    }),
  };
}
