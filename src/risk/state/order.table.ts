// Column storage for orders: enough to apply later payments and labels to the right account and entities.
import { hashText } from '../normalise/text.normaliser.ts';
import type { EntityTable } from './entity.table.ts';
import { RowCut } from './row-cut.ts';

/** A second, independent 32-bit hash of the order id: with the first it identifies an order among millions. */
function checkHash(orderId: string): number {
  let hash = 0x2f7a3c1b;
  for (let index = orderId.length - 1; index >= 0; index -= 1) {
    hash = Math.imul(hash ^ orderId.charCodeAt(index), 0x5bd1e995);
    hash ^= hash >>> 13;
  }
  return hash | 0;
}

export const orderStatuses = ['open', 'paid_on_time', 'paid_late', 'unpaid'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
const labels = [null, 'legit', 'fraud_third_party', 'fraud_first_party'] as const;
type OrderLabel = (typeof labels)[number];

export interface OrderRows {
  readonly accountRow: number;
  readonly amount: number;
  readonly deviceRow: number;
  readonly addressRow: number;
  readonly emailRow: number;
  readonly phoneRow: number;
  readonly ipRow: number;
  readonly ibanRow: number;
}

interface Tables {
  readonly devices: EntityTable;
  readonly addresses: EntityTable;
  readonly emails: EntityTable;
  readonly phones: EntityTable;
  readonly ips: EntityTable;
  readonly ibans: EntityTable;
}

/**
 * Eight int columns per order (the last holds the check hash) and two byte columns. Order ids are not kept:
 * the index maps a 32-bit hash (a small integer, no string) to rows, and the check hash tells collisions apart,
 * which saves about 60 bytes per order of history.
 */
const columnCount = 8;

/** The columns of the orders from `from` on (as many as `amounts` holds), typed arrays cut to the range. */
export interface OrderRowsData {
  readonly from: number;
  readonly columns: Int32Array;
  readonly amounts: Float64Array;
  readonly statuses: Uint8Array;
  readonly labelCodes: Uint8Array;
}

/** The order table in plain, structured-clone-able form, for the state snapshot: all its rows and its index. */
export interface OrderTableData extends OrderRowsData {
  readonly count: number;
  /** The id-hash index flattened: [hash, row] pairs; a hash shared by several orders appears once per order. */
  readonly index: Int32Array;
}

/** What an order's later facts change (the rest is fixed when it is added): amount, status, label. */
type ChangingValues = readonly [amount: number, status: number, label: number];

export class OrderTable {
  private readonly index = new Map<number, number | number[]>();
  private capacity = 1024;
  /**
   * The cut being written: its rows (an order's amount, status and label kept before they change, until written),
   * and where it is in the index. The index only grows (a new order adds its row; none is removed), so the cut's pairs
   * are the live index's pairs of rows below its count, whenever read.
   */
  private cut: {
    readonly rows: RowCut<ChangingValues>;
    readonly entries: Iterator<[number, number | number[]]>;
  } | null = null;
  private columns = new Int32Array(this.capacity * columnCount);
  private amounts = new Float64Array(this.capacity);
  private statuses = new Uint8Array(this.capacity);
  private labelCodes = new Uint8Array(this.capacity);
  private count = 0;

  get size(): number {
    return this.count;
  }

  rowOf(orderId: string): number | undefined {
    const found = this.index.get(hashText(orderId) | 0);
    if (found === undefined) return undefined;
    const check = checkHash(orderId);
    const rows = typeof found === 'number' ? [found] : found;
    return rows.find((row) => this.columns[row * columnCount + 7] === check);
  }

  add(orderId: string, rows: OrderRows): number {
    const existing = this.rowOf(orderId);
    if (existing !== undefined) return existing;
    if (this.count === this.capacity) this.grow();
    const row = this.count;
    this.count += 1;
    const hash = hashText(orderId) | 0;
    const bucket = this.index.get(hash);
    if (bucket === undefined) this.index.set(hash, row);
    else if (typeof bucket === 'number') this.index.set(hash, [bucket, row]);
    else bucket.push(row);
    const check = checkHash(orderId);
    const values = [
      rows.accountRow,
      rows.deviceRow,
      rows.addressRow,
      rows.emailRow,
      rows.phoneRow,
      rows.ipRow,
      rows.ibanRow,
      check,
    ];
    this.columns.set(values, row * columnCount);
    this.amounts[row] = rows.amount;
    return row;
  }

  /** Takes a cut of the orders there are now: their rows by `cutRows`, the index by `cutIndex`, then `endCut`. */
  cutHead(): { readonly count: number } {
    if (this.cut !== null) throw new Error('the order table is already being cut');
    this.cut = { rows: new RowCut(this.count), entries: this.index.entries() };
    return { count: this.count };
  }

  /** The cut's rows from `from` (where the last call ended, or 0) to at most `to`, as they were at the cut. */
  cutRows(from: number, to: number): OrderRowsData {
    const cut = this.cut;
    if (cut === null || from !== cut.rows.written) throw new Error(`the order table's cut is not at row ${from}`);
    const end = Math.min(to, cut.rows.size);
    const data = {
      from,
      // An order's columns are fixed when it is added.
      columns: this.columns.slice(from * columnCount, end * columnCount),
      amounts: this.amounts.slice(from, end),
      statuses: this.statuses.slice(from, end),
      labelCodes: this.labelCodes.slice(from, end),
    };
    for (let row = from; row < end; row += 1) {
      const kept = cut.rows.take(row);
      if (kept === undefined) continue;
      [data.amounts[row - from], data.statuses[row - from], data.labelCodes[row - from]] = kept;
    }
    cut.rows.written = end;
    return data;
  }

  /** Called before an order's amount, status or label changes. */
  private keep(row: number): void {
    this.cut?.rows.keep(row, () => [this.amounts[row] ?? 0, this.statuses[row] ?? 0, this.labelCodes[row] ?? 0]);
  }

  /** The cut's next index pairs ([hash, row] flat; at most `limit`), or null when all are out. */
  cutIndex(limit: number): Int32Array | null {
    const cut = this.cut;
    if (cut === null) throw new Error('the order table is not being cut');
    const pairs: number[] = [];
    while (pairs.length < limit * 2) {
      const next = cut.entries.next();
      if (next.done === true) break;
      const [hash, bucket] = next.value;
      const count = cut.rows.size;
      if (typeof bucket === 'number') {
        if (bucket < count) pairs.push(hash, bucket);
      } else for (const row of bucket) if (row < count) pairs.push(hash, row);
    }
    return pairs.length === 0 ? null : Int32Array.from(pairs);
  }

  endCut(): void {
    this.cut = null;
  }

  /** Fills an empty table from a snapshot. */
  load(data: OrderTableData): void {
    this.count = data.count;
    this.capacity = Math.max(1024, Math.ceil(data.count * 1.25));
    this.columns = new Int32Array(this.capacity * columnCount);
    this.columns.set(data.columns);
    this.amounts = new Float64Array(this.capacity);
    this.amounts.set(data.amounts);
    this.statuses = new Uint8Array(this.capacity);
    this.statuses.set(data.statuses);
    this.labelCodes = new Uint8Array(this.capacity);
    this.labelCodes.set(data.labelCodes);
    this.index.clear();
    for (let at = 0; at < data.index.length; at += 2) {
      const hash = data.index[at]!;
      const row = data.index[at + 1]!;
      const bucket = this.index.get(hash);
      if (bucket === undefined) this.index.set(hash, row);
      else if (typeof bucket === 'number') this.index.set(hash, [bucket, row]);
      else bucket.push(row);
    }
  }

  private grow(): void {
    this.capacity *= 2;
    const columns = new Int32Array(this.capacity * columnCount);
    columns.set(this.columns);
    this.columns = columns;
    const amounts = new Float64Array(this.capacity);
    amounts.set(this.amounts);
    this.amounts = amounts;
    const statuses = new Uint8Array(this.capacity);
    statuses.set(this.statuses);
    this.statuses = statuses;
    const labelCodes = new Uint8Array(this.capacity);
    labelCodes.set(this.labelCodes);
    this.labelCodes = labelCodes;
  }

  account(row: number): number {
    return this.columns[row * columnCount] ?? -1;
  }
  amount(row: number): number {
    return this.amounts[row] ?? 0;
  }
  setAmount(row: number, amount: number): void {
    this.keep(row);
    this.amounts[row] = amount;
  }
  status(row: number): OrderStatus {
    return orderStatuses[this.statuses[row] ?? 0] ?? 'open';
  }
  setStatus(row: number, status: OrderStatus): void {
    this.keep(row);
    this.statuses[row] = orderStatuses.indexOf(status);
  }
  label(row: number): OrderLabel {
    return labels[this.labelCodes[row] ?? 0] ?? null;
  }
  setLabel(row: number, label: Exclude<OrderLabel, null>): void {
    this.keep(row);
    this.labelCodes[row] = labels.indexOf(label);
  }

  /** The entity tables and rows an order touched, for spreading a payment or label onto them. */
  entityRows(row: number, tables: Tables): [EntityTable, number][] {
    const base = row * columnCount;
    const pairs: [EntityTable, number][] = [
      [tables.devices, this.columns[base + 1] ?? -1],
      [tables.addresses, this.columns[base + 2] ?? -1],
      [tables.emails, this.columns[base + 3] ?? -1],
      [tables.phones, this.columns[base + 4] ?? -1],
      [tables.ips, this.columns[base + 5] ?? -1],
      [tables.ibans, this.columns[base + 6] ?? -1],
    ];
    return pairs.filter(([, entityRow]) => entityRow >= 0);
  }
}
