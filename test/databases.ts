// Test databases: PGlite cloned from the run's template, and PostgreSQL in a throwaway schema when DATABASE_URL is set.
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import type { Database } from '../src/storage/database.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { migrate } from '../src/storage/migrate.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export const postgresUrl = process.env.DATABASE_URL;

/** PGlite always; PostgreSQL too when a server is configured. */
export const databaseKinds: DatabaseKind[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

export async function makeTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    const template = await readFile(inject('pgliteTemplate'));
    const database = await makePgliteDatabase({ loadDataDir: new Blob([template]) });
    await migrate(database);
    return database;
  }
  if (!postgresUrl) throw new Error('DATABASE_URL is not set');
  const schema = `rg_test_${randomBytes(6).toString('hex')}`;
  const database = await makePostgresDatabase({ url: postgresUrl, schema, poolSize: 4 });
  await migrate(database);
  const close = database.close;
  return {
    ...database,
    async close() {
      await close();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
