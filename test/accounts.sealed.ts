// Test reads of accounts, whose person is sealed (migration 190): opened through the application's own opener.
import type { Application } from '../src/app.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  type AccountPersonal,
  type AccountSealedColumns,
} from '../src/privacy/account-data.ts';
import { sealPlainAccounts } from '../src/privacy/account-data.seal.ts';

type WithPersonalData = Pick<Application, 'database' | 'personalData'>;

/** Accounts matching `where` (over alias `a`), each with its opened person. */
export async function openedAccounts(
  app: WithPersonalData,
  where: string,
  params: unknown[] = [],
): Promise<Array<{ id: string; external_id: string | null } & AccountPersonal>> {
  const rows = await app.database.query<{ id: string; external_id: string | null } & AccountSealedColumns>(
    `SELECT a.id, a.external_id, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
      WHERE ${where} ORDER BY a.created_at, a.id`,
    params as never[],
  );
  return rows.map((row) => ({
    id: row.id,
    external_id: row.external_id,
    ...app.personalData.accounts.accountPerson(row),
  }));
}

/** Rows a test wrote in plain SQL, sealed as the start-up step seals rows from before migration 190. */
export const sealWrittenRows = (app: WithPersonalData) => sealPlainAccounts(app.database, app.personalData.accounts);

/** The pseudonym accounts.email_pseudonym and channels.value_pseudonym hold for an e-mail address. */
export const emailPseudonymOf = (app: WithPersonalData, email: string) =>
  app.personalData.accounts.channelPseudonym('email', email);
