// Applies the plain-SQL migrations in order, once each, recorded in schema_migrations.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database, SqlExecutor } from './database.ts';

const migrationsDirectory = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Several processes starting at once on one database (a cluster, replicas): one migrates, the others wait and skip. */
const lockMigrations = (tx: SqlExecutor) =>
  tx.query("SELECT pg_advisory_xact_lock(hashtext('rearguard_migrate'), hashtext(current_schema()))");

/** `through`: apply only the migrations up to and including this file name (tests of a migration on older data). */
export async function migrate(database: Database, options: { through?: string } = {}): Promise<string[]> {
  await database.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
  });
  const applied = new Set(
    (await database.query<{ name: string }>('SELECT name FROM schema_migrations')).map((row) => row.name),
  );
  const files = (await readdir(migrationsDirectory))
    .filter((file) => file.endsWith('.sql') && (options.through === undefined || file <= options.through))
    .sort();
  const newlyApplied: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    const script = await readFile(migrationsDirectory + file, 'utf8');
    const ran = await database.transaction(async (tx) => {
      await lockMigrations(tx);
      const [done] = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [file]);
      if (done) return false;
      // Several statements without parameters: the simple-query protocol runs them in this transaction.
      await tx.exec(script);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      return true;
    });
    if (ran) newlyApplied.push(file);
  }
  return newlyApplied;
}
