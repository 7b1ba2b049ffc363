// Reads stored history back as HistoryEvents in time order, to rebuild the online feature state on start.
import type { Database } from './database.ts';
import type { ChallengeMethod, HistoryEvent } from '../risk/engine.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { erased, erasedInput, isKeptInput, type Erased, type SealedInputColumns } from '../privacy/personal-data.ts';
import type { AccountPersonal, AccountSealedColumns } from '../privacy/account-data.ts';
import type { SubjectKeyColumns } from '../privacy/subject-store.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { normaliseName } from '../risk/normalise/name.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';
import type { OrderKeys } from '../risk/normalise/session.normaliser.ts';
import { hashText } from '../risk/normalise/text.normaliser.ts';
import {
  makeCachedOpener,
  makeKeptOrderKeys,
  type InputOpener,
  type KeptOrderFetch,
  type KeptOrderFetched,
  type KeptOrderPageRow,
} from './sealed-order.reader.ts';

/** A source hands out its events a page at a time (in time order): no promise or generator step per event. */
type Source = () => AsyncGenerator<HistoryEvent[]>;

const pageSize = 10_000;
const pageAttempts = 3;
/**
 * Pages of each source asked for ahead of the one being applied: with one, the database (PostgreSQL's server, or
 * PGlite's worker thread) sat idle whenever every source had its next page ready, and the apply then waited for it.
 */
const pagesAhead = 2;

/** Which facts to read: all of them (a cold rebuild), or only those numbered after a snapshot's mark. */
export interface HistoryRange {
  readonly afterSequence?: number;
  /**
   * Opens an order's session input, sealed under its subject's key (src/privacy/personal-data.ts); without it (or
   * once erased) an order is replayed with the person-free stand-in. A read passes it one cache of subject keys.
   */
  readonly openInput?: InputOpener;
  /**
   * Orders as the online state needs them (`normalised_order`: a few fields of the input, each distinct value
   * normalised once per read) instead of their whole input: what a start reads. Training needs the input.
   */
  readonly forState?: boolean;
  /**
   * Leaves out the facts this database handle wrote (its `writer`, migration 100): the history tail's own process
   * applied those when they committed. Facts with no writer (scripts, rows from before) are always read.
   */
  readonly excludeWriter?: string;
}

/**
 * An account's or channel's sealed value, opened with the same opener as the orders' inputs (one set of subject keys,
 * each unwrapped once per start by the subject store's cache). Null: not sealed (a row from before migration 190,
 * read from its plain columns), or unreadable (erased, or no opener given).
 */
function openSealed<T>(range: HistoryRange, key: SubjectKeyColumns, sealed: Uint8Array | null): T | null {
  if (sealed === null || !range.openInput) return null;
  const opened = range.openInput({ ...key, input: null, sealed_input: sealed }) as T | Erased;
  return opened === erased ? null : opened;
}

function orderInput(row: SealedInputColumns, open: ((row: SealedInputColumns) => SessionInput | Erased) | null) {
  if (!isKeptInput(row.input)) return row.input as SessionInput;
  const opened = row.sealed_input !== null && open ? open(row) : erased;
  return opened === erased ? erasedInput(row.input) : opened;
}

/** A row of a source: its id, its time in microseconds since 1970 (a number: no Date parsed per row), and more. */
type Row = { id: string; at_us: number };

/**
 * Keyset-paged scan of one source, mapped to events; ordered by (time, id). `inner` selects `id`, `at` and `seq` (and
 * whatever `columns` read) from one table; `join` (optional) adds columns from other tables, as `s`, `k`... beside the
 * page `t`. Each page is cut from the table alone (its (time, id) index, then LIMIT) before anything is joined, so
 * the plan cannot turn into a join over the whole table whatever the planner estimates (with the join inside, only
 * its estimates kept it on the index). Joins are written with `lookup` (one row by key per page row): a plain join
 * of a 10,000-row page was hashed over a full scan of the other table (every session, every invoice) for each page,
 * which made a cold start quadratic in the history. The first page has no keyset condition and later ones a plain row comparison
 * (an `IS NULL OR` condition would keep the planner from the index). The next pages (pagesAhead) are asked for before this
 * one is handed out, so the database reads them while the caller applies this one (on a second core).
 */
