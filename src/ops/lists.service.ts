// Block and allow lists stored in the database and mirrored in memory, so decisions read them without I/O.
import { keysetSql } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Address } from '../checkout/session.schema.ts';
import { normaliseListValue, type ListKind, type Lists, type ListView } from '../risk/policy/list.view.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import type { PseudonymKind, Pseudonyms } from '../privacy/pseudonyms.ts';

export type ListValueInput =
  { kind: Exclude<ListKind, 'address'>; value: string } | { kind: 'address'; address: Address };

export interface ListEntryRow {
  id: string;
  list: 'block' | 'allow';
  kind: ListKind;
  value: string;
  reason: string;
  created_at: Date;
  expires_at: Date | null;
}

/** An entry about an erased person holds the value's pseudonym instead of the value (src/privacy/erasure.steps.ts). */
const isPseudonym = (value: string) => value.startsWith('p_');

export function makeListsService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  pseudonyms?: Pseudonyms;
}) {
  const { database, clock, ids, pseudonyms } = dependencies;
  let entries = new Map<string, { expiresAt: number | null }>();
  /** Kinds with pseudonymous entries: only those cost an HMAC per lookup. */
  let pseudonymousKinds = new Set<string>();
  const key = (list: string, kind: string, value: string) => `${list}\u0000${kind}\u0000${value}`;

  const view = (list: 'block' | 'allow'): ListView => ({
    has(kind, value) {
      let entry = entries.get(key(list, kind, value));
      if (entry === undefined && pseudonyms !== undefined && pseudonymousKinds.has(kind))
        entry = entries.get(key(list, kind, pseudonyms.of(kind as PseudonymKind, value)));
      // Expiry is checked against the clock at the edge that built this view, not inside the pure core.
      return entry !== undefined && (entry.expiresAt === null || entry.expiresAt > clock.now());
    },
  });
  const lists: Lists = { block: view('block'), allow: view('allow') };

  async function reload(): Promise<void> {
    const rows = await database.query<ListEntryRow>(
      'SELECT id, list, kind, value, reason, created_at, expires_at FROM list_entries WHERE removed_at IS NULL',
    );
    entries = new Map(
      rows.map((row) => [key(row.list, row.kind, row.value), { expiresAt: row.expires_at?.getTime() ?? null }]),
    );
    pseudonymousKinds = new Set(rows.filter((row) => isPseudonym(row.value)).map((row) => row.kind));
  }

  async function addNormalised(input: {
    list: 'block' | 'allow';
    kind: ListKind;
    value: string;
    reason: string;
    expiresAt?: Date;
  }): Promise<ListEntryRow> {
    const row: ListEntryRow = {
      id: ids.next('lst'),
      list: input.list,
      kind: input.kind,
      value: input.value,
      reason: input.reason,
      created_at: new Date(clock.now()),
      expires_at: input.expiresAt ?? null,
    };
    try {
      await database.query(
        'INSERT INTO list_entries (id, list, kind, value, reason, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.list, row.kind, row.value, row.reason, row.created_at, row.expires_at],
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError(409, 'already_listed', `this ${input.kind} is already on the ${input.list} list`, 'value');
      throw error;
    }
    await reload();
    return row;
  }

  return {
    lists,
    reload,
    async add(
      input: ListValueInput & { list: 'block' | 'allow'; reason: string; expiresAt?: Date },
    ): Promise<ListEntryRow> {
      // The same normalisation the engine applies to a session, so a listed value always matches.
      const value =
        input.kind === 'address' ? normaliseAddress(input.address).key : normaliseListValue(input.kind, input.value);
      if (value === null) throw new ApiError(422, 'invalid_list_value', `not a valid ${input.kind}`, 'value');
      return addNormalised({
        list: input.list,
        kind: input.kind,
        value,
        reason: input.reason,
        expiresAt: input.expiresAt,
      });
    },
    /** For values already normalised as the engine sees them (an address key from the entity graph). */
    addNormalised,
    async remove(id: string): Promise<boolean> {
      const rows = await database.query<{ id: string }>(
        'UPDATE list_entries SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL RETURNING id',
        [id, new Date(clock.now())],
      );
      await reload();
      return rows.length > 0;
    },
    /** One keyset page, newest first (limit+1 rows). */
    list: (filter: {
      list?: 'block' | 'allow';
      kind?: ListKind;
      limit: number;
      after: readonly [string, string] | null;
    }) => {
      const keyset = keysetSql({ columns: ['created_at', 'id'], direction: 'desc' }, filter, 3);
      return database.query<ListEntryRow>(
        `SELECT id, list, kind, value, reason, created_at, expires_at FROM list_entries
         WHERE removed_at IS NULL AND ($1::text IS NULL OR list = $1) AND ($2::text IS NULL OR kind = $2)
           AND ${keyset.where} ${keyset.orderBy}`,
        [filter.list ?? null, filter.kind ?? null, ...keyset.params],
      );
    },
  };
}

export type ListsService = ReturnType<typeof makeListsService>;
