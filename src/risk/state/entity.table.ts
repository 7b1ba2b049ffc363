// Column storage for one kind of entity (device, address, e-mail, phone, IP): typed arrays, not objects, for memory.
import {
  windowDurations,
  windowNames,
  type DistinctParties,
  type EntityKind,
  type EntityView,
  type WindowName,
} from './feature-state.ts';
import { appendRecent, pruneRecent, windowTotals, type RecentList } from './window.counter.ts';
import { concatFlatLists, flattenLists, joinTypedArrays, unflattenLists, type FlatLists } from './flat-lists.ts';
import { RowCut } from './row-cut.ts';

/** Beyond this many distinct accounts or names an entity is plainly shared; counting further adds nothing. */
const distinctCap = 64;
const reportedAccounts = 8;
/** Recent orders kept per entity for windowed distinct counts; past this many the counts are "at least". */
const recentPartiesCap = 48;
/** Fields per recent order in the flat list: time, account row, name hash, e-mail hash. */
const partyStride = 4;

const noParties: DistinctParties = { accounts: 0, emails: 0, names: 0 };
const noDistinct: Readonly<Record<WindowName, DistinctParties>> = {
  '1h': noParties,
  '24h': noParties,
  '7d': noParties,
  '30d': noParties,
};

/** Distinct accounts, names and e-mails among the recent orders inside each window before `at`. */
function distinctByWindow(list: number[] | undefined, at: number): Readonly<Record<WindowName, DistinctParties>> {
  if (list === undefined || list.length === 0) return noDistinct;
  const result = {} as Record<WindowName, DistinctParties>;
  for (const window of windowNames) {
    const from = at - windowDurations[window];
    const accounts = new Set<number>();
    const names = new Set<number>();
    const emails = new Set<number>();
    for (let index = 0; index < list.length; index += partyStride) {
      const time = list[index] ?? 0;
      if (time < from || time >= at) continue;
      const account = list[index + 1] ?? -1;
      const name = list[index + 2] ?? 0;
      const email = list[index + 3] ?? 0;
      if (account >= 0) accounts.add(account);
      if (name !== 0) names.add(name);
      if (email !== 0) emails.add(email);
    }
    result[window] = { accounts: accounts.size, names: names.size, emails: emails.size };
  }
  return result;
}

function grownFloat(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(array);
  return next;
}
function grownInt(array: Int32Array, size: number, fill: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size).fill(fill);
  next.set(array);
  return next;
}

/** An entity table's number columns for a range of rows (typed arrays cut to the range). */
export interface EntityColumns {
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly lastFraudAt: Float64Array;
  readonly orders: Int32Array;
  readonly unpaid: Int32Array;
  readonly fraud: Int32Array;
  readonly accountsFirst: Int32Array;
  readonly accountsCount: Int32Array;
  readonly namesFirst: Int32Array;
  readonly namesCount: Int32Array;
  readonly surnamesFirst: Int32Array;
  readonly surnamesCount: Int32Array;
}
const floatColumns = ['firstSeen', 'lastSeen', 'lastFraudAt'] as const;
const intColumns = [
  'orders',
  'unpaid',
  'fraud',
  'accountsFirst',
  'accountsCount',
  'namesFirst',
  'namesCount',
  'surnamesFirst',
  'surnamesCount',
] as const;
const columnNames = [...floatColumns, ...intColumns] as const;

/** What a cut holds of a table besides its rows: how many rows, and where the sweep was. */
export interface EntityTableHead {
  readonly size: number;
  readonly sweepCursor: number;
}

/**
 * Keys, number columns and lists of the rows from `from` on (as many as `keys` holds): velocity, parties, distinct
 * overflows. A snapshot writes a table a range of rows at a time.
 */
export interface EntityRows {
  readonly from: number;
  readonly keys: string[];
  readonly columns: EntityColumns;
  readonly recent: FlatLists;
  readonly parties: FlatLists;
  readonly accounts: FlatLists;
  readonly names: FlatLists;
  readonly surnames: FlatLists;
}

/** An entity table in plain, structured-clone-able form, for the state snapshot: its head and all its rows. */
export interface EntityTableData {
  readonly head: EntityTableHead;
  readonly rows: EntityRows;
}

/** A row's lists, in EntityRows' order: recent, parties, and the accounts, names and surnames overflows. */
type RowLists = readonly (number[] | undefined)[];