function scan<Shape extends Row>(
  database: Database,
  range: HistoryRange,
  inner: string,
  columns: string,
  map: (row: Shape) => HistoryEvent,
  join = '',
  prepare?: (rows: Shape[]) => Promise<void>,
): Source {
  const after = range.afterSequence;
  const since = after === undefined ? '' : ` AND seq > ${Math.floor(after)}`;
  const writer = range.excludeWriter;
  if (writer !== undefined && !/^\w+$/.test(writer)) throw new Error(`invalid writer name ${writer}`);
  // A literal, not a parameter: one constant per process, and the first page's statement has no parameters.
  const others = writer === undefined ? '' : ` AND history_writer IS DISTINCT FROM '${writer}'`;
  const keyset = ` AND (at, id) > (timestamptz 'epoch' + $1::float8 * interval '1 microsecond', $2::text)`;
  const select = (condition: string) =>
    `SELECT t.id, (extract(epoch FROM t.at) * 1000000)::float8 AS at_us${columns ? `, ${columns}` : ''}
     FROM (SELECT * FROM (${inner}) i WHERE true${since}${others}${condition} ORDER BY at, id LIMIT ${pageSize}) t ${join}
     ORDER BY t.at, t.id`;
  const first = select('');
  const later = select(keyset);
  const read = (last: Shape | null): Promise<Shape[]> =>
    last === null ? database.query<Shape>(first) : database.query<Shape>(later, [last.at_us, last.id]);
  /**
   * Prepared as soon as it arrives (while the caller still applies the page before), after the previous page was
   * prepared and mapped: the page before was mapped when it was handed out, right after this one was asked for.
   */
  const page = async (last: Shape | null): Promise<Shape[]> => {
    const rows = await readAgainOnFailure(() => read(last));
    if (prepare !== undefined && rows.length > 0) await prepare(rows);
    return rows;
  };
  /** The page after `previous` is asked for as soon as `previous` is in (null: there is none). */
  const following = (previous: Promise<Shape[] | null>): Promise<Shape[] | null> =>
    previous.then((rows) => (rows === null || rows.length < pageSize ? null : page(rows[rows.length - 1]!)));
  return async function* () {
    const ahead: Promise<Shape[] | null>[] = [page(null)];
    while (ahead.length < pagesAhead) ahead.push(following(ahead[ahead.length - 1]!));
    for (;;) {
      const current = ahead.shift()!;
      const rows = await current;
      if (rows === null) return;
      ahead.push(following(ahead[ahead.length - 1] ?? current));
      // A failed prefetch is thrown when awaited above, not reported as unhandled while this page is applied.
      for (const pending of ahead) pending.catch(() => undefined);
      if (rows.length > 0) yield rows.map(map);
      if (rows.length < pageSize) return;
    }
  };
}

/**
 * A page is read again when it fails: reading is harmless to repeat, and on a loaded machine a page of a million
 * orders' history took up to 6 s, so with ten sources in flight and the loop busy applying, a page now and then
 * ran past the client's query timeout and failed the whole start (three of four 1M runs at load 15-24).
 */
async function readAgainOnFailure<Result>(read: () => Promise<Result>): Promise<Result> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= pageAttempts) throw error;
    }
  }
}

/**
 * A LEFT JOIN that looks up one row per page row by key (`where`, naming `t`): `OFFSET 0` keeps the planner from
 * pulling the subquery up into a hash join over the whole table, so each page costs index lookups for its own rows,
 * and the page keeps its (time, id) order with no sort after the join.
 */
const lookup = (alias: string, select: string, where: string): string =>
  `LEFT JOIN LATERAL (SELECT ${select} WHERE ${where} OFFSET 0) ${alias} ON true`;

/** An order's sealed input: its session's sealed value and that session's subject key (shredded: no wrapped key). */
const sessionLookup = lookup(
  's',
  's.sealed_input, s.subject_id, k.master_key_id, k.wrapped_key FROM sessions s LEFT JOIN subjects k ON k.id = s.subject_id',
  's.id = t.session_id',
);

/** An account's subject key, by the page row's `subject_id`. */
const subjectLookup = lookup('k', 'master_key_id, wrapped_key FROM subjects', 'id = t.subject_id');

/** Milliseconds (as Date.getTime() would give) from microseconds. */
const milliseconds = (microseconds: number): number => Math.floor(microseconds / 1000);

