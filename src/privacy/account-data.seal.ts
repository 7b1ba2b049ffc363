// Seals accounts and channels still holding personal data in plain (rows from before migration 190, bulk imports).
import type { Address } from '../checkout/session.schema.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  type AccountData,
  type AccountSealedColumns,
} from './account-data.ts';
import type { OpenSubject } from './subject-store.ts';

const pageSize = 500;

export interface SealFigures {
  readonly accounts: number;
  readonly channels: number;
}

const plainAccount =
  'a.sealed_personal IS NULL AND (a.name IS NOT NULL OR a.email IS NOT NULL OR a.phone IS NOT NULL ' +
  'OR a.date_of_birth IS NOT NULL OR a.address IS NOT NULL)';

/**
 * Seals every account and channel that still holds a plain value, a page per transaction, so it can run on a live
 * database and resume after a crash: each statement changes only rows still plain, and the plain columns are
 * cleared in the same statement that writes the sealed value. Runs on start (SQL migrations cannot encrypt).
 */
export async function sealPlainAccounts(database: Database, accounts: AccountData): Promise<SealFigures> {
  let sealedAccounts = 0;
  let sealedChannels = 0;
  for (;;) {
    const done = await database.transaction((tx) => sealAccountPage(tx, accounts, null));
    sealedAccounts += done;
    if (done < pageSize) break;
  }
  for (;;) {
    const done = await database.transaction((tx) => sealChannelPage(tx, accounts, null));
    sealedChannels += done;
    if (done < pageSize) break;
  }
  return { accounts: sealedAccounts, channels: sealedChannels };
}

/** The same, in the caller's transaction, for the accounts it just wrote in plain (a bulk import's batch). */
export async function sealAccountsNow(tx: SqlExecutor, accounts: AccountData, accountIds: readonly string[]) {
  if (accountIds.length === 0) return;
  for (let start = 0; start < accountIds.length; start += pageSize) {
    const page = accountIds.slice(start, start + pageSize);
    await sealAccountPage(tx, accounts, page);
    while ((await sealChannelPage(tx, accounts, page)) === pageSize);
  }
}

async function sealAccountPage(tx: SqlExecutor, accounts: AccountData, only: readonly string[] | null) {
  const rows = await tx.query<AccountSealedColumns & { id: string }>(
    `SELECT a.id, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
      WHERE ${plainAccount}${only ? ' AND a.id = ANY($2::text[])' : ''} ORDER BY a.id LIMIT $1 FOR UPDATE OF a`,
    only ? [pageSize, only] : [pageSize],
  );
  for (const row of rows) {
    const personal = {
      name: row.name,
      email: row.email,
      phone: row.phone,
      date_of_birth: row.date_of_birth,
      address: row.address as Address | null,
    };
    // A shredded subject's account keeps nothing: its person was erased, the plain copy goes too.
    const shredded = row.subject_id !== null && row.wrapped_key === null;
    const subject = shredded ? null : await accounts.subjectForAccount(tx, row, row.email);
    const sealed = subject
      ? accounts.sealAccount(subject, personal)
      : {
          subject_id: row.subject_id,
          sealed_personal: null,
          email_pseudonym: null,
          phone_pseudonym: null,
          birth_pseudonym: null,
        };
    await tx.query(
      `UPDATE accounts SET subject_id = $2, sealed_personal = $3, email_pseudonym = $4, phone_pseudonym = $5,
         birth_pseudonym = $6, name = NULL, email = NULL, phone = NULL, date_of_birth = NULL, address = NULL
       WHERE id = $1`,
      [
        row.id,
        sealed.subject_id,
        sealed.sealed_personal,
        sealed.email_pseudonym,
        sealed.phone_pseudonym,
        sealed.birth_pseudonym,
      ],
    );
  }
  return rows.length;
}

interface PlainChannel {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  value: string;
  subject_id: string | null;
  master_key_id: string | null;
  wrapped_key: Uint8Array | null;
}

/**
 * One channel per account and normalised value (the unique index on the pseudonym). Before it, two spellings of one
 * number could both be on file: the earliest verified keeps the pseudonym (sign-in finds it), the other is sealed
 * with a pseudonym of its own that no lookup produces, so nothing is lost and nothing collides.
 */
async function sealChannelPage(tx: SqlExecutor, accounts: AccountData, only: readonly string[] | null) {
  const rows = await tx.query<PlainChannel>(
    `SELECT c.id, c.account_id, c.kind, c.value, a.subject_id, k.master_key_id, k.wrapped_key
       FROM channels c JOIN accounts a ON a.id = c.account_id ${accountSubjectJoinSql('a', 'k')}
      WHERE c.value IS NOT NULL${only ? ' AND c.account_id = ANY($2::text[])' : ''}
      ORDER BY c.account_id, c.verified_at NULLS LAST, c.created_at, c.id LIMIT $1 FOR UPDATE OF c`,
    only ? [pageSize, only] : [pageSize],
  );
  if (rows.length === 0) return 0;
  const taken = new Set(
    (
      await tx.query<{ account_id: string; kind: string; value_pseudonym: string }>(
        `SELECT account_id, kind, value_pseudonym FROM channels
          WHERE account_id = ANY($1::text[]) AND value_pseudonym IS NOT NULL AND value IS NULL`,
        [[...new Set(rows.map((row) => row.account_id))]],
      )
    ).map((row) => `${row.account_id}\u0000${row.kind}\u0000${row.value_pseudonym}`),
  );
  const subjects = new Map<string, OpenSubject | null>();
  for (const row of rows) {
    let subject = subjects.get(row.account_id);
    if (subject === undefined) {
      subject = await subjectOfChannelAccount(tx, accounts, row);
      subjects.set(row.account_id, subject);
    }
    const sealed = subject ? accounts.sealChannel(subject, row.kind, row.value) : null;
    let pseudonym = sealed?.value_pseudonym ?? `erased~${row.id}`;
    const slot = `${row.account_id}\u0000${row.kind}\u0000${pseudonym}`;
    if (taken.has(slot)) pseudonym = `${pseudonym}~${row.id}`;
    taken.add(`${row.account_id}\u0000${row.kind}\u0000${pseudonym}`);
    await tx.query('UPDATE channels SET sealed_value = $2, value_pseudonym = $3, value = NULL WHERE id = $1', [
      row.id,
      sealed?.sealed_value ?? null,
      pseudonym,
    ]);
  }
  return rows.length;
}

/** The account's live subject; an account without one (it held no person, only channels) is given one. */
async function subjectOfChannelAccount(
  tx: SqlExecutor,
  accounts: AccountData,
  row: PlainChannel,
): Promise<OpenSubject | null> {
  if (row.subject_id !== null && row.wrapped_key === null) return null;
  if (row.subject_id !== null) return accounts.subjectForAccount(tx, row, null);
  const subject = await accounts.subjectForAccount(tx, null, row.kind === 'email' ? row.value : null);
  await tx.query('UPDATE accounts SET subject_id = $2 WHERE id = $1 AND subject_id IS NULL', [
    row.account_id,
    subject.id,
  ]);
  return subject;
}