/**
 * One row as it was, kept for a cut when the row changes before the cut's writer reached it: its lists and its
 * number columns (in columnNames' order).
 */
interface RowCopy {
  readonly lists: RowLists;
  readonly numbers: readonly number[];
}

/** Joins the row ranges of one table, in order, into one range from row 0. */
export function joinEntityRows(parts: readonly EntityRows[]): EntityRows {
  const lists = (pick: (rows: EntityRows) => FlatLists): FlatLists => concatFlatLists(parts.map(pick));
  const columns = {} as Record<keyof EntityColumns, Float64Array | Int32Array>;
  for (const name of floatColumns)
    columns[name] = joinTypedArrays(
      parts.map((part) => part.columns[name]),
      (length) => new Float64Array(length),
    );
  for (const name of intColumns)
    columns[name] = joinTypedArrays(
      parts.map((part) => part.columns[name]),
      (length) => new Int32Array(length),
    );
  return {
    from: 0,
    keys: parts.flatMap((part) => part.keys),
    columns: columns as unknown as EntityColumns,
    recent: lists((part) => part.recent),
    parties: lists((part) => part.parties),
    accounts: lists((part) => part.accounts),
    names: lists((part) => part.names),
    surnames: lists((part) => part.surnames),
  };
}

/** A small set of numbers stored as "first value + overflow list", because most entities see one account and one name. */
class DistinctColumn {
  first: Int32Array<ArrayBuffer>;
  counts: Int32Array<ArrayBuffer>;
  readonly overflow = new Map<number, number[]>();
  constructor(capacity: number) {
    this.first = new Int32Array(capacity).fill(-1);
    this.counts = new Int32Array(capacity);
  }
  grow(size: number): void {
    this.first = grownInt(this.first, size, -1);
    this.counts = grownInt(this.counts, size, 0);
  }
  add(row: number, value: number): void {
    const count = this.counts[row] ?? 0;
    if (count === 0) {
      this.first[row] = value;
      this.counts[row] = 1;
      return;
    }
    if (this.first[row] === value || count >= distinctCap) return;
    const extra = this.overflow.get(row);
    if (extra === undefined) {
      this.overflow.set(row, [value]);
    } else if (!extra.includes(value)) {
      extra.push(value);
    } else {
      return;
    }
    this.counts[row] = count + 1;
  }
  load(first: Int32Array, counts: Int32Array, overflow: readonly (number[] | undefined)[], capacity: number): void {
    this.first = grownInt(first, capacity, -1);
    this.counts = grownInt(counts, capacity, 0);
    this.overflow.clear();
    overflow.forEach((values, row) => {
      if (values !== undefined) this.overflow.set(row, values);
    });
  }
  values(row: number, limit: number): number[] {
    if ((this.counts[row] ?? 0) === 0) return [];
    const extra = this.overflow.get(row) ?? [];
    return [this.first[row] ?? -1, ...extra.slice(0, limit - 1)];
  }
}

export class EntityTable {
  readonly index = new Map<string, number>();
  readonly keys: string[] = [];
  private capacity = 1024;
  private firstSeen = new Float64Array(this.capacity);
  private lastSeen = new Float64Array(this.capacity);
  private orders = new Int32Array(this.capacity);
  private unpaid = new Int32Array(this.capacity);
  private fraud = new Int32Array(this.capacity);
  private lastFraudAt = new Float64Array(this.capacity);
  private readonly accounts = new DistinctColumn(this.capacity);
  private readonly names = new DistinctColumn(this.capacity);
  private readonly surnames = new DistinctColumn(this.capacity);
  private readonly recent: (RecentList | undefined)[] = [];
  private readonly parties: (number[] | undefined)[] = [];
  private sweepCursor = 0;
  /** The cut being written, if any: rows it has not reached are copied before they change. */
  private cut: RowCut<RowCopy> | null = null;

  constructor(readonly kind: EntityKind) {}

  get size(): number {
    return this.keys.length;
  }

  rowOf(key: string): number {
    const existing = this.index.get(key);
    if (existing !== undefined) return existing;
    const row = this.keys.length;
    if (row === this.capacity) this.grow(this.capacity * 2);
    this.index.set(key, row);
    this.keys.push(key);
    this.recent.push(undefined);
    this.parties.push(undefined);
    return row;
  }

