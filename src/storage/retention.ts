// Retention of unauthenticated state: expired sign-ins, ceremonies, consumer sessions, counters and idempotency keys.
import type { Clock } from '../shared/clock.ts';
import type { SqlExecutor } from './database.ts';

const day = 86_400_000;

/**
 * How long each table keeps a row past its end. Sign-ins and counters stay a month so that lockouts and
 * back-off measured over days still see them; the rest goes a day after it stopped being usable.
 */
export const retention = [
  { table: 'sign_ins', key: 'id', expired: 'expires_at < $1', keepMilliseconds: 30 * day },
  { table: 'webauthn_ceremonies', key: 'id', expired: 'expires_at < $1', keepMilliseconds: day },
  {
    table: 'consumer_sessions',
    key: 'id',
    expired: '(expires_at < $1 OR revoked_at < $1)',
    keepMilliseconds: day,
  },
  { table: 'rate_limit_counters', key: 'ctid', expired: 'window_start < $1', keepMilliseconds: 30 * day },
  {
    table: 'idempotency_keys',
    key: 'ctid',
    // A claim still in progress is kept until its own expiry has passed too.
    expired: `created_at < $1 AND (status_code <> 0 OR claimed_until < $1)`,
    keepMilliseconds: 7 * day,
  },
] as const;

const batchSize = 5_000;

/**
 * Deletes expired rows in small batches (short locks). Several processes may run it at once: SKIP LOCKED lets
 * each take different rows, so every row is deleted once, by whichever process gets it.
 */
export async function purgeExpired(database: SqlExecutor, now: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table, key, expired, keepMilliseconds } of retention) {
    const before = new Date(now.getTime() - keepMilliseconds);
    let total = 0;
    for (;;) {
      const rows = await database.query(
        `DELETE FROM ${table} WHERE ${key} IN (
           SELECT ${key} FROM ${table} WHERE ${expired} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
         ) RETURNING 1`,
        [before],
      );
      total += rows.length;
      if (rows.length < batchSize) break;
    }
    counts[table] = total;
  }
  return counts;
}

/** The scheduler task: returns how many rows were purged. */
export function makeRetentionTask(dependencies: { database: SqlExecutor; clock: Clock }) {
  return {
    name: 'retention',
    async run(): Promise<number> {
      const counts = await purgeExpired(dependencies.database, new Date(dependencies.clock.now()));
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
  };
}
