// Opens the sealed orders a start reads: each subject's key unwrapped once, a repeated order not fetched nor decrypted.
import type { SessionInput } from '../checkout/session.schema.ts';
import { erased, erasedInput, type Erased, type KeptInput, type SealedInputColumns } from '../privacy/personal-data.ts';
import { makeSubjectKeyCache, type SubjectKeyCache } from '../privacy/subject-store.ts';
import type { OrderKeys } from '../risk/normalise/session.normaliser.ts';

/** How a reader opens a sealed input (personalData.open): with the read's key cache. */
export type InputOpener = (row: SealedInputColumns, cache?: SubjectKeyCache) => SessionInput | Erased;

/**
 * A kept order as a start's page reads it: what decides whether it must be opened, and nothing that opens it (its
 * sealed input, subject key and kept copy are fetched afterwards, for the orders that must be opened only).
 */
export interface KeptOrderPageRow {
  readonly id: string;
  readonly account_id: string;
  readonly amount: string | number;
  /** The subject of the order's session. */
  readonly subject_id: string | null;
  /**
   * A digest of the kept pseudonyms (equal digests: equal pseudonyms). Null when they hold no surname pseudonym: the
   * name's pseudonym does not fix the surname (word order), so such an order is never taken as a repeat.
   */
  readonly person: string | null;
  /** Its session holds a sealed input and its subject a wrapped key (not shredded). */
  readonly openable: boolean;
}

/** What is fetched for an order that is opened or stood in for: its kept copy and its sealed input's columns. */
export interface KeptOrderFetched extends SealedInputColumns {
  readonly input: KeptInput | null;
}

/**
 * Fetches those columns for orders by id (an order deleted meanwhile is missing from the answer); the kept copy only
 * for the orders stood in for (`standInIds`) and those that cannot be opened (no sealed input or no live key).
 */
export type KeptOrderFetch = (
  orderIds: string[],
  standInIds: string[],
) => Promise<ReadonlyMap<string, KeptOrderFetched>>;

/** Accounts remembered at most (a full map starts over): their previous opened order's person and keys. */
const accountLimit = 800_000;

/** An account's previous opened order: its subject and person, and its keys once that order has been keyed. */
interface Remembered {
  readonly subjectId: string;
  readonly person: string | null;
  keys: OrderKeys | undefined;
}

/**
 * A repeat of a remembered order, or an order to open (`opens`) or stand in for (`opens` null), with its columns, and
 * what opening it on the background thread gave (null: erased; undefined: not opened there).
 */
type Decision<Opened> =
  | { readonly repeats: Remembered }
  | { readonly opens: Remembered | null; fetched: KeptOrderFetched | undefined; opened?: Opened | null };

/** Opening on a thread of its own (a start's rebuild): a page's orders at once, then keyed from what that gave. */
export interface BackgroundOrderOpening<Row, Opened> {
  open(rows: readonly KeptOrderFetched[]): Promise<readonly (Opened | null)[]>;
  keysOf(row: Row & KeptOrderFetched, opened: Opened): OrderKeys;
}

const nothingFetched: KeptOrderFetched = {
  input: null,
  sealed_input: null,
  subject_id: null,
  master_key_id: null,
  wrapped_key: null,
};

/**
 * The keys of kept orders over one read. A customer's orders mostly repeat the previous one's person: when an
 * order's kept pseudonyms equal its account's previous order's (same live subject, that order opened), its keys are
 * the previous ones with its own amount. Each pseudonym is a keyed hash of the very normalised value the state keys
 * on (e-mail key, phone key, sorted name words, surname, address key, trimmed device id, lowered IP, IBAN), so equal
 * pseudonyms mean equal keys.
 *
 * `prepare` decides that for a page, in page order, before it is keyed, and fetches in one statement what only the
 * orders to open (or to stand in for, once erased) need: sending every order's sealed input, subject key and kept
 * copy with the page (about 1.6 KB of text to parse per order) cost a start more than decrypting the few that differ.
 * `keys` then keys the page's rows in the same order; each subject's key is unwrapped once per read.
 */