/**
 * Normalises each distinct value once per read: a customer's orders repeat the same name, e-mail, phone and
 * addresses, and normalising them (address parsing above all) was most of the time a start spent per order.
 */
function makeOrderKeyReader(): (row: StateOrderRow) => OrderKeys {
  const limit = 200_000;
  /** One map per kind of value; a full map starts over rather than growing without bound. */
  function memo<Value>(compute: (text: string) => Value): (text: string) => Value {
    let cache = new Map<string, Value>();
    return (text) => {
      const found = cache.get(text);
      if (found !== undefined) return found;
      if (cache.size >= limit) cache = new Map();
      const value = compute(text);
      cache.set(text, value);
      return value;
    };
  }
  const addressKey = memo((text) => normaliseAddress(JSON.parse(text) as SessionInput['billing_address']).key);
  // '' stands for "no key" in the cache, whose misses are `undefined`.
  const emailKey = memo((text) => normaliseEmail(text)?.key ?? '');
  const phone = memo((text) => phoneKey(text) ?? '');
  const nameHashes = memo((text) => {
    const normalised = normaliseName(text);
    return [
      normalised.sortedKey.length > 0 ? hashText(normalised.sortedKey) || 1 : 0,
      normalised.surname.length > 0 ? hashText(normalised.surname) || 1 : 0,
    ] as const;
  });
  /**
   * A customer's orders mostly repeat the previous one's name, e-mail, phone and addresses: comparing with the
   * account's last order (one lookup by a short id) is cheaper than a lookup per value by its whole text.
   */
  let lastOfAccount = new Map<string, { row: IdentityFields; keys: OrderKeys }>();
  const sameIdentity = (one: IdentityFields, other: IdentityFields): boolean =>
    one.name === other.name &&
    one.email === other.email &&
    one.phone === other.phone &&
    one.billing === other.billing &&
    one.shipping === other.shipping &&
    one.iban === other.iban;
  return (row) => {
    const deviceKey = row.device_id?.trim() || null;
    const ip = row.ip?.trim().toLowerCase() || null;
    const last = lastOfAccount.get(row.account_id);
    if (last !== undefined && sameIdentity(last.row, row))
      return { ...last.keys, amount: Number(row.amount), deviceKey, ip };
    const [nameHash, surnameHash] = nameHashes(row.name ?? '');
    const billingKey = addressKey(row.billing ?? '{}');
    const keys = {
      amount: Number(row.amount),
      emailKey: row.email === null ? null : emailKey(row.email) || null,
      phoneKey: row.phone === null ? null : phone(row.phone) || null,
      nameHash,
      surnameHash,
      billingKey,
      shippingKey: row.shipping === null ? billingKey : addressKey(row.shipping),
      deviceKey,
      ip,
      ibanKey: row.iban === null ? null : normaliseIban(row.iban),
    };
    if (lastOfAccount.size >= limit * 4) lastOfAccount = new Map();
    // Only the compared fields are kept, not the row (its sealed columns and kept copy).
    const { name, email, phone: phoneNumber, billing, shipping, iban } = row;
    lastOfAccount.set(row.account_id, { row: { name, email, phone: phoneNumber, billing, shipping, iban }, keys });
    return keys;
  };
}

type IdentityFields = Pick<StateOrderRow, 'name' | 'email' | 'phone' | 'billing' | 'shipping' | 'iban'>;

interface StateOrderRow extends Row {
  account_id: string;
  amount: string | number;
  email: string | null;
  phone: string | null;
  name: string | null;
  iban: string | null;
  billing: string | null;
  shipping: string | null;
  device_id: string | null;
  ip: string | null;
}

/** The fields the state reads, taken from a whole input (an order whose input is sealed in its session). */
function stateFieldsOf(input: SessionInput): Omit<StateOrderRow, keyof Row | 'account_id'> {
  return {
    amount: input.amount.value,
    email: input.customer.email ?? null,
    phone: input.customer.phone ?? null,
    name: input.customer.name ?? null,
    iban: input.customer.iban ?? null,
    billing: JSON.stringify(input.billing_address),
    shipping: input.shipping_address ? JSON.stringify(input.shipping_address) : null,
    device_id: input.device?.id ?? null,
    ip: input.device?.ip ?? null,
  };
}

