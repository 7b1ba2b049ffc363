// Column storage for orders: enough to apply later payments and labels to the right account and entities.
import { hashText } from '../normalise/text.normaliser.ts';
import type { EntityTable } from './entity.table.ts';

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

/** The order table in plain, structured-clone-able form, for the state snapshot. */
export interface OrderTableData {
  readonly count: number;
  readonly columns: Int32Array;
  readonly amounts: Float64Array;
  readonly statuses: Uint8Array;
  readonly labelCodes: Uint8Array;
  /** The id-hash index flattened: [hash, row] pairs; a hash shared by several orders appears once per order. */
  readonly index: Int32Array;
}

export class OrderTable {
  private readonly index = new Map<number, number | number[]>();
  private capacity = 1024;
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

  toData(): OrderTableData {
    const pairs = new Int32Array(this.count * 2);
    let at = 0;
    for (const [hash, bucket] of this.index) {
      for (const row of typeof bucket === 'number' ? [bucket] : bucket) {
        pairs[at] = hash;
        pairs[at + 1] = row;
        at += 2;
      }
    }
    return {
      count: this.count,
      columns: this.columns.slice(0, this.count * columnCount),
      amounts: this.amounts.slice(0, this.count),
      statuses: this.statuses.slice(0, this.count),
      labelCodes: this.labelCodes.slice(0, this.count),
      index: pairs.subarray(0, at),
    };
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
    this.amounts[row] = amount;
  }
  status(row: number): OrderStatus {
    return orderStatuses[this.statuses[row] ?? 0] ?? 'open';
  }
  setStatus(row: number, status: OrderStatus): void {
    this.statuses[row] = orderStatuses.indexOf(status);
  }
  label(row: number): OrderLabel {
    return labels[this.labelCodes[row] ?? 0] ?? null;
  }
  setLabel(row: number, label: Exclude<OrderLabel, null>): void {
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
