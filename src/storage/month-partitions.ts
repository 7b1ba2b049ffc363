// Keeps the tables partitioned by month (migration 181) supplied with partitions ahead of time.
import type { Clock } from '../shared/clock.ts';
import type { Database } from './database.ts';

/** The tables partitioned by month on their time column; each also has a DEFAULT partition, so no insert fails. */
export const monthPartitionedTables = ['decisions', 'order_events'] as const;

/** Months made ahead of the current one: a quarter, so a cluster that stops its schedulers for weeks still has them. */
export const monthsAhead = 3;

export type PartitionOutcome = 'exists' | 'created' | 'moved';

/** The first instants (UTC) of the month of `at` and of the `count` months after it. */
export function monthStarts(at: Date, count: number): Date[] {
  return Array.from(
    { length: count + 1 },
    (_, index) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + index, 1)),
  );
}

/**
 * Makes the partitions of this month and the next `monthsAhead` months of every partitioned table, each in its own
 * transaction. Rows that landed in the DEFAULT partition for one of those months move into the new partition; the
 * foreign keys that had to be re-added unchecked for that are validated afterwards, outside the move's transaction.
 * Returns how many partitions were made.
 */
export async function ensureMonthPartitions(database: Database, now: Date): Promise<number> {
  let made = 0;
  for (const table of monthPartitionedTables) {
    for (const month of monthStarts(now, monthsAhead)) {
      const outcome = await database.transaction(async (tx) => {
        const [row] = await tx.query<{ outcome: PartitionOutcome }>(
          'SELECT rearguard_ensure_month_partition($1, $2) AS outcome',
          [table, month],
        );
        return row?.outcome ?? 'exists';
      });
      if (outcome === 'exists') continue;
      made += 1;
      if (outcome === 'moved') await database.query('SELECT rearguard_validate_foreign_keys($1)', [table]);
    }
  }
  return made;
}

/** The scheduled task (once per cluster, like every scheduled task): returns how many partitions it made. */
export function makeMonthPartitionsTask(dependencies: { database: Database; clock: Clock }) {
  return {
    name: 'month_partitions',
    run: () => ensureMonthPartitions(dependencies.database, new Date(dependencies.clock.now())),
  };
}
