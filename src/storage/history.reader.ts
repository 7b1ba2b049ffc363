// Reads stored history back as HistoryEvents in time order, to rebuild the online feature state on start.
import type { Database } from './database.ts';
import type { ChallengeMethod, HistoryEvent } from '../risk/engine.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { erased, erasedInput, isKeptInput, type Erased, type SealedInputColumns } from '../privacy/personal-data.ts';

type Source = () => AsyncGenerator<HistoryEvent>;

const pageSize = 5000;

/** Which facts to read: all of them (a cold rebuild), or only those numbered after a snapshot's mark. */
export interface HistoryRange {
  readonly afterSequence?: number;
  /**
   * Opens an order's session input, sealed under its subject's key (src/privacy/personal-data.ts); without it (or
   * once erased) an order is replayed with the person-free stand-in.
   */
  readonly openInput?: (row: SealedInputColumns) => SessionInput | Erased;
}

function orderInput(row: SealedInputColumns, range: HistoryRange): SessionInput {
  if (!isKeptInput(row.input)) return row.input as SessionInput;
  const opened = row.sealed_input !== null && range.openInput ? range.openInput(row) : erased;
  return opened === erased ? erasedInput(row.input) : opened;
}

/**
 * Keyset-paged scan of one table, mapped to events; ordered by (time, id). The first page has no keyset condition
 * and later ones a plain row comparison, so each page is one range scan of the (time, id) index: an `IS NULL OR`
 * condition would keep the planner from using it and make every page a full scan and sort.
 */
