// Planner statistics after a bulk write: ANALYZE of the tables it changed a significant share of, and only those.
import type { SqlExecutor } from './database.ts';

/**
 * autovacuum's default rule for ANALYZE (autovacuum_analyze_threshold 50, autovacuum_analyze_scale_factor 0.1): a table
 * is due once more than 50 rows plus a tenth of its estimated rows changed since its statistics were taken.
 */
export const analyzeRule = { rows: 50, share: 0.1 } as const;

interface TableEstimate {
  readonly name: string;
  /** pg_class.reltuples: rows at the last ANALYZE or VACUUM, -1 if the table never had either. */
  readonly estimated: number;
  /** Rows inserted, updated or deleted since the last ANALYZE, as the statistics system has heard so far. */
  readonly modified: number;
  /** Rows added since the last ANALYZE as the planner itself extrapolates them from the table's pages. */
  readonly grown: number;
}

/**
 * Analyzes each table of `written` (table name -> rows this write inserted or updated) that autovacuum's rule says is
 * due, and returns their names. Until autovacuum gets round to it (up to a minute, or never
 * where it is off), the planner works from statistics taken before the write: after a first bulk import it took an
 * account's channels for a hundred rows and read the whole channels table by hash join for every approval.
 *
 * The changed rows are counted three ways and the largest wins, since none is complete on its own: `written` is exact
 * for this write but forgets earlier ones (a history imported in parts); the statistics system's counter covers every
 * writer but reaches other backends only about once a second, and PGlite never flushes it; the growth in pages since
 * the last ANALYZE covers earlier inserts wherever they came from.
 *
 * ANALYZE takes a SHARE UPDATE EXCLUSIVE lock: reads and writes of the table carry on meanwhile. It reads a sample of
 * at most 30,000 rows per table (default_statistics_target 100), not the whole table. One statement per table: each
 * commits and lets go of its lock on its own, and each has the whole statement timeout.
 */
export async function analyzeChangedTables(
  database: SqlExecutor,
  written: ReadonlyMap<string, number>,
): Promise<string[]> {
  const tables = [...written].filter(([, rows]) => rows > 0).map(([name]) => name);
  if (tables.length === 0) return [];
  const estimates = await database.query<TableEstimate>(
    `SELECT t.name, c.reltuples::float8 AS estimated,
       COALESCE(pg_stat_get_mod_since_analyze(c.oid), 0)::float8 AS modified,
       CASE WHEN c.relpages > 0 AND c.reltuples > 0
         THEN c.reltuples * (pg_relation_size(c.oid)::float8 / current_setting('block_size')::float8 / c.relpages - 1)
         ELSE 0 END AS grown
     FROM unnest($1::text[]) AS t (name) JOIN pg_class c ON c.oid = to_regclass(t.name)`,
    [tables],
  );
  const due = estimates
    .filter((table) => isDue(table, written.get(table.name) ?? 0))
    .map((table) => table.name)
    .sort();
  if (due.length === 0) return [];
  for (const table of due) await database.query(`ANALYZE ${quoteIdentifier(table)}`);
  return due;
}

function isDue(table: TableEstimate, written: number): boolean {
  const changed = Math.max(written, Number(table.modified), Number(table.grown));
  return changed > analyzeRule.rows + analyzeRule.share * Math.max(0, Number(table.estimated));
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
