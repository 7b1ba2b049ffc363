// Indexes from a normalised e-mail, phone or address key to the few accounts that have it, and their snapshot form.
import type { EntityTable } from './entity.table.ts';

/** Index keys mapping to at most a few accounts; a shared e-mail or address lists at most this many. */
const indexCap = 16;

export type AccountIndex = Map<string, number | number[]>;

export function indexAdd(index: AccountIndex, key: string, accountRow: number): void {
  const existing = index.get(key);
  if (existing === undefined) index.set(key, accountRow);
  else if (typeof existing === 'number') {
    if (existing !== accountRow) index.set(key, [existing, accountRow]);
  } else if (!existing.includes(accountRow) && existing.length < indexCap) existing.push(accountRow);
}

export function indexGet(index: AccountIndex, key: string | null): readonly number[] {
  if (key === null) return [];
  const found = index.get(key);
  return found === undefined ? [] : typeof found === 'number' ? [found] : found;
}

/**
 * Flat [key row, count, account rows...] per key. Every key is interned in `table` (the state adds a key there
 * before indexing it), so the snapshot stores a row number, and loading shares the table's string again.
 */
export function indexToData(index: AccountIndex, table: EntityTable): Int32Array {
  const flat: number[] = [];
  for (const [key, rows] of index) {
    const list = typeof rows === 'number' ? [rows] : rows;
    flat.push(table.rowOf(key), list.length, ...list);
  }
  return Int32Array.from(flat);
}

export function indexFromData(index: AccountIndex, data: Int32Array, table: EntityTable): void {
  index.clear();
  for (let at = 0; at < data.length;) {
    const key = table.keys[data[at]!]!;
    const count = data[at + 1]!;
    const rows = Array.from(data.subarray(at + 2, at + 2 + count));
    index.set(key, count === 1 ? rows[0]! : rows);
    at += 2 + count;
  }
}
