// PostgreSQL server adapter of the Database port (node-postgres pool).
import pg from 'pg';
import type { Database, SqlExecutor, SqlValue } from './database.ts';

// Keep BIGINT (int8) and NUMERIC as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export interface PostgresOptions {
  readonly url: string;
  /** Schema to use (created if missing); lets tests share one server without colliding. */
  readonly schema?: string;
  readonly poolSize?: number;
}

function wrap(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async exec(script: string) {
      await client.query(script);
    },
    async query<Row>(text: string, params: readonly SqlValue[] = []) {
      const result = await client.query(text, params as unknown[]);
      return result.rows as Row[];
    },
  };
}

export async function makePostgresDatabase(options: PostgresOptions): Promise<Database> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema !== undefined) {
    const bootstrap = new pg.Client({ connectionString: options.url });
    await bootstrap.connect();
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await bootstrap.end();
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
