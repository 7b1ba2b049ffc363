// The one list envelope every list route answers with, its query, the opaque cursor and the keyset SQL behind it.
import { z } from 'zod';
import { ApiError } from '../shared/errors.ts';
import type { SqlValue } from '../storage/database.ts';

export const defaultPageSize = 50;
export const maxPageSize = 200;

/** `limit` and `cursor` for every list route; extend it with the route's own filters. */
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(defaultPageSize),
  cursor: z.string().max(512).optional(),
});

/** `{ data, next_cursor, has_more }` around one item schema, so OpenAPI shows the same shape everywhere. */
export function listEnvelope<Item extends z.ZodType>(item: Item) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().describe('Pass as ?cursor= to get the next page; null on the last page'),
    has_more: z.boolean(),
  });
}

export type ListPage<Item> = { data: Item[]; next_cursor: string | null; has_more: boolean };

/** A cursor is the sort key of the last item given out, as base64url JSON: opaque to callers, checked on return. */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function invalidCursor(): ApiError {
  return new ApiError(400, 'invalid_cursor', 'the cursor is not one this list gave out', 'cursor');
}

/** Decodes a cursor against the shape of the route's sort key; anything else is a 400 `invalid_cursor`. */
export function decodeCursor<Key extends CursorKey>(cursor: string, shape: z.ZodType<Key>): Key {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const parsed = shape.safeParse(value);
  if (!parsed.success) throw invalidCursor();
  return parsed.data;
}

export interface Keyset {
  /** Unique sort columns, most significant first (end with a unique one such as the id). */
  readonly columns: readonly string[];
  readonly direction: 'asc' | 'desc';
}

/**
 * The keyset part of a page query: a row-value comparison after the cursor, the ORDER BY and a LIMIT of one more
 * than asked, so the extra row tells whether there is more. `firstParameter` is the next free $n of the query.
 */
export function keysetSql(
  keyset: Keyset,
  page: { limit: number; after: CursorKey | null },
  firstParameter: number,
): { where: string; orderBy: string; params: SqlValue[] } {
  const order = keyset.direction === 'asc' ? 'ASC' : 'DESC';
  const orderBy = `ORDER BY ${keyset.columns.map((column) => `${column} ${order}`).join(', ')} LIMIT $${
    firstParameter + (page.after ? page.after.length : 0)
  }`;
  if (!page.after) return { where: 'TRUE', orderBy, params: [page.limit + 1] };
  const placeholders = page.after.map((_, index) => `$${firstParameter + index}`);
  const where = `(${keyset.columns.join(', ')}) ${keyset.direction === 'asc' ? '>' : '<'} (${placeholders.join(', ')})`;
  return { where, orderBy, params: [...page.after, page.limit + 1] };
}

/** Cuts the limit+1 rows a keyset query fetched into the envelope, the cursor being the last given row's key. */
export function toPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  keyOf: (row: Row) => CursorKey,
  present: (row: Row) => Item,
): ListPage<Item> {
  const has_more = rows.length > limit;
  const given = rows.slice(0, limit);
  const last = given.at(-1);
  return {
    data: given.map(present),
    next_cursor: has_more && last !== undefined ? encodeCursor(keyOf(last)) : null,
    has_more,
  };
}

/**
 * The same envelope over a list that is put together in memory (merged from several tables, like a consumer's
 * devices): sorted by a unique key, newest first, and cut after the cursor's key exactly as the SQL keyset would.
 */
export function pageInMemory<Item, Key extends readonly string[]>(
  items: readonly Item[],
  page: { limit: number; cursor?: string | undefined },
  cursorShape: z.ZodType<Key>,
  keyOf: (item: Item) => Key,
): ListPage<Item> {
  const compare = (a: readonly string[], b: readonly string[]) => {
    for (let index = 0; index < a.length; index++) {
      const left = a[index] ?? '';
      const right = b[index] ?? '';
      if (left !== right) return left < right ? -1 : 1;
    }
    return 0;
  };
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor, cursorShape);
  const sorted = [...items].sort((a, b) => compare(keyOf(b), keyOf(a)));
  const rest = after ? sorted.filter((item) => compare(keyOf(item), after) < 0) : sorted;
  return toPage(rest.slice(0, page.limit + 1), page.limit, keyOf, (item) => item);
}
