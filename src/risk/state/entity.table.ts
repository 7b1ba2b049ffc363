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
import { flattenLists, unflattenLists, type FlatLists } from './flat-lists.ts';

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

interface DistinctData {
  readonly first: Int32Array;
  readonly counts: Int32Array;
  readonly overflow: ReadonlyMap<number, number[]>;
}

/** An entity table in plain, structured-clone-able form (typed arrays cut to size), for the state snapshot. */
export interface EntityTableData {
  readonly keys: string[];
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly orders: Int32Array;
  readonly unpaid: Int32Array;
  readonly fraud: Int32Array;
  readonly lastFraudAt: Float64Array;
  readonly accounts: DistinctData;
  readonly names: DistinctData;
  readonly surnames: DistinctData;
  readonly recent: FlatLists;
  readonly parties: FlatLists;
  readonly sweepCursor: number;
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
  toData(size: number): DistinctData {
    const overflow = new Map<number, number[]>();
    for (const [row, values] of this.overflow) overflow.set(row, values.slice());
    return { first: this.first.slice(0, size), counts: this.counts.slice(0, size), overflow };
  }
  load(data: DistinctData, capacity: number): void {
    this.first = grownInt(data.first, capacity, -1);
    this.counts = grownInt(data.counts, capacity, 0);
    for (const [row, values] of data.overflow) this.overflow.set(row, values);
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
    if (row >= 0) this.unpaid[row] = (this.unpaid[row] ?? 0) + delta;
  }

  adjustFraud(row: number, delta: number, at = 0): void {
    if (row < 0) return;
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

  /** A copy that later changes to this table do not reach, so it can be serialised a slice at a time. */
  toData(): EntityTableData {
    const size = this.size;
    return {
      keys: this.keys.slice(0, size),
      firstSeen: this.firstSeen.slice(0, size),
      lastSeen: this.lastSeen.slice(0, size),
      orders: this.orders.slice(0, size),
      unpaid: this.unpaid.slice(0, size),
      fraud: this.fraud.slice(0, size),
      lastFraudAt: this.lastFraudAt.slice(0, size),
      accounts: this.accounts.toData(size),
      names: this.names.toData(size),
      surnames: this.surnames.toData(size),
      recent: flattenLists(this.recent, size),
      parties: flattenLists(this.parties, size),
      sweepCursor: this.sweepCursor,
    };
  }

  /** Fills an empty table from a snapshot, with room to grow by a quarter before the next doubling. */
  load(data: EntityTableData): void {
    const size = data.keys.length;
    const capacity = Math.max(1024, Math.ceil(size * 1.25));
    this.capacity = capacity;
    this.firstSeen = grownFloat(data.firstSeen, capacity);
    this.lastSeen = grownFloat(data.lastSeen, capacity);
    this.orders = grownInt(data.orders, capacity, 0);
    this.unpaid = grownInt(data.unpaid, capacity, 0);
    this.fraud = grownInt(data.fraud, capacity, 0);
    this.lastFraudAt = grownFloat(data.lastFraudAt, capacity);
    this.accounts.load(data.accounts, capacity);
    this.names.load(data.names, capacity);
    this.surnames.load(data.surnames, capacity);
    this.keys.length = 0;
    this.index.clear();
    const recent = unflattenLists(data.recent);
    const parties = unflattenLists(data.parties);
    for (let row = 0; row < size; row += 1) {
      const key = data.keys[row]!;
      this.keys.push(key);
      this.index.set(key, row);
      this.recent.push(recent[row]);
      this.parties.push(parties[row]);
    }
    this.sweepCursor = data.sweepCursor;
  }

  /** Frees velocity lists that fell out of every window; called a slice at a time so no apply pauses long. */
  sweep(cutoff: number, budget: number): void {
    const size = this.recent.length;
    for (let step = 0; step < budget && size > 0; step += 1) {
      this.sweepCursor = (this.sweepCursor + 1) % size;
      const list = this.recent[this.sweepCursor];
      if (list !== undefined && !pruneRecent(list, cutoff)) this.recent[this.sweepCursor] = undefined;
      const parties = this.parties[this.sweepCursor];
      if (parties !== undefined && (parties[parties.length - partyStride] ?? 0) < cutoff)
        this.parties[this.sweepCursor] = undefined;
    }
  }
}
