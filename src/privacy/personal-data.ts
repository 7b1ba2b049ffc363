// A session's personal data kept once: sealed under its subject's key, with a person-free copy for everyone else.
import type { SessionInput } from '../checkout/session.schema.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { normaliseName } from '../risk/normalise/name.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { ApiError } from '../shared/errors.ts';
import { makePseudonyms, type Pseudonyms } from './pseudonyms.ts';
import { makeAccountData } from './account-data.ts';
import type { MasterKey } from './envelope.ts';
import { makeSubjectCache } from './subject.cache.ts';
import {
  erased,
  makeSubjectStore,
  type Erased,
  type SubjectKeyCache,
  type SubjectKeyColumns,
  type SubjectStore,
} from './subject-store.ts';

/** Pseudonyms of a session's signals: what search, evidence and fraud matching compare, without the values. */
export interface InputPseudonyms {
  readonly email: string;
  readonly phone: string;
  readonly name: string;
  /**
   * The surname the name's sorted words do not fix ("Jan de Vries" and "Vries Jan de" share `name`): with it a start
   * can tell from the kept copy alone that an order repeats its account's previous one. Absent in rows kept before it.
   */
  readonly surname?: string;
  readonly billing_address: string;
  readonly shipping_address: string | null;
  readonly device: string | null;
  readonly ip: string | null;
  readonly iban: string | null;
}

/**
 * What decisions, orders and the session row keep in plain: amounts, the merchant's reference, the cart, the
 * shopper's language and pseudonyms. No name, e-mail, phone, address, date of birth, IP or IBAN.
 */
export interface KeptInput {
  readonly amount: SessionInput['amount'];
  readonly merchant_reference: string;
  readonly lines: SessionInput['lines'];
  readonly device?: { readonly accept_language?: string };
  readonly subject_id: string;
  readonly pseudonyms: InputPseudonyms;
}

export const isKeptInput = (input: unknown): input is KeptInput =>
  typeof input === 'object' && input !== null && 'pseudonyms' in input && 'subject_id' in input;

/** Columns a reader selects to open a session's input: the sealed value, its subject's key, and the kept copy. */
export interface SealedInputColumns extends SubjectKeyColumns {
  readonly input: unknown;
  readonly sealed_input: Uint8Array | null;
}

