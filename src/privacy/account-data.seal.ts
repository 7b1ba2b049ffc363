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
  if (rows.length === 0) return 0;
  // An account without a subject gets its own; all of a page's in one statement.
  const lacking = rows.filter((row) => row.subject_id === null);
  const made = await accounts.newSubjects(tx, lacking.length);
  const madeFor = new Map(lacking.map((row, index) => [row.id, made[index]!]));
  const updates: Array<{ id: string; subject_id: string | null } & Partial<ReturnType<AccountData['sealAccount']>>> =
    [];
  for (const row of rows) {
    // A shredded subject's account keeps nothing: its person was erased, the plain copy goes too.
    if (row.subject_id !== null && row.wrapped_key === null) {
      updates.push({ id: row.id, subject_id: row.subject_id });
      continue;
    }
    const subject = madeFor.get(row.id) ?? (await accounts.subjectForAccount(tx, row, null));
    const personal = {
      name: row.name,
      email: row.email,
      phone: row.phone,
      date_of_birth: row.date_of_birth,
      address: row.address as Address | null,
    };
    updates.push({ id: row.id, ...accounts.sealAccount(subject, personal) });
  }
  await tx.query(
    `UPDATE accounts a SET subject_id = u.subject_id, sealed_personal = decode(u.sealed, 'hex'),
       email_pseudonym = u.email_pseudonym, phone_pseudonym = u.phone_pseudonym, birth_pseudonym = u.birth_pseudonym,
       name = NULL, email = NULL, phone = NULL, date_of_birth = NULL, address = NULL
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS u(id, subject_id, sealed, email_pseudonym, phone_pseudonym, birth_pseudonym)
     WHERE a.id = u.id`,
    [
      updates.map((update) => update.id),
      updates.map((update) => update.subject_id),
      updates.map((update) => update.sealed_personal?.toString('hex') ?? null),
      updates.map((update) => update.email_pseudonym ?? null),
      updates.map((update) => update.phone_pseudonym ?? null),
      updates.map((update) => update.birth_pseudonym ?? null),
    ],
  );
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
  const accountIds = [...new Set(rows.map((row) => row.account_id))];
  const taken = new Set(
    (
      await tx.query<{ account_id: string; kind: string; value_pseudonym: string }>(
        `SELECT account_id, kind, value_pseudonym FROM channels
          WHERE account_id = ANY($1::text[]) AND value_pseudonym IS NOT NULL AND value IS NULL`,
        [accountIds],
      )
    ).map((row) => `${row.account_id}\u0000${row.kind}\u0000${row.value_pseudonym}`),
  );
  const subjects = await subjectsOfAccounts(tx, accounts, rows);
  const updates: Array<{ id: string; sealed: string | null; pseudonym: string }> = [];
  for (const row of rows) {
    const subject = subjects.get(row.account_id) ?? null;
    const sealed = subject ? accounts.sealChannel(subject, row.kind, row.value) : null;
    let pseudonym = sealed?.value_pseudonym ?? `erased~${row.id}`;
    if (taken.has(`${row.account_id}\u0000${row.kind}\u0000${pseudonym}`)) pseudonym = `${pseudonym}~${row.id}`;
    taken.add(`${row.account_id}\u0000${row.kind}\u0000${pseudonym}`);
    updates.push({ id: row.id, sealed: sealed?.sealed_value.toString('hex') ?? null, pseudonym });
  }
  await tx.query(
    `UPDATE channels c SET sealed_value = decode(u.sealed, 'hex'), value_pseudonym = u.pseudonym, value = NULL
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, sealed, pseudonym) WHERE c.id = u.id`,
    [
      updates.map((update) => update.id),
      updates.map((update) => update.sealed),
      updates.map((update) => update.pseudonym),
    ],
  );
  return rows.length;
}

/**
 * The live subject of each channel's account (null: shredded, the value is erased); an account without one (it held
 * no person, only channels) is given one, all in one statement.
 */
async function subjectsOfAccounts(
  tx: SqlExecutor,
  accounts: AccountData,
  rows: readonly PlainChannel[],
): Promise<Map<string, OpenSubject | null>> {
  const subjects = new Map<string, OpenSubject | null>();
  const lacking: string[] = [];
  for (const row of rows) {
    if (subjects.has(row.account_id) || lacking.includes(row.account_id)) continue;
    if (row.subject_id === null) lacking.push(row.account_id);
    else if (row.wrapped_key === null) subjects.set(row.account_id, null);
    else subjects.set(row.account_id, await accounts.subjectForAccount(tx, row, null));
  }
  const made = await accounts.newSubjects(tx, lacking.length);
  if (made.length > 0)
    await tx.query(
      `UPDATE accounts a SET subject_id = u.subject_id FROM unnest($1::text[], $2::text[]) AS u(id, subject_id)
        WHERE a.id = u.id`,
      [lacking, made.map((subject) => subject.id)],
    );
  lacking.forEach((accountId, index) => subjects.set(accountId, made[index]!));
  return subjects;
}