function scan<Row extends { id: string; at: Date }>(
  database: Database,
  range: HistoryRange,
  select: string,
  map: (row: Row) => HistoryEvent,
): Source {
  const after = range.afterSequence;
  const since = after === undefined ? '' : ` AND seq > ${Math.floor(after)}`;
  return async function* () {
    let last: Row | null = null;
    for (;;) {
      const rows: Row[] =
        last === null
          ? await database.query<Row>(`${select}${since} ORDER BY at, id LIMIT ${pageSize}`)
          : await database.query<Row>(
              `${select}${since} AND (at, id) > ($1::timestamptz, $2::text) ORDER BY at, id LIMIT ${pageSize}`,
              [last.at, last.id],
            );
      for (const row of rows) yield map(row);
      if (rows.length < pageSize) return;
      last = rows[rows.length - 1]!;
    }
  };
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
    scan<{
      id: string;
      at: Date;
      name: string | null;
      email: string | null;
      phone: string | null;
      date_of_birth: Date | string | null;
      address: SessionInput['billing_address'] | null;
    }>(
      database,
      range,
      `SELECT * FROM (SELECT id, created_at AS at, history_seq AS seq, name, email, phone, date_of_birth::text AS date_of_birth, address FROM accounts) t WHERE true`,
      (row) => ({
        kind: 'account',
        accountId: row.id,
        at: row.at.getTime(),
        name: row.name,
        email: row.email,
        phone: row.phone,
        dateOfBirth: row.date_of_birth === null ? null : String(row.date_of_birth),
        address: row.address,
      }),
    ),
    scan<{
      id: string;
      at: Date;
      account_id: string;
      kind: 'email' | 'phone';
      value: string;
      verified_at: Date | null;
    }>(
      database,
      range,
      `SELECT * FROM (SELECT id, created_at AS at, history_seq AS seq, account_id, kind, value, verified_at FROM channels) t WHERE true`,
      (row) => ({
        kind: 'channel',
        accountId: row.account_id,
        channelId: row.id,
        channel: row.kind,
        value: row.value,
        verifiedAt: row.verified_at?.getTime() ?? null,
        at: row.at.getTime(),
      }),
    ),
    scan<{ id: string; at: Date; account_id: string; merchant: string } & SealedInputColumns>(
      database,
      range,
      // A live order's personal data lives once, sealed in its session: read with the subject's wrapped key.
      `SELECT * FROM (SELECT o.id, o.placed_at AS at, o.history_seq AS seq, o.account_id,
         COALESCE(o.merchant_id, o.merchant_name, 'import') AS merchant, o.input, s.sealed_input, s.subject_id,
         k.master_key_id, k.wrapped_key
         FROM orders o LEFT JOIN sessions s ON s.id = o.session_id LEFT JOIN subjects k ON k.id = s.subject_id) t
       WHERE true`,
      (row) => ({
        kind: 'order',
        orderId: row.id,
        accountId: row.account_id,
        merchantId: row.merchant,
        at: row.at.getTime(),
        session: orderInput(row, range),
      }),
    ),
    scan<{ id: string; at: Date; order_id: string; outcome: 'paid_on_time' | 'paid_late' | 'unpaid' }>(
      database,
      range,
      `SELECT * FROM (SELECT p.id, p.paid_at AS at, p.history_seq AS seq, i.order_id, p.outcome FROM payments p JOIN invoices i ON i.id = p.invoice_id) t WHERE true`,
      (row) => ({ kind: 'payment', orderId: row.order_id, at: row.at.getTime(), outcome: row.outcome }),
    ),
    scan<{ id: string; at: Date; order_id: string; exposure: number | string }>(
      database,
      range,
      `SELECT * FROM (SELECT id, at, history_seq AS seq, order_id, exposure FROM order_events WHERE exposure IS NOT NULL) t WHERE true`,
      (row) => ({ kind: 'exposure', orderId: row.order_id, at: row.at.getTime(), amount: Number(row.exposure) }),
    ),
    scan<{ id: string; at: Date; always_verify: boolean }>(
      database,
      range,
      `SELECT * FROM (SELECT id, always_verify_at AS at, history_seq AS seq, always_verify FROM accounts WHERE always_verify_at IS NOT NULL) t WHERE true`,
      (row) => ({ kind: 'preference', accountId: row.id, at: row.at.getTime(), alwaysVerify: row.always_verify }),
    ),
    scan<{ id: string; at: Date; account_id: string; method: ChallengeMethod; device_id: string | null }>(
      database,
      range,
      `SELECT * FROM (SELECT id, verified_at AS at, history_seq AS seq, account_id, method, device_id FROM verifications WHERE account_id IS NOT NULL) t WHERE true`,
      (row) => ({
        kind: 'verification',
        accountId: row.account_id,
        at: row.at.getTime(),
        method: row.method,
        deviceId: row.device_id,
      }),
    ),
    scan<{ id: string; at: Date }>(
      database,
      range,
      `SELECT * FROM (SELECT account_id AS id, verified_at AS at, history_seq AS seq FROM account_bank_subjects) t WHERE true`,
      (row) => ({ kind: 'bank_identity', accountId: row.id, at: row.at.getTime(), outcome: 'linked' }),
    ),
    scan<{ id: string; at: Date; account_id: string }>(
      database,
      range,
      `SELECT * FROM (SELECT id, at, history_seq AS seq, account_id FROM bank_subject_conflicts) t WHERE true`,
      (row) => ({ kind: 'bank_identity', accountId: row.account_id, at: row.at.getTime(), outcome: 'conflict' }),
    ),
    scan<{ id: string; at: Date; order_id: string; label: 'fraud_third_party' | 'fraud_first_party' | 'legit' }>(
      database,
      range,
      `SELECT * FROM (SELECT id, known_at AS at, history_seq AS seq, order_id, label FROM labels) t WHERE true`,
      (row) => ({ kind: 'label', orderId: row.order_id, at: row.at.getTime(), label: row.label }),
    ),
  ];
}

/** Merges the per-table streams by time; at equal times, sources earlier in the list (accounts) come first. */
export async function* readHistory(database: Database, range: HistoryRange = {}): AsyncGenerator<HistoryEvent> {
  const iterators = historySources(database, range).map((source) => source());
  const heads: (HistoryEvent | null)[] = await Promise.all(
    iterators.map(async (iterator) => (await iterator.next()).value ?? null),
  );
  for (;;) {
    let best = -1;
    for (let index = 0; index < heads.length; index++) {
      const head = heads[index];
      if (head && (best < 0 || head.at < heads[best]!.at)) best = index;
    }
    if (best < 0) return;
    yield heads[best]!;
    heads[best] = (await iterators[best]!.next()).value ?? null;
  }
}
