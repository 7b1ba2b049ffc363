// The orders in the history: whole inputs (training, the tail) or, for a start, only what the online state reads,
// each order's sealed input opened only when it does not repeat its account's previous person.
import type { Database } from './database.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { erased, erasedInput, isKeptInput, type Erased, type SealedInputColumns } from '../privacy/personal-data.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { normaliseName } from '../risk/normalise/name.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';
import type { OrderKeys } from '../risk/normalise/session.normaliser.ts';
import { stateFieldsOf, type OrderStateFields } from './history.state-fields.ts';
import { hashText } from '../risk/normalise/text.normaliser.ts';
import {
  makeCachedOpener,
  makeKeptOrderKeys,
  type KeptOrderFetch,
  type KeptOrderFetched,
  type KeptOrderPageRow,
} from './sealed-order.reader.ts';
import {
  lookup,
  milliseconds,
  readAgainOnFailure,
  scan,
  type HistoryRange,
  type Row,
  type Source,
} from './history.pages.ts';

function orderInput(row: SealedInputColumns, open: ((row: SealedInputColumns) => SessionInput | Erased) | null) {
  if (!isKeptInput(row.input)) return row.input as SessionInput;
  const opened = row.sealed_input !== null && open ? open(row) : erased;
  return opened === erased ? erasedInput(row.input) : opened;
}

/** An order's sealed input: its session's sealed value and that session's subject key (shredded: no wrapped key). */
const sessionLookup = lookup(
  's',
  's.sealed_input, s.subject_id, k.master_key_id, k.wrapped_key FROM sessions s LEFT JOIN subjects k ON k.id = s.subject_id',
  's.id = t.session_id',
);

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

interface StateOrderRow extends Row, OrderStateFields {
  account_id: string;
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

export function orderSource(database: Database, range: HistoryRange): Source {
  if (range.forState) {
    const keys = makeOrderKeyReader();
    // Kept copies (imports and live orders): opened only when they do not repeat the account's previous person.
    const background = range.background;
    const keptKeys = makeKeptOrderKeys<StatePageRow, OrderStateFields>(
      range.openInput,
      keptOrderFetch(database),
      (row, input) => keys({ ...row, ...stateFieldsOf(input) }),
      background === undefined
        ? undefined
        : { open: (rows) => background.openOrderStates(rows), keysOf: (row, fields) => keys({ ...row, ...fields }) },
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
