// How the history reader reads one table: keyset pages by (time, id), read ahead while the caller applies, each
// page's joined rows looked up by key. The sources themselves are in history.reader.ts and history.orders.ts.
import type { Database } from './database.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { InputOpener } from './sealed-order.reader.ts';
import type { BackgroundOpener } from '../privacy/background-opener.ts';

/** A source hands out its events a page at a time (in time order): no promise or generator step per event. */
export type Source = () => AsyncGenerator<HistoryEvent[]>;

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
   * Opens on a thread of its own (with the same keys as `openInput`, which must be given too): each page's sealed
   * values as the page is read ahead, while the event loop applies the pages before. A start's rebuild passes it.
   */
  readonly background?: BackgroundOpener;
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

/** A row of a source: its id, its time in microseconds since 1970 (a number: no Date parsed per row), and more. */
export type Row = { id: string; at_us: number };

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
export function scan<Shape extends Row>(
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
  /** A page as read, and as prepared (its `prepare` done: its sealed values fetched and opened). */
  interface Page {
    readonly read: Promise<Shape[] | null>;
    readonly prepared: Promise<Shape[] | null>;
  }
  /**
   * A page from its read: prepared as soon as the read is in. Reads follow each other (the next one needs this one's
   * last row) and are attached before the next read's `then`, so prepares start in page order (what `prepare` relies
   * on: it decides each page against the pages before), yet a page's preparing (a fetch, opening on the background
   * thread) overlaps the next page's read and the preparing of the page before: chained read, prepare, read, the
   * three waited on each other and the event loop sat idle for the sum.
   */
  const pageOf = (read: Promise<Shape[] | null>): Page => ({
    read,
    prepared: read.then(async (rows) => {
      if (rows !== null && prepare !== undefined && rows.length > 0) await prepare(rows);
      return rows;
    }),
  });
  /** The page after `previous` is asked for as soon as `previous` is read (null: there is none). */
  const following = (previous: Page): Page =>
    pageOf(
      previous.read.then((rows) =>
        rows === null || rows.length < pageSize ? null : readAgainOnFailure(() => read(rows[rows.length - 1]!)),
      ),
    );
  return async function* () {
    const ahead: Page[] = [pageOf(readAgainOnFailure(() => read(null)))];
    while (ahead.length < pagesAhead) ahead.push(following(ahead[ahead.length - 1]!));
    for (;;) {
      const current = ahead.shift()!;
      const rows = await current.prepared;
      if (rows === null) return;
      ahead.push(following(ahead[ahead.length - 1] ?? current));
      // A failed read or prepare ahead is thrown when awaited above, not reported as unhandled meanwhile.
      for (const pending of ahead) {
        pending.read.catch(() => undefined);
        pending.prepared.catch(() => undefined);
      }
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
export async function readAgainOnFailure<Result>(read: () => Promise<Result>): Promise<Result> {
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
export const lookup = (alias: string, select: string, where: string): string =>
  `LEFT JOIN LATERAL (SELECT ${select} WHERE ${where} OFFSET 0) ${alias} ON true`;

/** Milliseconds (as Date.getTime() would give) from microseconds. */
export const milliseconds = (microseconds: number): number => Math.floor(microseconds / 1000);