// A live order keeps a person-free copy; its personal data lives once, sealed in its session under the subject's key.
const orderTable = `SELECT id, placed_at AS at, history_seq AS seq, history_writer, account_id, merchant_id, merchant_name, input, session_id
  FROM orders`;
const orderJoin = sessionLookup;
const sealedColumns = 't.input, s.sealed_input, s.subject_id, s.master_key_id, s.wrapped_key';
/**
 * The same for a start's page. A plain input (an import from before sealing) has the fields the state reads cut in
 * SQL, as one JSON array (`plain`, in plainFields' order). A kept copy (as isKeptInput tells: `plain` is null) has
 * only what decides whether it must be opened (makeKeptOrderKeys); what opens it is fetched for those orders alone.
 * The pseudonyms' digest is of jsonb's text, whose keys come out in one order: equal pseudonyms, equal digests. Each
 * column costs per row to parse (PGlite's worker spent more time on a page's fields than on running its statement).
 */
const orderColumnsForState = `t.account_id, t.input->'amount'->>'value' AS amount,
  CASE WHEN NOT (jsonb_typeof(t.input) = 'object' AND t.input ? 'pseudonyms' AND t.input ? 'subject_id')
    THEN jsonb_build_array(t.input->'customer'->>'email', t.input->'customer'->>'phone', t.input->'customer'->>'name',
      t.input->'customer'->>'iban', t.input->>'billing_address', t.input->>'shipping_address',
      t.input->'device'->>'id', t.input->'device'->>'ip')::text END AS plain,
  CASE WHEN t.input->'pseudonyms' ? 'surname' THEN md5((t.input->'pseudonyms')::text) END AS person,
  s.subject_id, COALESCE(s.openable, false) AS openable`;

/** A plain input's fields from its `plain` array. */
function plainFields(row: StatePageRow & { plain: string }): StateOrderRow {
  const [email, phone, name, iban, billing, shipping, device_id, ip] = JSON.parse(row.plain) as (string | null)[];
  return {
    id: row.id,
    at_us: row.at_us,
    account_id: row.account_id,
    amount: row.amount,
    email: email ?? null,
    phone: phone ?? null,
    name: name ?? null,
    iban: iban ?? null,
    billing: billing ?? null,
    shipping: shipping ?? null,
    device_id: device_id ?? null,
    ip: ip ?? null,
  };
}
const sessionLookupForState = lookup(
  's',
  `s.subject_id, s.sealed_input IS NOT NULL AND k.wrapped_key IS NOT NULL AND k.master_key_id IS NOT NULL AS openable
     FROM sessions s LEFT JOIN subjects k ON k.id = s.subject_id`,
  's.id = t.session_id',
);

/**
 * The sealed inputs of the orders a start opens, and the kept copies of those it stands in for, by order id: one
 * lookup each, as a page's. An opened order's kept copy is read only if it cannot be opened after all (its key shredded
 * since the page was read: the same test personalData.open makes), so the opened ones do not send it to be parsed.
 */
function keptOrderFetch(database: Database): KeptOrderFetch {
  const statement = `SELECT t.id, s.sealed_input, s.subject_id, s.master_key_id, s.wrapped_key,
      CASE WHEN t.id = ANY($2::text[]) OR s.sealed_input IS NULL OR s.wrapped_key IS NULL OR s.master_key_id IS NULL
        THEN t.input - 'lines' END AS input
    FROM unnest($1::text[]) AS wanted(id)
    JOIN LATERAL (SELECT id, input, session_id FROM orders WHERE orders.id = wanted.id OFFSET 0) t ON true
    ${sessionLookup}`;
  return async (orderIds, standInIds) => {
    const rows = await readAgainOnFailure(() =>
      database.query<KeptOrderFetched & { id: string }>(statement, [orderIds, standInIds]),
    );
    return new Map(rows.map((row) => [row.id, row]));
  };
}

type StatePageRow = Row & KeptOrderPageRow & { plain: string | null };