  private grow(size: number): void {
    this.capacity = size;
    this.firstSeen = grownFloat(this.firstSeen, size);
    this.lastSeen = grownFloat(this.lastSeen, size);
    this.orders = grownInt(this.orders, size, 0);
    this.unpaid = grownInt(this.unpaid, size, 0);
    this.fraud = grownInt(this.fraud, size, 0);
    this.lastFraudAt = grownFloat(this.lastFraudAt, size);
    this.accounts.grow(size);
    this.names.grow(size);
    this.surnames.grow(size);
  }

  /** One order touched this entity: counts, first/last seen, who and which name, velocity. */
  recordOrder(
    row: number,
    at: number,
    amount: number,
    accountRow: number,
    nameHash: number,
    surnameHash: number,
    emailHash = 0,
  ): void {
    this.cut?.keep(row, () => this.copyOf(row));
    if ((this.orders[row] ?? 0) === 0) this.firstSeen[row] = at;
    this.lastSeen[row] = at;
    this.orders[row] = (this.orders[row] ?? 0) + 1;
    if (accountRow >= 0) this.accounts.add(row, accountRow);
    if (nameHash !== 0) this.names.add(row, nameHash | 0);
    if (surnameHash !== 0) this.surnames.add(row, surnameHash | 0);
    this.recent[row] = appendRecent(this.recent[row], at, amount);
    const parties = (this.parties[row] ??= []);
    parties.push(at, accountRow, nameHash | 0, emailHash | 0);
    if (parties.length > recentPartiesCap * partyStride) parties.splice(0, partyStride);
  }

  adjustUnpaid(row: number, delta: number): void {
    if (row < 0) return;
    this.cut?.keep(row, () => this.copyOf(row));
    this.unpaid[row] = (this.unpaid[row] ?? 0) + delta;
  }

  adjustFraud(row: number, delta: number, at = 0): void {
    if (row < 0) return;
    this.cut?.keep(row, () => this.copyOf(row));
    this.fraud[row] = (this.fraud[row] ?? 0) + delta;
    if (delta > 0) this.lastFraudAt[row] = Math.max(this.lastFraudAt[row] ?? 0, at);
  }

  view(key: string | null, at: number, accountIdOf: (row: number) => string): EntityView | null {
    if (key === null) return null;
    const row = this.index.get(key);
    if (row === undefined || (this.orders[row] ?? 0) === 0 || (this.firstSeen[row] ?? 0) >= at) return null;
    return {
      kind: this.kind,
      key,
      firstSeenAt: this.firstSeen[row] ?? 0,
      lastSeenAt: this.lastSeen[row] ?? 0,
      orderCount: this.orders[row] ?? 0,
      distinctAccounts: this.accounts.counts[row] ?? 0,
      accountIds: this.accounts.values(row, reportedAccounts).map(accountIdOf),
      distinctNames: this.names.counts[row] ?? 0,
      distinctSurnames: this.surnames.counts[row] ?? 0,
      unpaidOrders: this.unpaid[row] ?? 0,
      fraudOrders: this.fraud[row] ?? 0,
      lastFraudLabelAt:
        (this.fraud[row] ?? 0) > 0 && (this.lastFraudAt[row] ?? 0) > 0 ? (this.lastFraudAt[row] ?? 0) : null,
      windows: windowTotals(this.recent[row], at),
      distinctByWindow: distinctByWindow(this.parties[row], at),
    };
  }

  /** The live number columns, by name (read anew each time: growing the table replaces them). */
  private columns(): Readonly<Record<keyof EntityColumns, Float64Array | Int32Array>> {
    return {
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      lastFraudAt: this.lastFraudAt,
      orders: this.orders,
      unpaid: this.unpaid,
      fraud: this.fraud,
      accountsFirst: this.accounts.first,
      accountsCount: this.accounts.counts,
      namesFirst: this.names.first,
      namesCount: this.names.counts,
      surnamesFirst: this.surnames.first,
      surnamesCount: this.surnames.counts,
    };
  }

  /** A row's live lists. */
  private listsOf(row: number): RowLists {
    return [
      this.recent[row],
      this.parties[row],
      this.accounts.overflow.get(row),
      this.names.overflow.get(row),
      this.surnames.overflow.get(row),
    ];
  }

  /** One row as it is now, copied, to keep for a cut. */
  private copyOf(row: number): RowCopy {
    const columns = this.columns();
    return {
      lists: this.listsOf(row).map((list) => list?.slice()),
      numbers: columnNames.map((name) => columns[name][row] ?? 0),
    };
  }

