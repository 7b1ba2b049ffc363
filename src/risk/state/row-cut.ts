// Copy-on-write for a cut of the online state that is written out a slice at a time while the state goes on.

/**
 * The rows of one structure as they were when a cut was taken. The writer goes through rows in order (`written`:
 * rows below it are out); a row that is about to change before the writer reached it is copied first (`keep`), once,
 * and the writer takes that copy instead of the live row. Rows added after the cut (`size` and up) are not in it.
 */
export class RowCut<Value> {
  private readonly kept = new Map<number, Value>();
  written = 0;

  constructor(readonly size: number) {}

  /** Called before row `row` changes: `copy` gives the row as it is now. */
  keep(row: number, copy: () => Value): void {
    if (row < this.written || row >= this.size || this.kept.has(row)) return;
    this.kept.set(row, copy());
  }

  /** The kept copy of a row the writer reaches now (undefined: the row has not changed since the cut). */
  take(row: number): Value | undefined {
    const value = this.kept.get(row);
    if (value !== undefined) this.kept.delete(row);
    return value;
  }
}

/**
 * For a map whose values only grow (lists appended to, keys added, none removed): each key's length when the cut was
 * taken, recorded before its first change after the cut (0: the key was not there). The writer walks the live map
 * and takes each list's first `lengthAt` items, which are exactly the items the key held at the cut.
 */
export class GrowOnlyCut<Key> {
  private readonly lengths = new Map<Key, number>();

  before(key: Key, currentLength: number): void {
    if (!this.lengths.has(key)) this.lengths.set(key, currentLength);
  }

  lengthAt(key: Key, currentLength: number): number {
    return this.lengths.get(key) ?? currentLength;
  }
}
