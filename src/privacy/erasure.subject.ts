// Who an erasure is about: the accounts, sessions, orders and the personal values to find in today's tables.
import type { Address } from '../checkout/session.schema.ts';
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { erased, type Erased, type SubjectKeyColumns } from './subject-store.ts';
import type { SealedInputColumns } from './personal-data.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountSealedColumns,
  type ChannelSealedColumns,
} from './account-data.ts';

/** What a request names: the signed-in account (portal), or what a letter or e-mail to us gave (admin). */
export interface ErasureIdentifiers {
  readonly accountId?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

export interface ErasureSubject {
  readonly accountIds: readonly string[];
  readonly sessionIds: readonly string[];
  readonly decisionIds: readonly string[];
  readonly orderIds: readonly string[];
  readonly invoiceIds: readonly string[];
  readonly challengeIds: readonly string[];
  readonly claimIds: readonly string[];
  readonly caseIds: readonly string[];
  readonly channelIds: readonly string[];
  /** Every personal value seen for the subject, as typed and normalised: what the sweep and the lists look for. */
  readonly values: PersonalValues;
  /** The encrypted store's subjects of these accounts and sessions: their keys are shredded. */
  readonly subjectIds: readonly string[];
  /** Each order's buyer as sealed in its session (orders keep only a person-free copy): what restricted storage keeps. */
  readonly buyers: Readonly<Record<string, PersonInput>>;
}

/** How the erasure reads what the encrypted store holds: pseudonyms to find sessions, and the opener of sealed inputs. */
export interface SealedReader {
  readonly pseudonyms: Pseudonyms;
  readonly openInput: (columns: SealedInputColumns) => unknown;
}

export interface PersonalValues {
  readonly names: readonly string[];
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly ibans: readonly string[];
  readonly datesOfBirth: readonly string[];
  readonly devices: readonly string[];
  readonly addresses: readonly Address[];
}

export interface PersonInput {
  customer?: { name?: string; email?: string; phone?: string; date_of_birth?: string; iban?: string };
  billing_address?: Address;
  shipping_address?: Address;
  device?: { id?: string };
}

const digitsOf = (phone: string) => phone.replace(/[^0-9]/g, '');

interface PersonalFields {
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly date_of_birth: string | null;
  readonly address: Address | null;
}

/** A sealed account or channel value opened with the erasure's opener; null when not sealed or unreadable. */
function openWith<T>(sealed: SealedReader | undefined, key: SubjectKeyColumns, value: Uint8Array | null): T | null {
  if (!sealed || value === null) return null;
  const opened = sealed.openInput({ ...key, input: null, sealed_input: value });
  return opened === erased ? null : (opened as T);
}

/** Finds everything the identifiers lead to. Runs inside the erasure's transaction, so what it finds is what it erases. */
export async function resolveSubject(
  tx: SqlExecutor,
  identifiers: ErasureIdentifiers,
  sealed?: SealedReader,
): Promise<ErasureSubject> {
  const email = identifiers.email === undefined ? null : (normaliseEmail(identifiers.email)?.key ?? null);
  const rawEmail = identifiers.email?.trim().toLowerCase() ?? null;
  const phone = identifiers.phone === undefined ? null : phoneKey(identifiers.phone);
  const phoneDigits = phone === null ? null : digitsOf(phone);
  // Accounts and channels keep only pseudonyms of their e-mail and phone (migration 190), as sealed sessions do.
  const emailPseudonym = email === null || !sealed ? null : sealed.pseudonyms.of('email', email);
  const phonePseudonym = phone === null || !sealed ? null : sealed.pseudonyms.of('phone', phone);
  const accountRows = await tx.query<{ id: string }>(
    `SELECT id FROM accounts WHERE id = $1
       OR ($2::text IS NOT NULL AND email_pseudonym = $2)
       OR ($3::text IS NOT NULL AND phone_pseudonym = $3)
     UNION SELECT account_id FROM channels
     WHERE ($2::text IS NOT NULL AND kind = 'email' AND value_pseudonym = $2)
        OR ($3::text IS NOT NULL AND kind = 'phone' AND value_pseudonym = $3)`,
    [identifiers.accountId ?? null, emailPseudonym, phonePseudonym],
  );
  const accountIds = accountRows.map((row) => row.id);
  // Sessions carry the typed identity even when no account was found for it (a declined or abandoned checkout):
  // in plain (before sealing) or as the pseudonyms of the sealed input.
  const sessionRows = await tx.query<{ id: string }>(
    `SELECT id FROM sessions
     WHERE ($1::text IS NOT NULL AND lower(input->'customer'->>'email') IN ($1, $2))
        OR ($3::text IS NOT NULL AND regexp_replace(input->'customer'->>'phone', '[^0-9]', '', 'g') = $3)
        OR ($5::text IS NOT NULL AND input->'pseudonyms'->>'email' = $5)
        OR ($6::text IS NOT NULL AND input->'pseudonyms'->>'phone' = $6)
     UNION SELECT session_id FROM orders WHERE account_id = ANY($4) AND session_id IS NOT NULL
     UNION SELECT session_id FROM decisions WHERE account_id = ANY($4)`,
    [email, rawEmail ?? email, phoneDigits, accountIds, emailPseudonym, phonePseudonym],
  );
  const sessionIds = sessionRows.map((row) => row.id);
  const ids = async (sql: string, params: unknown[]) =>
    (await tx.query<{ id: string }>(sql, params as never[])).map((row) => row.id);
  const decisionIds = await ids('SELECT id FROM decisions WHERE session_id = ANY($1) OR account_id = ANY($2)', [
    sessionIds,
    accountIds,
  ]);
  const orderIds = await ids('SELECT id FROM orders WHERE account_id = ANY($1) OR session_id = ANY($2)', [
    accountIds,
    sessionIds,
  ]);
  const invoiceIds = await ids('SELECT id FROM invoices WHERE order_id = ANY($1) OR account_id = ANY($2)', [
    orderIds,
    accountIds,
  ]);
  const challengeIds = await ids('SELECT id FROM challenges WHERE session_id = ANY($1) OR account_id = ANY($2)', [
    sessionIds,
    accountIds,
  ]);
  const claimIds = await ids('SELECT id FROM claims WHERE account_id = ANY($1) OR order_id = ANY($2)', [
    accountIds,
    orderIds,
  ]);
  const caseIds = await ids(
    'SELECT id FROM cases WHERE account_id = ANY($1) OR order_id = ANY($2) OR claim_id = ANY($3) OR decision_id = ANY($4)',
    [accountIds, orderIds, claimIds, decisionIds],
  );
  const channelIds = await ids('SELECT id FROM channels WHERE account_id = ANY($1)', [accountIds]);
  const opened = await openSealedInputs(tx, sessionIds, sealed);
  const values = await personalValues(
    tx,
    { accountIds, sessionIds, orderIds },
    identifiers,
    [...opened.inputs.values()],
    sealed,
  );
  const subjectIds = await ids(
    `SELECT subject_id AS id FROM accounts WHERE id = ANY($1) AND subject_id IS NOT NULL
     UNION SELECT subject_id FROM sessions WHERE id = ANY($2) AND subject_id IS NOT NULL`,
    [accountIds, sessionIds],
  );
  const buyers: Record<string, PersonInput> = {};
  for (const row of await tx.query<{ id: string; session_id: string }>(
    'SELECT id, session_id FROM orders WHERE id = ANY($1) AND session_id IS NOT NULL',
    [orderIds],
  )) {
    const input = opened.inputs.get(row.session_id);
    if (input) buyers[row.id] = input;
  }
  return {
    subjectIds,
    buyers,
    accountIds,
    sessionIds,
    decisionIds,
    orderIds,
    invoiceIds,
    challengeIds,
    claimIds,
    caseIds,
    channelIds,
    values,
  };
}

/** The sessions' sealed inputs opened (before their keys are shredded), so their values are swept everywhere else. */
async function openSealedInputs(
  tx: SqlExecutor,
  sessionIds: readonly string[],
  sealed: SealedReader | undefined,
): Promise<{ inputs: Map<string, PersonInput> }> {
  const inputs = new Map<string, PersonInput>();
  if (!sealed || sessionIds.length === 0) return { inputs };
  const rows = await tx.query<SealedInputColumns & { id: string }>(
    `SELECT s.id, s.input, s.sealed_input, s.subject_id, sub.master_key_id, sub.wrapped_key
       FROM sessions s LEFT JOIN subjects sub ON sub.id = s.subject_id
      WHERE s.id = ANY($1) AND s.sealed_input IS NOT NULL`,
    [sessionIds],
  );
  for (const row of rows) {
    const input = sealed.openInput(row) as PersonInput | Erased;
    if (typeof input === 'object' && input !== null && 'customer' in input) inputs.set(row.id, input);
  }
  return { inputs };
}

async function personalValues(
  tx: SqlExecutor,
  found: { accountIds: readonly string[]; sessionIds: readonly string[]; orderIds: readonly string[] },
  identifiers: ErasureIdentifiers,
  openedInputs: readonly PersonInput[],
  sealed: SealedReader | undefined,
): Promise<PersonalValues> {
  const names = new Set<string>();
  const emails = new Set<string>();
  const phones = new Set<string>();
  const ibans = new Set<string>();
  const datesOfBirth = new Set<string>();
  const devices = new Set<string>();
  const addresses = new Map<string, Address>();
  const addEmail = (value: string | null | undefined) => {
    if (!value) return;
    emails.add(value);
    const key = normaliseEmail(value)?.key;
    if (key) emails.add(key);
  };
  const addPhone = (value: string | null | undefined) => {
    if (!value) return;
    phones.add(value);
    const key = phoneKey(value);
    if (key) phones.add(key);
  };
  const addAddress = (address: Address | null | undefined) => {
    if (address?.street) addresses.set(`${address.street}\u0000${address.house_number}`, address);
  };
  addEmail(identifiers.email);
  addPhone(identifiers.phone);
  // Accounts and channels are sealed under the subject's key: opened here, before the key is shredded, so the
  // sweep can look for their values everywhere else.
  const accountRows = await tx.query<AccountSealedColumns>(
    `SELECT ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')} WHERE a.id = ANY($1)`,
    [found.accountIds],
  );
  const accounts = accountRows.map((row) => openWith<PersonalFields>(sealed, row, row.sealed_personal) ?? row);
  for (const account of accounts) {
    if (account.name) names.add(account.name);
    addEmail(account.email);
    addPhone(account.phone);
    if (account.date_of_birth) datesOfBirth.add(account.date_of_birth);
    addAddress(account.address);
  }
  const channels = await tx.query<{ kind: string } & ChannelSealedColumns>(
    `SELECT c.kind, ${channelSealedSql('c')} FROM channels c ${channelSubjectJoinSql('c')} WHERE c.account_id = ANY($1)`,
    [found.accountIds],
  );
  for (const channel of channels) {
    const value = openWith<string>(sealed, channel, channel.sealed_value) ?? channel.value;
    (channel.kind === 'email' ? addEmail : addPhone)(value);
  }
  const inputs = await tx.query<{ input: PersonInput }>(
    'SELECT input FROM sessions WHERE id = ANY($1) UNION ALL SELECT input FROM orders WHERE id = ANY($2)',
    [found.sessionIds, found.orderIds],
  );
  for (const input of [...inputs.map((row) => row.input), ...openedInputs]) {
    const customer = input.customer ?? {};
    if (customer.name) names.add(customer.name);
    addEmail(customer.email);
    addPhone(customer.phone);
    if (customer.date_of_birth) datesOfBirth.add(customer.date_of_birth);
    if (customer.iban) {
      ibans.add(customer.iban);
      const key = normaliseIban(customer.iban);
      if (key) ibans.add(key);
    }
    if (input.device?.id) devices.add(input.device.id);
    addAddress(input.billing_address);
    addAddress(input.shipping_address);
  }
  return {
    names: [...names],
    emails: [...emails],
    phones: [...phones],
    ibans: [...ibans],
    datesOfBirth: [...datesOfBirth],
    devices: [...devices],
    addresses: [...addresses.values()],
  };
}
