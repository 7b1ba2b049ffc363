// Indexes from a normalised e-mail, phone or address key to the few accounts that have it, and their snapshot form.
import type { EntityTable } from './entity.table.ts';
import type { GrowOnlyCut } from './row-cut.ts';

/** Index keys mapping to at most a few accounts; a shared e-mail or address lists at most this many. */
const indexCap = 16;

export type AccountIndex = Map<string, number | number[]>;

/** Adds an account to a key's list; `cut` (a snapshot being written) first records the list's length. */
export function indexAdd(index: AccountIndex, key: string, accountRow: number, cut?: GrowOnlyCut<string>): void {
  const existing = index.get(key);
  cut?.before(key, existing === undefined ? 0 : typeof existing === 'number' ? 1 : existing.length);
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
 * The next keys (at most `limit`) of an index as a cut holds them, in the snapshot's form of an index: flat [key row,
 * count, account rows...] per key. Every key is interned in its entity table (the state adds a key there before
 * indexing it), so the snapshot stores a row number, and loading shares the table's string again. `entries` walks the
 * live index (it only grows), each key's list cut to its length at the cut (a key added since has length 0 and is
 * left out). Null when the walk is over. Every key was interned in `table` before the cut, so its row is below the
 * table's cut.
 */
export function indexCutPart(
  entries: Iterator<[string, number | number[]]>,
  cut: GrowOnlyCut<string>,
  table: EntityTable,
  limit: number,
): Int32Array | null {
  const flat: number[] = [];
  for (let keys = 0; keys < limit;) {
    const next = entries.next();
    if (next.done === true) break;
    const [key, rows] = next.value;
    const list = typeof rows === 'number' ? [rows] : rows;
    const length = cut.lengthAt(key, list.length);
    if (length === 0) continue;
    const keyRow = table.rowOf(key);
    if (keyRow >= table.cutSize) throw new Error(`an index key of the ${table.kind} table is not in its cut`);
    flat.push(keyRow, length);
    for (let index = 0; index < length; index += 1) flat.push(list[index]!);
    keys += 1;
  }
  return flat.length === 0 ? null : Int32Array.from(flat);
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