export function makePersonalData(dependencies: { subjects: SubjectStore; pseudonyms: Pseudonyms }) {
  const { subjects, pseudonyms } = dependencies;
  const subjectCache = makeSubjectCache();

  const emailPseudonym = (email: string) =>
    pseudonyms.of('email', normaliseEmail(email)?.key ?? email.trim().toLowerCase());
  const phonePseudonym = (phone: string) => pseudonyms.of('phone', phoneKey(phone) ?? phone.replace(/[^0-9+]/g, ''));
  const addressPseudonym = (address: SessionInput['billing_address']) =>
    pseudonyms.of('address', normaliseAddress(address).key);

  function pseudonymsOf(input: SessionInput): InputPseudonyms {
    const deviceId = input.device?.id?.trim();
    const ip = input.device?.ip?.trim().toLowerCase();
    const iban = input.customer.iban ? normaliseIban(input.customer.iban) : null;
    const name = normaliseName(input.customer.name);
    return {
      email: emailPseudonym(input.customer.email),
      phone: phonePseudonym(input.customer.phone),
      name: pseudonyms.of('name', name.sortedKey),
      surname: pseudonyms.of('surname', name.surname),
      billing_address: addressPseudonym(input.billing_address),
      shipping_address: input.shipping_address ? addressPseudonym(input.shipping_address) : null,
      device: deviceId ? pseudonyms.of('device', deviceId) : null,
      ip: ip ? pseudonyms.of('ip', ip) : null,
      iban: iban ? pseudonyms.of('iban', iban) : null,
    };
  }

  function keep(input: SessionInput, subjectId: string): KeptInput {
    const language = input.device?.accept_language;
    return {
      amount: input.amount,
      merchant_reference: input.merchant_reference,
      lines: input.lines,
      ...(language ? { device: { accept_language: language } } : {}),
      subject_id: subjectId,
      pseudonyms: pseudonymsOf(input),
    };
  }

  /**
   * Seals a new session's input under the subject of its claimed e-mail: a cached subject costs no statement (`cached`:
   * the insert must check it is still live, and call `forget` and seal again if not); else found or made in one.
   */
  async function sealSession(db: SqlExecutor, input: SessionInput) {
    const claim = emailPseudonym(input.customer.email);
    const cached = subjectCache.get(claim);
    const subject = cached ?? (await subjects.subjectFor(db, claim));
    if (!cached) subjectCache.set(claim, subject);
    return {
      subjectId: subject.id,
      /** The subject opened: what the session's person gets sealed under later (its account) needs no read. */
      subject,
      sealed: subjects.seal(subject, input),
      kept: keep(input, subject.id),
      cached: cached !== undefined,
      forget: () => subjectCache.forget(claim),
    };
  }

  /**
   * The full input, or `erased`; a row from before sealing holds its input in plain. A reader opening many rows
   * passes one `cache` so each subject's key is unwrapped once.
   */
  function open(columns: SealedInputColumns, cache?: SubjectKeyCache): SessionInput | Erased {
    if (columns.sealed_input === null) return isKeptInput(columns.input) ? erased : (columns.input as SessionInput);
    return subjects.open<SessionInput>(columns, columns.sealed_input, cache);
  }

  /** For a path that cannot go on without the person (authorize, a challenge): erased is a clear 409. */
  function openOrRefuse(columns: SealedInputColumns): SessionInput {
    const input = open(columns);
    if (input === erased)
      throw new ApiError(409, 'personal_data_erased', 'the personal data of this session was erased on request');
    return input;
  }

  /**
   * Opens the inputs of rows that refer to a session (orders, decisions): one read for all of them. A row that
   * holds a full input itself (imported orders, rows from before sealing) is answered as it is.
   */
  async function openInputs(
    db: SqlExecutor,
    rows: readonly { readonly session_id: string | null; readonly input: unknown }[],
  ): Promise<(SessionInput | Erased)[]> {
    const sessionIds = [
      ...new Set(rows.flatMap((row) => (isKeptInput(row.input) && row.session_id ? [row.session_id] : []))),
    ];
    const sealed = new Map<string, SessionInput | Erased>();
    if (sessionIds.length > 0) {
      const found = await db.query<SealedInputColumns & { id: string }>(
        `SELECT s.id, s.input, s.sealed_input, s.subject_id, k.master_key_id, k.wrapped_key
           FROM sessions s LEFT JOIN subjects k ON k.id = s.subject_id WHERE s.id = ANY($1::text[])`,
        [sessionIds],
      );
      for (const row of found) sealed.set(row.id, open(row));
    }
    return rows.map((row) => {
      if (!isKeptInput(row.input)) return row.input as SessionInput;
      return (row.session_id ? sealed.get(row.session_id) : undefined) ?? erased;
    });
  }

  /** For readers that show or match an input: an erased one becomes its person-free stand-in (erasedInput). */
  async function inputsOf(
    db: SqlExecutor,
    rows: readonly { readonly session_id: string | null; readonly input: unknown }[],
  ): Promise<SessionInput[]> {
    const opened = await openInputs(db, rows);
    return opened.map((input, index) => (input === erased ? erasedInput(rows[index]!.input) : input));
  }

  // Accounts and channels: sealed under the same subject keys, looked up by the same pseudonyms as sessions.
  const accounts = makeAccountData({ subjects, pseudonyms, emailPseudonym, phonePseudonym });

  return {
    subjects,
    pseudonyms,
    accounts,
    inputsOf,
    pseudonymsOf,
    emailPseudonym,
    phonePseudonym,
    addressPseudonym,
    keep,
    sealSession,
    /** After an erasure: no cached subject, nor any unwrapped data key, outlives it in this process. */
    forgetCachedSubjects: () => {
      subjectCache.clear();
      subjects.forgetUnwrapped();
    },
    open,
    openOrRefuse,
    openInputs,
  };
}

export type PersonalData = ReturnType<typeof makePersonalData>;

/** Only opening (commands that replay history): the subject store of the configured master keys. */
export function makeInputOpener(privacy: {
  readonly pseudonymSecret: string;
  readonly masterKeys: readonly MasterKey[];
  readonly personalDataEncryption: boolean;
}): PersonalData['open'] {
  const subjects = makeSubjectStore({
    masterKeys: privacy.masterKeys,
    encryption: privacy.personalDataEncryption,
    newId: () => {
      throw new Error('opening only');
    },
    now: () => new Date(),
  });
  return makePersonalData({ subjects, pseudonyms: makePseudonyms(Buffer.from(privacy.pseudonymSecret)) }).open;
}

/**
 * A stand-in for an erased input where a reader needs the input's shape: the kept amounts and cart, and every
 * personal field saying it was erased. Readers show it as such; nothing fails on it.
 */
export function erasedInput(kept: unknown): SessionInput {
  const source = isKeptInput(kept) ? kept : null;
  const gone = '[erased]';
  const address = { street: gone, house_number: gone, postal_code: gone, city: gone, country: 'NL' };
  return {
    amount: source?.amount ?? { value: 0, currency: 'EUR' },
    merchant_reference: source?.merchant_reference ?? gone,
    lines: source?.lines ?? [],
    // Distinct per person, so replayed history does not link every erased person through one made-up address.
    customer: { name: gone, email: source ? `${source.pseudonyms.email}@erased.invalid` : gone, phone: gone },
    billing_address: address,
  };
}

export { erased, type Erased };
