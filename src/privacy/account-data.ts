// Accounts and channels without personal data in plain: their values sealed under the subject's key, found by pseudonym.
import type { Address } from '../checkout/session.schema.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import { erased, type Erased, type OpenSubject, type SubjectKeyColumns, type SubjectStore } from './subject-store.ts';

/** The person an account is about: one sealed value per account (accounts.sealed_personal). */
export interface AccountPersonal {
  readonly name: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly date_of_birth: string | null;
  readonly address: Address | null;
}

/** What a reader selects to open an account: the sealed value, its subject's key, and a not yet sealed row's plain columns. */
export interface AccountSealedColumns extends SubjectKeyColumns, AccountPersonal {
  readonly sealed_personal: Uint8Array | null;
}

/** What a reader selects to open a channel: the sealed value, its account's subject key, a not yet sealed value. */
export interface ChannelSealedColumns extends SubjectKeyColumns {
  readonly sealed_value: Uint8Array | null;
  readonly value: string | null;
}

/** The select list of AccountSealedColumns for an account aliased `account` joined to its subject as `key`. */
export const accountSealedSql = (account: string, key: string) =>
  `${account}.sealed_personal, ${account}.subject_id, ${key}.master_key_id, ${key}.wrapped_key, ${account}.name, ` +
  `${account}.email, ${account}.phone, ${account}.date_of_birth::text AS date_of_birth, ${account}.address`;

export const accountSubjectJoinSql = (account: string, key: string) =>
  `LEFT JOIN subjects ${key} ON ${key}.id = ${account}.subject_id`;

/** The select list of ChannelSealedColumns for a channel aliased `channel`, joined as channelSubjectJoinSql does. */
export const channelSealedSql = (channel: string) =>
  `${channel}.sealed_value, ${channel}.value, ${channel}_account.subject_id, ${channel}_key.master_key_id, ` +
  `${channel}_key.wrapped_key`;

/** A channel's subject is its account's: joined through the account, aliased after the channel. */
export const channelSubjectJoinSql = (channel: string) =>
  `JOIN accounts ${channel}_account ON ${channel}_account.id = ${channel}.account_id ` +
  `LEFT JOIN subjects ${channel}_key ON ${channel}_key.id = ${channel}_account.subject_id`;

export interface AccountDataDependencies {
  readonly subjects: SubjectStore;
  readonly pseudonyms: Pseudonyms;
  /** The pseudonyms sessions and decisions keep, so an account's and a session's of one mailbox are equal. */
  readonly emailPseudonym: (email: string) => string;
  readonly phonePseudonym: (phone: string) => string;
}

export function makeAccountData(dependencies: AccountDataDependencies) {
  const { subjects } = dependencies;

  /** The lookup key of a channel: keyed HMAC of the normalised value, so spelling variants share it. */
  const channelPseudonym = (kind: 'email' | 'phone', value: string): string =>
    kind === 'email' ? dependencies.emailPseudonym(value) : dependencies.phonePseudonym(value);

  /** Dates of birth as ISO dates (a DATE column gave them as YYYY-MM-DD text before sealing). */
  const birthPseudonym = (dateOfBirth: string): string =>
    dependencies.pseudonyms.of('date_of_birth', dateOfBirth.trim().slice(0, 10));

  /** The columns an account row is written with: no personal value outside the sealed one. */
  function sealAccount(subject: OpenSubject, personal: AccountPersonal) {
    return {
      subject_id: subject.id,
      sealed_personal: subjects.seal(subject, personal),
      email_pseudonym: personal.email ? channelPseudonym('email', personal.email) : null,
      phone_pseudonym: personal.phone ? channelPseudonym('phone', personal.phone) : null,
      birth_pseudonym: personal.date_of_birth ? birthPseudonym(personal.date_of_birth) : null,
    };
  }

  function sealChannel(subject: OpenSubject, kind: 'email' | 'phone', value: string) {
    return { sealed_value: subjects.seal(subject, value), value_pseudonym: channelPseudonym(kind, value) };
  }

  /** The account's person, or `erased` once its subject's key was shredded; a row not yet sealed is read as it is. */
  function openAccount(row: AccountSealedColumns): AccountPersonal | Erased {
    if (row.sealed_personal === null) {
      const { name, email, phone, date_of_birth, address } = row;
      return { name, email, phone, date_of_birth, address };
    }
    return subjects.open<AccountPersonal>(row, row.sealed_personal);
  }

  /** The channel's e-mail address or number, or `erased`. */
  function openChannel(row: ChannelSealedColumns): string | Erased {
    if (row.sealed_value === null) return row.value ?? erased;
    return subjects.open<string>(row, row.sealed_value);
  }

  /** For readers that list channels: the value, or null when it can no longer be read (erased). */
  const channelValue = (row: ChannelSealedColumns): string | null => {
    const value = openChannel(row);
    return value === erased ? null : value;
  };

  /** For readers that show an account: its person, or every field null when erased. */
  const accountPerson = (row: AccountSealedColumns): AccountPersonal => {
    const person = openAccount(row);
    return person === erased ? { name: null, email: null, phone: null, date_of_birth: null, address: null } : person;
  };

  /**
   * The subject an account's data is sealed under: the one its key columns name when still live (the first session's,
   * the same person), else the live subject of its e-mail address (sessions of that mailbox share it), else a new one.
   */
  async function subjectForAccount(
    db: SqlExecutor,
    key: SubjectKeyColumns | null,
    email: string | null,
  ): Promise<OpenSubject> {
    const known = key ? subjects.openSubject(key) : erased;
    if (known !== erased) return known;
    return email ? subjects.subjectFor(db, dependencies.emailPseudonym(email)) : subjects.newSubject(db);
  }

  /** Fresh subjects, one statement for all (rows sealed on start that had none). */
  const newSubjects = (db: SqlExecutor, count: number) => subjects.newSubjects(db, count);

  return {
    newSubjects,
    channelPseudonym,
    birthPseudonym,
    sealAccount,
    sealChannel,
    openAccount,
    openChannel,
    channelValue,
    accountPerson,
    subjectForAccount,
  };
}

export type AccountData = ReturnType<typeof makeAccountData>;
