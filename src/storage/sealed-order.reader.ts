// Opens the sealed orders a start reads: each subject's key unwrapped once, a repeated order not decrypted at all.
import type { SessionInput } from '../checkout/session.schema.ts';
import {
  erased,
  erasedInput,
  type Erased,
  type InputPseudonyms,
  type KeptInput,
  type SealedInputColumns,
} from '../privacy/personal-data.ts';
import { makeSubjectKeyCache, type SubjectKeyCache } from '../privacy/subject-store.ts';
import type { OrderKeys } from '../risk/normalise/session.normaliser.ts';

/** How a reader opens a sealed input (personalData.open): with the read's key cache. */
export type InputOpener = (row: SealedInputColumns, cache?: SubjectKeyCache) => SessionInput | Erased;

/** A kept order as the start's scan reads it: its account, its amount (from the kept copy) and what opens it. */
export interface KeptOrderRow extends SealedInputColumns {
  readonly account_id: string;
  readonly amount: string | number;
  readonly input: KeptInput;
}

/** Accounts remembered at most (a full map starts over): their previous order's pseudonyms and keys. */
const accountLimit = 800_000;

/**
 * Each pseudonym is a keyed hash of the very normalised value the state keys on (e-mail key, phone key, sorted name
 * words, address key, trimmed device id, lowered IP, IBAN), so equal pseudonyms mean equal keys. The name's pseudonym
 * does not fix the surname (word order), so the surname's own pseudonym must be there and equal too.
 */
function samePerson(one: InputPseudonyms, other: InputPseudonyms): boolean {
  return (
    one.surname !== undefined &&
    one.surname === other.surname &&
    one.name === other.name &&
    one.email === other.email &&
    one.phone === other.phone &&
    one.billing_address === other.billing_address &&
    one.shipping_address === other.shipping_address &&
    one.device === other.device &&
    one.ip === other.ip &&
    one.iban === other.iban
  );
}

/**
 * The keys of kept orders over one read. A customer's orders mostly repeat the previous one's person: when an
 * order's kept pseudonyms equal its account's previous order's (same live subject, that order opened, not erased),
 * its keys are the previous ones with its own amount, and it is not decrypted (about 13 µs and a key unwrap each).
 * Otherwise it is opened, with the subject's key unwrapped once per read; `keysOf` turns the input into keys.
 */
export function makeKeptOrderKeys<Row extends KeptOrderRow>(
  openInput: InputOpener | undefined,
  keysOf: (row: Row, input: SessionInput) => OrderKeys,
): (row: Row) => OrderKeys {
  const cache = makeSubjectKeyCache();
  let previous = new Map<string, { subjectId: string; pseudonyms: InputPseudonyms; keys: OrderKeys }>();
  return (row) => {
    const pseudonyms = row.input.pseudonyms;
    // A shredded key (wrapped_key gone, perhaps since the previous page) or no sealed input: the erased stand-in.
    const openable = openInput !== undefined && row.sealed_input !== null && row.wrapped_key !== null;
    const last = previous.get(row.account_id);
    if (openable && last !== undefined && last.subjectId === row.subject_id && samePerson(last.pseudonyms, pseudonyms))
      return { ...last.keys, amount: Number(row.amount) };
    const opened = openable ? openInput(row, cache) : erased;
    const keys = keysOf(row, opened === erased ? erasedInput(row.input) : opened);
    if (opened === erased || row.subject_id === null) previous.delete(row.account_id);
    else {
      if (previous.size >= accountLimit) previous = new Map();
      // The compared pseudonyms only, not the kept copy that holds them (its cart), for each account until the end.
      const { email, phone, name, surname, billing_address, shipping_address, device, ip, iban } = pseudonyms;
      const compared = { email, phone, name, surname, billing_address, shipping_address, device, ip, iban };
      previous.set(row.account_id, { subjectId: row.subject_id, pseudonyms: compared, keys });
    }
    return keys;
  };
}

/** Opens kept inputs over one read (training, the history tail) with one key cache: one unwrap per subject. */
export function makeCachedOpener(openInput: InputOpener): (row: SealedInputColumns) => SessionInput | Erased {
  const cache = makeSubjectKeyCache();
  return (row) => openInput(row, cache);
}
