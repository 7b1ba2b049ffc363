// Planner statistics after a bulk write: ANALYZE of the tables it changed a significant share of, and only those.
import type { SqlExecutor } from './database.ts';

/**
 * autovacuum's default rule for ANALYZE (autovacuum_analyze_threshold 50, autovacuum_analyze_scale_factor 0.1): a table
 * is due once more than 50 rows plus a tenth of its estimated rows changed since its statistics were taken.
 */
export const analyzeRule = { rows: 50, share: 0.1 } as const;

/**
 * Analyzes each table of `written` (table name -> rows this write inserted or updated) that autovacuum's rule says is
 * due, counting only this write's rows, and returns their names. Until autovacuum gets round to it (up to a minute, or
 * never where it is off), the planner works from statistics taken before the write: after a first bulk import it took
 * an account's channels for a hundred rows and read the whole channels table by hash join for every approval.
 *
 * Only this write's rows count, not the statistics system's counter of changes since the last ANALYZE, nor the growth
 * in pages since: those also hold what autovacuum will see to in the background, and a history imported in parts of
 * a thousand lines would wait for an ANALYZE at every tenth of growth (20 of the orders table's, 5 s in all, in the
 * HTTP bench's import of 40,000 orders). The counter also reaches other backends late (about once a second; PGlite
 * never flushes it), so a part's own rows can be counted again after its ANALYZE.
 *
 * ANALYZE takes a SHARE UPDATE EXCLUSIVE lock: reads and writes of the table carry on meanwhile. It reads a sample of
 * at most 30,000 rows per table (default_statistics_target 100), not the whole table. One statement per table: each
 * commits and lets go of its lock on its own, and each has the whole statement timeout.
 */
export async function analyzeChangedTables(
  database: SqlExecutor,
  written: ReadonlyMap<string, number>,
): Promise<string[]> {
  const tables = [...written].filter(([, rows]) => rows > analyzeRule.rows).map(([name]) => name);
  if (tables.length === 0) return [];
  // reltuples: rows at the last ANALYZE or VACUUM, -1 if the table never had either (then the 50 rows decide).
  const estimates = await database.query<{ name: string; estimated: number }>(
    `SELECT t.name, c.reltuples::float8 AS estimated
     FROM unnest($1::text[]) AS t (name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [tables],
  );
  const due = estimates
    .filter(
      (table) =>
        (written.get(table.name) ?? 0) > analyzeRule.rows + analyzeRule.share * Math.max(0, Number(table.estimated)),
    )
    .map((table) => table.name)
    .sort();
  for (const table of due) await database.query(`ANALYZE ${quoteIdentifier(table)}`);
  return due;
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
