// Subscribes to NOTIFY channels on either adapter, and drops table caches when another process changes a table.
import type { Database } from './database.ts';
import { allTablesChanged, tableChanged } from './table-cache.ts';

type Unlisten = () => Promise<void>;

/**
 * PostgreSQL through the port's `listen`; embedded PGlite (one process, one connection) through its own `listen`.
 * Resolves null when neither is there or subscribing failed: the caller keeps polling.
 */
export async function listenFor(
  database: Database,
  channel: string,
  onNotify: (payload: string | null) => void,
): Promise<Unlisten | null> {
  try {
    if (database.listen) return await database.listen(channel, onNotify);
    const embedded = (
      database as { pglite?: { listen?: (channel: string, cb: (p: string) => void) => Promise<Unlisten> } }
    ).pglite;
    if (embedded?.listen) return await embedded.listen(channel, (payload) => onNotify(payload));
  } catch {
    return null;
  }
  return null;
}

/**
 * Table caches follow changes committed anywhere: a payload names the table, or the table and the keys it touched
 * (`accounts_on_file:acc_1,acc_2`); a gap (null) clears every cache.
 */
export async function followTableChanges(database: Database): Promise<Unlisten | null> {
  return listenFor(database, 'rearguard_changes', (payload) => {
    if (payload === null || payload === '') return allTablesChanged();
    const colon = payload.indexOf(':');
    if (colon === -1) tableChanged(payload);
    else tableChanged(payload.slice(0, colon), payload.slice(colon + 1).split(','));
  });
}
