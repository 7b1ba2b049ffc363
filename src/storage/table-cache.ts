// In-memory caches of small, rarely changed tables (webhook endpoints, capture modes), cleared when the table changes.
import type { SqlExecutor } from './database.ts';

/** Told of a change: `keys` when it named the rows it touched (a cache keyed by them drops those), else everything. */
type Clearer = (keys?: readonly string[]) => void;
const clearers = new Map<string, Set<Clearer>>();

/**
 * A write to `table` committed (here or, through NOTIFY, in another process): every cache of it starts over, or,
 * when the change named the keys it touched, drops those.
 */
export function tableChanged(table: string, keys?: readonly string[]): void {
  for (const clear of clearers.get(table) ?? []) clear(keys);
}

/** Notifications may have been missed (a listener connection dropped): trust no cache. */
export function allTablesChanged(): void {
  for (const set of clearers.values()) for (const clear of set) clear();
}

/** Runs `callback` whenever `table` changes (a reload of something held in memory); returns how to stop. */
export function onTableChange(table: string, callback: Clearer): () => void {
  if (!clearers.has(table)) clearers.set(table, new Set());
  clearers.get(table)!.add(callback);
  return () => void clearers.get(table)?.delete(callback);
}

/**
 * Loads by key once and serves from memory until `table` changes. A load that overlapped a change is not kept
 * (the generation moved), so a reader never stores what the change replaced.
 */
export function makeTableCache<Value>(table: string, load: (db: SqlExecutor, key: string) => Promise<Value>) {
  const entries = new Map<string, Value>();
  let generation = 0;
  const clear = () => {
    generation += 1;
    entries.clear();
  };
  if (!clearers.has(table)) clearers.set(table, new Set());
  clearers.get(table)!.add(clear);
  return {
    async get(db: SqlExecutor, key: string): Promise<Value> {
      if (entries.has(key)) return entries.get(key)!;
      const started = generation;
      const value = await load(db, key);
      if (generation === started) entries.set(key, value);
      return value;
    },
  };
}
