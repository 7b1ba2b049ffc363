// Storage of accounts and their channels (e-mail addresses and phone numbers on file).
import type { SqlExecutor } from '../storage/database.ts';
import type { Address } from './session.schema.ts';

export interface AccountRow {
  id: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  date_of_birth: string | null;
  address: Address | null;
  always_verify: boolean;
  created_at: Date;
}

export interface ChannelRow {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  value: string;
  verified_at: Date | null;
  created_at: Date;
}

export async function insertAccount(
  db: SqlExecutor,
  row: Omit<AccountRow, 'always_verify'> & { subject_id?: string | null },
): Promise<void> {
  // The account becomes the subject its first session was sealed under: one key for the person's data.
  await db.query(
    `INSERT INTO accounts (id, external_id, name, email, phone, date_of_birth, address, created_at, subject_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      row.id,
      row.external_id,
      row.name,
      row.email,
      row.phone,
      row.date_of_birth,
      row.address ? JSON.stringify(row.address) : null,
      row.created_at,
      row.subject_id ?? null,
    ],
  );
}

export async function insertChannel(db: SqlExecutor, row: ChannelRow): Promise<void> {
  await db.query(
    `INSERT INTO channels (id, account_id, kind, value, verified_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (account_id, kind, value) DO NOTHING`,
    [row.id, row.account_id, row.kind, row.value, row.verified_at, row.created_at],
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
export async function accountChannels(db: SqlExecutor, accountId: string, at: Date): Promise<AccountChannel[]> {
  return (await accountOnFile(db, accountId, at)).channels;
}

/** The account's channels and the language it chose, in one statement: what an approval's messages need. */
export async function accountOnFile(
  db: SqlExecutor,
  accountId: string,
  at: Date,
): Promise<{ channels: AccountChannel[]; language: string | null }> {
  const rows = await db.query<
    { [Key in keyof AccountChannel]: AccountChannel[Key] | null } & { language: string | null }
  >(
    `SELECT a.language, c.id, c.kind, c.value, c.verified_at, c.created_at,
       EXISTS (SELECT 1 FROM channel_confirmations cc WHERE cc.channel_id = c.id AND cc.expires_at > $2)
         AS confirmation_pending
     FROM accounts a LEFT JOIN channels c ON c.account_id = a.id WHERE a.id = $1`,
    [accountId, at],
  );
  return {
    language: rows[0]?.language ?? null,
    channels: rows.flatMap(({ language: _language, ...channel }) =>
      channel.id === null ? [] : [channel as AccountChannel],
    ),
  };
}
