// Many small number lists packed into one typed array and back: the snapshot's form of per-entity lists.

/**
 * The lists laid end to end in `values`, with each list's length in `lengths` (-1: no list). A snapshot copies the
 * lists this way in one pass (a consistent cut that later changes to the live lists do not reach), and a typed array
 * serialises as one block where a million small arrays each cost the serialiser an object.
 */
export interface FlatLists {
  readonly values: Float64Array;
  readonly lengths: Int32Array;
}

export function flattenLists(lists: readonly (readonly number[] | undefined)[], count = lists.length): FlatLists {
  let total = 0;
  for (let index = 0; index < count; index += 1) total += lists[index]?.length ?? 0;
  const values = new Float64Array(total);
  const lengths = new Int32Array(count);
  let at = 0;
  for (let index = 0; index < count; index += 1) {
    const list = lists[index];
    if (list === undefined) {
      lengths[index] = -1;
      continue;
    }
    lengths[index] = list.length;
    for (let item = 0; item < list.length; item += 1) values[at + item] = list[item]!;
    at += list.length;
  }
  return { values, lengths };
}

/** The lists again, as plain arrays each sized exactly (the live state appends to them). */
export function unflattenLists(flat: FlatLists): (number[] | undefined)[] {
  const lists: (number[] | undefined)[] = new Array<number[] | undefined>(flat.lengths.length);
  let at = 0;
  for (let index = 0; index < flat.lengths.length; index += 1) {
    const length = flat.lengths[index]!;
    if (length < 0) {
      lists[index] = undefined;
      continue;
    }
    const list = new Array<number>(length);
    for (let item = 0; item < length; item += 1) list[item] = flat.values[at + item]!;
    lists[index] = list;
    at += length;
  }
  return lists;
}

/** Typed arrays laid end to end in a new one (`make` gives it at its length); a single part is returned as it is. */
export function joinTypedArrays<Typed extends Float64Array | Int32Array | Uint8Array>(
  parts: readonly Typed[],
  make: (length: number) => Typed,
): Typed {
  if (parts.length === 1) return parts[0]!;
  const joined = make(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** Several flattened ranges of lists, in order, as one. */
export function concatFlatLists(parts: readonly FlatLists[]): FlatLists {
  return {
    values: joinTypedArrays(
      parts.map((part) => part.values),
      (length) => new Float64Array(length),
    ),
    lengths: joinTypedArrays(
      parts.map((part) => part.lengths),
      (length) => new Int32Array(length),
    ),
  };
}