  /**
   * Takes a cut of the rows there are now: `cutRows` then hands them out a range at a time as they were now, however
   * the table changes meanwhile (a row is copied before its first change), until `endCut`.
   */
  cutHead(): EntityTableHead {
    if (this.cut !== null) throw new Error(`the ${this.kind} table is already being cut`);
    this.cut = new RowCut(this.size);
    return { size: this.size, sweepCursor: this.sweepCursor };
  }

  /** The cut's rows from `from` (where the last call ended, or 0) to at most `to`, as they were at the cut. */
  cutRows(from: number, to: number): EntityRows {
    const cut = this.cut;
    if (cut === null || from !== cut.written) throw new Error(`the ${this.kind} table's cut is not at row ${from}`);
    const end = Math.min(to, cut.size);
    const live = this.columns();
    const columns = {} as Record<keyof EntityColumns, Float64Array | Int32Array>;
    for (const name of columnNames) columns[name] = live[name].slice(from, end);
    const lists: RowLists[] = [];
    for (let row = from; row < end; row += 1) {
      const kept = cut.take(row);
      if (kept === undefined) {
        lists.push(this.listsOf(row));
        continue;
      }
      lists.push(kept.lists);
      columnNames.forEach((name, index) => (columns[name][row - from] = kept.numbers[index]!));
    }
    cut.written = end;
    const flat = (index: number): FlatLists => flattenLists(lists.map((entry) => entry[index]));
    return {
      from,
      // Keys never change once a row has one: the live array's are the cut's.
      keys: this.keys.slice(from, end),
      columns: columns as unknown as EntityColumns,
      recent: flat(0),
      parties: flat(1),
      accounts: flat(2),
      names: flat(3),
      surnames: flat(4),
    };
  }

  endCut(): void {
    this.cut = null;
  }

  /** The rows the current cut holds (0 without one). */
  get cutSize(): number {
    return this.cut?.size ?? 0;
  }

  /** Fills an empty table from a snapshot, with room to grow by a quarter before the next doubling. */
  load(data: EntityTableData): void {
    const { head, rows } = data;
    const size = head.size;
    if (rows.from !== 0 || rows.keys.length !== size) throw new Error(`the ${this.kind} table's rows are incomplete`);
    const capacity = Math.max(1024, Math.ceil(size * 1.25));
    const columns = rows.columns;
    this.capacity = capacity;
    this.firstSeen = grownFloat(columns.firstSeen, capacity);
    this.lastSeen = grownFloat(columns.lastSeen, capacity);
    this.orders = grownInt(columns.orders, capacity, 0);
    this.unpaid = grownInt(columns.unpaid, capacity, 0);
    this.fraud = grownInt(columns.fraud, capacity, 0);
    this.lastFraudAt = grownFloat(columns.lastFraudAt, capacity);
    this.accounts.load(columns.accountsFirst, columns.accountsCount, unflattenLists(rows.accounts), capacity);
    this.names.load(columns.namesFirst, columns.namesCount, unflattenLists(rows.names), capacity);
    this.surnames.load(columns.surnamesFirst, columns.surnamesCount, unflattenLists(rows.surnames), capacity);
    this.keys.length = 0;
    this.index.clear();
    const recent = unflattenLists(rows.recent);
    const parties = unflattenLists(rows.parties);
    for (let row = 0; row < size; row += 1) {
      const key = rows.keys[row]!;
      this.keys.push(key);
      this.index.set(key, row);
      this.recent.push(recent[row]);
      this.parties.push(parties[row]);
    }
    this.sweepCursor = head.sweepCursor;
  }

  /** Frees velocity lists that fell out of every window; called a slice at a time so no apply pauses long. */
  sweep(cutoff: number, budget: number): void {
    const size = this.recent.length;
    for (let step = 0; step < budget && size > 0; step += 1) {
      this.sweepCursor = (this.sweepCursor + 1) % size;
      const row = this.sweepCursor;
      const list = this.recent[row];
      const parties = this.parties[row];
      const prunes = list !== undefined && (list[0] ?? 0) <= cutoff;
      const drops = parties !== undefined && (parties[parties.length - partyStride] ?? 0) < cutoff;
      if (!prunes && !drops) continue;
      // A row the sweep changes is kept as it was for a cut being written (one that stays as it is need not be).
      this.cut?.keep(row, () => this.copyOf(row));
      if (prunes && !pruneRecent(list, cutoff)) this.recent[row] = undefined;
      if (drops) this.parties[row] = undefined;
    }
  }
}
