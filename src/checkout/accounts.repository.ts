// Storage of accounts and their channels (e-mail addresses and phone numbers on file).
import type { SqlExecutor } from '../storage/database.ts';
import { makeCoalescedStatements } from '../storage/coalesced-statements.ts';
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

/** What an approval's messages need of an account: its channels and the language it chose. */
export interface AccountOnFile {
  readonly channels: AccountChannel[];
  readonly language: string | null;
}

/**
 * An account on file as read, not yet judged at a moment: each channel's latest open confirmation is kept as its
 * expiry, so one read serves approvals decided at different times (pending is `expiry > decided at`).
 */
export interface AccountOnFileRead {
  readonly channels: readonly (Omit<AccountChannel, 'confirmation_pending'> & {
    readonly confirmation_expires_at: Date | null;
  })[];
  readonly language: string | null;
}

/** The account as its approval at `at` sees it: a confirmation still running then is pending. */
export const accountOnFileAt = (read: AccountOnFileRead, at: Date): AccountOnFile => ({
  language: read.language,
  channels: read.channels.map(({ confirmation_expires_at, ...channel }) => ({
    ...channel,
    confirmation_pending: confirmation_expires_at !== null && confirmation_expires_at.getTime() > at.getTime(),
  })),
});

/** The channels and language of several accounts in one statement (an account not found is left out). */
export async function accountsOnFile(
  db: SqlExecutor,
  accounts: AccountData,
  accountIds: readonly string[],
): Promise<Map<string, AccountOnFileRead>> {
  const rows = await db.query<
    {
      account_id: string;
      language: string | null;
      id: string | null;
      kind: AccountChannel['kind'] | null;
      verified_at: Date | null;
      created_at: Date | null;
      confirmation_expires_at: Date | null;
    } & ChannelSealedColumns
  >(
    `SELECT a.id AS account_id, a.language, c.id, c.kind, c.value, c.sealed_value, c.verified_at, c.created_at,
       a.subject_id, k.master_key_id, k.wrapped_key,
       (SELECT max(cc.expires_at) FROM channel_confirmations cc WHERE cc.channel_id = c.id) AS confirmation_expires_at
     FROM accounts a ${accountSubjectJoinSql('a', 'k')} LEFT JOIN channels c ON c.account_id = a.id
     WHERE a.id = ANY($1::text[])`,
    [[...accountIds]],
  );
  const found = new Map<string, { channels: AccountOnFileRead['channels'][number][]; language: string | null }>();
  for (const row of rows) {
    const account = found.get(row.account_id) ?? { channels: [], language: row.language };
    found.set(row.account_id, account);
    const value = row.id === null ? null : accounts.channelValue(row);
    if (row.id === null || value === null || row.kind === null || row.created_at === null) continue;
    const { id, kind, verified_at, created_at, confirmation_expires_at } = row;
    account.channels.push({ id, kind, value, verified_at, created_at, confirmation_expires_at });
  }
  return found;
}

const nothingOnFile: AccountOnFileRead = { channels: [], language: null };

/** The account's channels and the language it chose, in one statement: what an approval's messages need. */
export async function accountOnFile(
  db: SqlExecutor,
  accounts: AccountData,
  accountId: string,
  at: Date,
): Promise<AccountOnFile> {
  const found = await accountsOnFile(db, accounts, [accountId]);
  return accountOnFileAt(found.get(accountId) ?? nothingOnFile, at);
}

/** Reads of accounts on file arriving together share one statement (see makeCoalescedStatements). */
export function makeAccountsOnFileReader(db: SqlExecutor, accounts: AccountData, maxAccounts = 64) {
  return makeCoalescedStatements<string, AccountOnFileRead>({
    maxItems: maxAccounts,
    runMany: async (accountIds) => {
      const found = await accountsOnFile(db, accounts, [...new Set(accountIds)]);
      return accountIds.map((accountId) => found.get(accountId) ?? nothingOnFile);
    },
  });
}
