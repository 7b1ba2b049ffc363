// Reads stored history back as HistoryEvents in time order, to rebuild the online feature state on start.
import type { Database } from './database.ts';
import type { ChallengeMethod, HistoryEvent } from '../risk/engine.ts';
import { erased, type Erased } from '../privacy/personal-data.ts';
import type { AccountPersonal, AccountSealedColumns } from '../privacy/account-data.ts';
import type { SubjectKeyColumns } from '../privacy/subject-store.ts';
import { lookup, milliseconds, scan, type HistoryRange, type Row, type Source } from './history.pages.ts';
import { orderSource } from './history.orders.ts';

export type { HistoryRange } from './history.pages.ts';

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

/**
 * A source's sealed values: opened on the background thread a page at a time when the range has one (`prepare`, as
 * the page arrives), else each as its row is mapped (`opened`). Null: not sealed, or unreadable.
 */
function sealedValues<Shape extends Row & SubjectKeyColumns, T>(
  range: HistoryRange,
  sealedOf: (row: Shape) => Uint8Array | null,
): { prepare?: (rows: Shape[]) => Promise<void>; opened: (row: Shape) => T | null } {
  const background = range.background;
  if (background === undefined || !range.openInput)
    return { opened: (row) => openSealed<T>(range, row, sealedOf(row)) };
  const values = new WeakMap<Shape, T | null>();
  return {
    async prepare(rows) {
      const sealed = rows.filter((row) => sealedOf(row) !== null);
      const opened = await background.openValues<T>(sealed.map((row) => ({ ...row, sealed_input: sealedOf(row) })));
      sealed.forEach((row, index) => values.set(row, opened[index] ?? null));
    },
    opened: (row) => values.get(row) ?? null,
  };
}

/** An account's subject key, by the page row's `subject_id`. */
const subjectLookup = lookup('k', 'master_key_id, wrapped_key FROM subjects', 'id = t.subject_id');

/** The latest history sequence number handed out: every fact committed so far is numbered at most this. */
export async function historyMark(database: Database): Promise<number> {
  const [row] = await database.query<{ last_value: string | number; is_called: boolean }>(
    'SELECT last_value, is_called FROM history_seq',
  );
  return row === undefined || !row.is_called ? 0 : Number(row.last_value);
}

type ChannelRow = Row &
  SubjectKeyColumns & {
    account_id: string;
    kind: 'email' | 'phone';
    value: string | null;
    sealed_value: Uint8Array | null;
    value_pseudonym: string | null;
    verified_us: number | null;
  };

export function historySources(database: Database, range: HistoryRange = {}): Source[] {
  const accountValues = sealedValues<Row & AccountSealedColumns, AccountPersonal>(range, (row) => row.sealed_personal);
  const channelValues = sealedValues<ChannelRow, string>(range, (row) => row.sealed_value);
  return [
    scan<Row & AccountSealedColumns>(
      database,
      range,
      `SELECT id, created_at AS at, history_seq AS seq, history_writer, sealed_personal, subject_id, name, email, phone,
         date_of_birth::text AS date_of_birth, address FROM accounts`,
      't.sealed_personal, t.subject_id, k.master_key_id, k.wrapped_key, t.name, t.email, t.phone, t.date_of_birth, t.address',
      (row) => {
        const person = accountValues.opened(row) ?? row;
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
      accountValues.prepare,
    ),
    scan<ChannelRow>(
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
        value: channelValues.opened(row) ?? row.value ?? `[erased:${row.value_pseudonym ?? row.id}]`,
        verifiedAt: row.verified_us === null ? null : milliseconds(row.verified_us),
        at: milliseconds(row.at_us),
      }),
      // A channel's subject is its account's (account_id is NOT NULL with a foreign key: always found).
      lookup(
        'a',
        'a.subject_id, k.master_key_id, k.wrapped_key FROM accounts a LEFT JOIN subjects k ON k.id = a.subject_id',
        'a.id = t.account_id',
      ),
      channelValues.prepare,
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