export function makeKeptOrderKeys<Row extends KeptOrderPageRow, Opened = never>(
  openInput: InputOpener | undefined,
  fetch: KeptOrderFetch,
  keysOf: (row: Row & KeptOrderFetched, input: SessionInput) => OrderKeys,
  background?: BackgroundOrderOpening<Row, Opened>,
) {
  const cache = makeSubjectKeyCache();
  let previous = new Map<string, Remembered>();
  const decisions = new Map<Row, Decision<Opened>>();

  function decide(row: Row): Decision<Opened> {
    // A shredded key or no sealed input: the erased stand-in, and the account's next order is opened again.
    if (openInput === undefined || !row.openable || row.subject_id === null) {
      previous.delete(row.account_id);
      return { opens: null, fetched: undefined };
    }
    const last = previous.get(row.account_id);
    if (last !== undefined && last.subjectId === row.subject_id && last.person !== null && last.person === row.person)
      return { repeats: last };
    if (previous.size >= accountLimit) previous = new Map();
    const remembered: Remembered = { subjectId: row.subject_id, person: row.person, keys: undefined };
    previous.set(row.account_id, remembered);
    return { opens: remembered, fetched: undefined };
  }

  async function prepare(rows: readonly Row[]): Promise<void> {
    const fetching: { row: Row; decision: Extract<Decision<Opened>, { opens: unknown }> }[] = [];
    for (const row of rows) {
      const decision = decide(row);
      decisions.set(row, decision);
      if ('opens' in decision) fetching.push({ row, decision });
    }
    if (fetching.length === 0) return;
    const standIns = fetching.flatMap(({ row, decision }) => (decision.opens === null ? [row.id] : []));
    const fetched = await fetch(
      fetching.map(({ row }) => row.id),
      standIns,
    );
    for (const { row, decision } of fetching) decision.fetched = fetched.get(row.id);
    if (background === undefined) return;
    // With no sealed value (gone since the page was read) an order is left to `keys`, which tells a kept copy (its
    // stand-in) from a plain input as it always did.
    const opening = fetching.filter(
      ({ decision }) =>
        decision.opens !== null && decision.fetched !== undefined && decision.fetched.sealed_input !== null,
    );
    const opened = await background.open(opening.map(({ decision }) => decision.fetched!));
    opening.forEach(({ decision }, index) => (decision.opened = opened[index] ?? null));
  }

  function keys(row: Row): OrderKeys {
    const decision = decisions.get(row);
    if (decision === undefined) throw new Error(`kept order ${row.id} keyed before its page was prepared`);
    decisions.delete(row);
    if ('repeats' in decision) {
      const remembered = decision.repeats.keys;
      if (remembered === undefined) throw new Error(`kept order ${row.id} keyed before the order it repeats`);
      return { ...remembered, amount: Number(row.amount) };
    }
    const full = { ...row, ...(decision.fetched ?? nothingFetched) };
    if (decision.opened !== undefined && background !== undefined) {
      // Opened on the background thread while earlier pages were applied; null: its key shredded meanwhile.
      const orderKeys =
        decision.opened === null ? keysOf(full, erasedInput(full.input)) : background.keysOf(full, decision.opened);
      if (decision.opens !== null) decision.opens.keys = orderKeys;
      return orderKeys;
    }
    // Not found by the fetch (deleted by an erasure since the page was read): a stand-in with no pseudonyms, which the
    // rebuild every erasure ends with drops.
    const opened = decision.opens !== null && decision.fetched !== undefined ? openInput!(full, cache) : erased;
    const orderKeys = keysOf(full, opened === erased ? erasedInput(full.input) : opened);
    // Its key shredded since the page was read, the order is its stand-in; repeats of it (equal pseudonyms, so the
    // same e-mail pseudonym the stand-in keys on) then take the stand-in's keys, as opening them would give.
    if (decision.opens !== null) decision.opens.keys = orderKeys;
    return orderKeys;
  }

  return { prepare, keys };
}

/** Opens kept inputs over one read (training, the history tail) with one key cache: one unwrap per subject. */
export function makeCachedOpener(openInput: InputOpener): (row: SealedInputColumns) => SessionInput | Erased {
  const cache = makeSubjectKeyCache();
  return (row) => openInput(row, cache);
}
