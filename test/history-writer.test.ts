// Migration 100 on both databases and in both orders it runs in: each history row names its writer, an update that
// renumbers a row names the updating writer, and one that does not renumber keeps the row's writer.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Database, SqlExecutor } from '../src/storage/database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { databaseKinds, makeTestDatabase, postgresUrl, type DatabaseKind } from './databases.ts';

const migration = '100_history_writer.sql';
const historyTables = [
  'accounts',
  'channels',
  'orders',
  'payments',
  'order_events',
  'verifications',
  'account_bank_subjects',
  'bank_subject_conflicts',
  'labels',
];

/**
 * A database that had every other migration before this one (an existing installation): 100 is held back by a
 * pretended record, so 110-197 run first, then 100 last.
 */
async function makeExistingDatabase(kind: DatabaseKind): Promise<Database> {
  let database: Database;
  let drop = async () => {};
  if (kind === 'pglite') database = await makePgliteDatabase();
  else {
    const schema = `rg_test_${randomBytes(6).toString('hex')}`;
    database = await makePostgresDatabase({ url: postgresUrl!, schema, poolSize: 2 });
    drop = async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    };
  }
  await migrate(database, { through: '091_staff.sql' });
  await database.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration]);
  await migrate(database);
  await database.query('DELETE FROM schema_migrations WHERE name = $1', [migration]);
  expect(await migrate(database)).toEqual([migration]);
  const close = database.close;
  return {
    ...database,
    async close() {
      await close();
      await drop();
    },
  };
}

/** Runs `work` as the named writer (a server pool's `rearguard.writer` setting), for this transaction only. */
function as<T>(database: Database, writer: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return database.transaction(async (tx) => {
    await tx.query(`SELECT set_config('rearguard.writer', $1, true)`, [writer]);
    return work(tx);
  });
}

async function stamp(database: Database, table: string, id: string) {
  const [row] = await database.query<{ history_seq: string; history_writer: string | null }>(
    `SELECT history_seq::text, history_writer FROM ${table} WHERE id = $1`,
    [id],
  );
  return row!;
}

const orders = [
  ['new database (100 before 165-197)', (kind: DatabaseKind) => makeTestDatabase(kind)],
  ['existing database (100 after 197)', makeExistingDatabase],
] as const;

describe.each(databaseKinds)('history writer (%s)', (kind) => {
  describe.each(orders)('%s', (_name, make) => {
    let database: Database;
    beforeAll(async () => {
      database = await make(kind);
    });
    afterAll(async () => {
      await database?.close();
    });

    it('names the inserting writer, and NULL for one without the setting', async () => {
      const at = new Date('2026-11-02T10:00:00Z');
      await as(database, 'wfirst', async (tx) => {
        await tx.query(`INSERT INTO accounts (id, created_at) VALUES ('acc_w', $1)`, [at]);
        await tx.query(
          `INSERT INTO orders (id, account_id, merchant_name, source, status, amount, currency, input, placed_at)
           VALUES ('ord_w', 'acc_w', 'Shop', 'import', 'approved', 1000, 'EUR', '{}', $1)`,
          [at],
        );
        await tx.query(
          `INSERT INTO order_events (id, order_id, event, from_state, to_state, actor, details, exposure, at)
           VALUES ('oev_w', 'ord_w', 'cancelled', 'authorized', 'cancelled', 'merchant', '{}', 0, $1)`,
          [at],
        );
      });
      for (const [table, id] of [
        ['accounts', 'acc_w'],
        ['orders', 'ord_w'],
        ['order_events', 'oev_w'],
      ] as const)
        expect((await stamp(database, table, id)).history_writer).toBe('wfirst');
      // The pool's own setting (PostgreSQL), or none at all (PGlite): a row every tail reads.
      await database.query(
        `INSERT INTO labels (id, order_id, label, known_at) VALUES ('lbl_w', 'ord_w', 'legit', $1)`,
        [at],
      );
      expect((await stamp(database, 'labels', 'lbl_w')).history_writer).toBe(database.writer ?? null);
    });

    it('names the updating writer when an update renumbers the row, and keeps the writer when it does not', async () => {
      const before = await stamp(database, 'accounts', 'acc_w');
      await as(database, 'wsecond', (tx) =>
        tx.query(`UPDATE accounts SET always_verify = true, always_verify_at = now() WHERE id = 'acc_w'`),
      );
      const renumbered = await stamp(database, 'accounts', 'acc_w');
      expect(renumbered.history_seq).not.toBe(before.history_seq);
      expect(renumbered.history_writer).toBe('wsecond');

      await as(database, 'wthird', (tx) => tx.query(`UPDATE accounts SET language = 'nl' WHERE id = 'acc_w'`));
      expect(await stamp(database, 'accounts', 'acc_w')).toEqual(renumbered);

      // The partitioned table: its triggers came through 181's conversion (new database) or reach its partitions.
      await as(database, 'wsecond', (tx) => tx.query(`UPDATE order_events SET exposure = 10 WHERE id = 'oev_w'`));
      const event = await stamp(database, 'order_events', 'oev_w');
      expect(event.history_writer).toBe('wsecond');
      await as(database, 'wthird', (tx) => tx.query(`UPDATE order_events SET details = '{"a":1}' WHERE id = 'oev_w'`));
      expect(await stamp(database, 'order_events', 'oev_w')).toEqual(event);

      await as(database, 'wthird', (tx) => tx.query(`UPDATE orders SET status = 'claimed' WHERE id = 'ord_w'`));
      expect((await stamp(database, 'orders', 'ord_w')).history_writer).toBe('wfirst');
    });

    it('stamps the writer on exactly the updates that renumber, table by table', async () => {
      // A writer changed without a new number would make another process's unread fact look like this one's own.
      const triggers = await database.query<{ table: string; trigger: string; type: number; columns: string }>(
        `SELECT c.relname AS table, t.tgname AS trigger, t.tgtype AS type, t.tgattr::text AS columns
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
           AND t.tgname IN (c.relname || '_history_seq', c.relname || '_history_writer')`,
        [historyTables],
      );
      for (const table of historyTables) {
        const of = (suffix: string) => triggers.find((row) => row.trigger === `${table}_${suffix}`);
        expect(of('history_writer'), table).toBeDefined();
        expect({ type: of('history_writer')!.type, columns: of('history_writer')!.columns }, table).toEqual({
          type: of('history_seq')!.type,
          columns: of('history_seq')!.columns,
        });
      }
    });
  });
});
