// A Database that explains instead of running: each query is sent as EXPLAIN and its plan kept, answering no rows.
import type { Database } from '../src/storage/database.ts';

/** The plans of the statements sent through `explainer` (EXPLAIN, not run), in order; each query answers no rows. */
export function explainingDatabase(database: Database) {
  const plans: string[] = [];
  const explainer: Database = {
    ...database,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const rows = await database.query<Record<string, string>>(`EXPLAIN ${sql}`, params as never);
      plans.push(rows.map((row) => Object.values(row).join(' ')).join('\n'));
      return [];
    },
  };
  return { plans, explainer };
}