function orderSource(database: Database, range: HistoryRange): Source {
  if (range.forState) {
    const keys = makeOrderKeyReader();
    // Kept copies (imports and live orders): opened only when they do not repeat the account's previous person.
    const keptKeys = makeKeptOrderKeys<StatePageRow>(range.openInput, keptOrderFetch(database), (row, input) =>
      keys({ ...row, ...stateFieldsOf(input) }),
    );
    return scan<StatePageRow>(
      database,
      range,
      orderTable,
      // Plain inputs (imports, rows from before sealing) are cut in SQL; sealed ones are opened here.
      orderColumnsForState,
      (row) => ({
        kind: 'normalised_order',
        orderId: row.id,
        accountId: row.account_id,
        at: milliseconds(row.at_us),
        keys: row.plain === null ? keptKeys.keys(row) : keys(plainFields(row as typeof row & { plain: string })),
      }),
      sessionLookupForState,
      (rows) => keptKeys.prepare(rows.filter((row) => row.plain === null)),
    );
  }
  const open = range.openInput ? makeCachedOpener(range.openInput) : null;
  return scan<Row & { account_id: string; merchant: string } & SealedInputColumns>(
    database,
    range,
    orderTable,
    `t.account_id, COALESCE(t.merchant_id, t.merchant_name, 'import') AS merchant, ${sealedColumns}`,
    (row) => ({
      kind: 'order',
      orderId: row.id,
      accountId: row.account_id,
      merchantId: row.merchant,
      at: milliseconds(row.at_us),
      session: orderInput(row, open),
    }),
    orderJoin,
  );
}

/** The latest history sequence number handed out: every fact committed so far is numbered at most this. */
export async function historyMark(database: Database): Promise<number> {
  const [row] = await database.query<{ last_value: string | number; is_called: boolean }>(
    'SELECT last_value, is_called FROM history_seq',
  );
  return row === undefined || !row.is_called ? 0 : Number(row.last_value);
}

export function historySources(database: Database, range: HistoryRange = {}): Source[] {
  return [
    scan<Row & AccountSealedColumns>(
      database,
      range,
      `SELECT id, created_at AS at, history_seq AS seq, history_writer, sealed_personal, subject_id, name, email, phone,
         date_of_birth::text AS date_of_birth, address FROM accounts`,
      't.sealed_personal, t.subject_id, k.master_key_id, k.wrapped_key, t.name, t.email, t.phone, t.date_of_birth, t.address',
      (row) => {
        const person = openSealed<AccountPersonal>(range, row, row.sealed_personal) ?? row;
        return {
          kind: 'account',
          accountId: row.id,
          at: milliseconds(row.at_us),
          name: person.name,
          email: person.email,
          phone: person.phone,
          dateOfBirth: person.date_of_birth,
          address: person.address,
        };
      },
      subjectLookup,
    ),
    scan<
      Row &
        SubjectKeyColumns & {
          account_id: string;
          kind: 'email' | 'phone';
          value: string | null;
          sealed_value: Uint8Array | null;
          value_pseudonym: string | null;
          verified_us: number | null;
        }
    >(
      database,
      range,
      'SELECT id, created_at AS at, history_seq AS seq, history_writer, account_id, kind, value, sealed_value, value_pseudonym, verified_at FROM channels',
      't.account_id, t.kind, t.value, t.sealed_value, t.value_pseudonym, a.subject_id, a.master_key_id, a.wrapped_key, ' +
        '(extract(epoch FROM t.verified_at) * 1000000)::float8 AS verified_us',
      (row) => ({
        kind: 'channel',
        accountId: row.account_id,
        channelId: row.id,
        channel: row.kind,
        // Once erased, a value of its own: one made-up value would link every erased person's channels.
        value:
          openSealed<string>(range, row, row.sealed_value) ?? row.value ?? `[erased:${row.value_pseudonym ?? row.id}]`,
        verifiedAt: row.verified_us === null ? null : milliseconds(row.verified_us),
        at: milliseconds(row.at_us),
      }),
      // A channel's subject is its account's (account_id is NOT NULL with a foreign key: always found).
      lookup(
        'a',
        'a.subject_id, k.master_key_id, k.wrapped_key FROM accounts a LEFT JOIN subjects k ON k.id = a.subject_id',
        'a.id = t.account_id',
      ),
    ),
    orderSource(database, range),
    scan<Row & { order_id: string; outcome: 'paid_on_time' | 'paid_late' | 'unpaid' }>(
      database,
      range,
      'SELECT id, paid_at AS at, history_seq AS seq, history_writer, invoice_id, outcome FROM payments',
      'i.order_id, t.outcome',
      (row) => ({ kind: 'payment', orderId: row.order_id, at: milliseconds(row.at_us), outcome: row.outcome }),
      // invoice_id is NOT NULL with a foreign key: the lookup finds the invoice of every payment, as the join did.
      lookup('i', 'order_id FROM invoices', 'id = t.invoice_id'),
    ),
    scan<Row & { order_id: string; exposure: number | string }>(
      database,
      range,
      'SELECT id, at, history_seq AS seq, history_writer, order_id, exposure FROM order_events WHERE exposure IS NOT NULL',
      'order_id, exposure',
      (row) => ({
        kind: 'exposure',
        orderId: row.order_id,
        at: milliseconds(row.at_us),
        amount: Number(row.exposure),
      }),
    ),
    scan<Row & { always_verify: boolean }>(
      database,
      range,
      'SELECT id, always_verify_at AS at, history_seq AS seq, history_writer, always_verify FROM accounts WHERE always_verify_at IS NOT NULL',
      'always_verify',
      (row) => ({
        kind: 'preference',
        accountId: row.id,
        at: milliseconds(row.at_us),
        alwaysVerify: row.always_verify,
      }),
    ),
    scan<Row & { account_id: string; method: ChallengeMethod; device_id: string | null }>(
      database,
      range,
      'SELECT id, verified_at AS at, history_seq AS seq, history_writer, account_id, method, device_id FROM verifications WHERE account_id IS NOT NULL',
      'account_id, method, device_id',
      (row) => ({
        kind: 'verification',
        accountId: row.account_id,
        at: milliseconds(row.at_us),
        method: row.method,
        deviceId: row.device_id,
      }),
    ),
    scan<Row>(
      database,
      range,
      'SELECT account_id AS id, verified_at AS at, history_seq AS seq, history_writer FROM account_bank_subjects',
      '',
      (row) => ({ kind: 'bank_identity', accountId: row.id, at: milliseconds(row.at_us), outcome: 'linked' }),
    ),
    scan<Row & { account_id: string }>(
      database,
      range,
      'SELECT id, at, history_seq AS seq, history_writer, account_id FROM bank_subject_conflicts',
      'account_id',
      (row) => ({
        kind: 'bank_identity',
        accountId: row.account_id,
        at: milliseconds(row.at_us),
        outcome: 'conflict',
      }),
    ),
    scan<Row & { order_id: string; label: 'fraud_third_party' | 'fraud_first_party' | 'legit' }>(
      database,
      range,
      'SELECT id, known_at AS at, history_seq AS seq, history_writer, order_id, label FROM labels',
      'order_id, label',
      (row) => ({ kind: 'label', orderId: row.order_id, at: milliseconds(row.at_us), label: row.label }),
    ),
  ];
}

/**
 * Merges the per-table streams by time, handing out the merged events in batches: a batch ends where a source's page
 * runs out (its next page is awaited before the merge can go on), so the merge itself never waits per event. At
 * equal times, sources earlier in the list (accounts) come first.
 */
export async function* readHistoryBatches(
  database: Database,
  range: HistoryRange = {},
): AsyncGenerator<HistoryEvent[]> {
  const iterators = historySources(database, range).map((source) => source());
  const nextPage = async (index: number): Promise<HistoryEvent[]> => (await iterators[index]!.next()).value ?? [];
  const pages = await Promise.all(iterators.map((_, index) => nextPage(index)));
  const positions = pages.map(() => 0);
  let batch: HistoryEvent[] = [];
  for (;;) {
    let best = -1;
    let bestAt = Infinity;
    for (let index = 0; index < pages.length; index++) {
      const head = pages[index]![positions[index]!];
      if (head !== undefined && head.at < bestAt) {
        best = index;
        bestAt = head.at;
      }
    }
    if (best < 0) break;
    const page = pages[best]!;
    batch.push(page[positions[best]!]!);
    positions[best]! += 1;
    if (positions[best] === page.length) {
      if (batch.length > 0) yield batch;
      batch = [];
      pages[best] = await nextPage(best);
      positions[best] = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** The merged history one event at a time (see readHistoryBatches). */
export async function* readHistory(database: Database, range: HistoryRange = {}): AsyncGenerator<HistoryEvent> {
  for await (const batch of readHistoryBatches(database, range)) yield* batch;
}
