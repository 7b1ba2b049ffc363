// Migration 181 on a database that already holds decisions, references to them and order events (both databases).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Database } from '../src/storage/database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { databaseKinds, postgresUrl, type DatabaseKind } from './databases.ts';

const beforePartitioning = '170_history_tail.sql';

async function makeOldDatabase(kind: DatabaseKind): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const database = await makePgliteDatabase();
    await migrate(database, { through: beforePartitioning });
    return { database, drop: () => database.close() };
  }
  const schema = `rg_test_${randomBytes(6).toString('hex')}`;
  const database = await makePostgresDatabase({ url: postgresUrl!, schema, poolSize: 2 });
  await migrate(database, { through: beforePartitioning });
  return {
    database,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Two months of decisions (January and March 2025), an order and a challenge on the first, events on the order. */
async function seed(database: Database) {
  const at = (iso: string) => new Date(iso);
  await database.query(`INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES ('mer_1', 'Shop', 'h', $1)`, [
    at('2025-01-01T00:00:00Z'),
  ]);
  await database.query(`INSERT INTO accounts (id, created_at) VALUES ('acc_1', $1)`, [at('2025-01-01T00:00:00Z')]);
  const decisions = [
    ['dec_jan', 'ses_jan', '2025-01-15T12:00:00Z'],
    ['dec_mar', 'ses_mar', '2025-03-31T23:59:59Z'],
  ] as const;
  for (const [decision, session, decidedAt] of decisions) {
    await database.query(
      `INSERT INTO sessions (id, merchant_id, status, input, created_at, updated_at) VALUES ($1, 'mer_1', 'done', '{}', $2, $2)`,
      [session, at(decidedAt)],
    );
    await database.query(
      `INSERT INTO decisions (id, session_id, merchant_id, account_id, outcome, reasons, score, features, rule_results,
         challenge_options, versions, input, latency_us, decided_at)
       VALUES ($1, $2, 'mer_1', 'acc_1', 'approved', '[]', 0.1, '{}', '[]', '[]', '{}', '{}', 900, $3)`,
      [decision, session, at(decidedAt)],
    );
  }
  await database.query(
    `INSERT INTO orders (id, session_id, decision_id, merchant_id, account_id, amount, currency, input, source, status, placed_at)
     VALUES ('ord_1', 'ses_jan', 'dec_jan', 'mer_1', 'acc_1', 1000, 'EUR', '{}', 'live', 'approved', $1)`,
    [at('2025-01-15T12:00:01Z')],
  );
  await database.query(
    `INSERT INTO challenges (id, session_id, merchant_id, decision_id, options, status, expires_at, created_at)
     VALUES ('chl_1', 'ses_mar', 'mer_1', 'dec_mar', '[]', 'pending', $1, $1)`,
    [at('2025-03-31T23:59:59Z')],
  );
  for (const [id, when] of [
    ['oev_1', '2025-01-15T12:00:01Z'],
    ['oev_2', '2025-02-02T08:00:00Z'],
  ] as const) {
    await database.query(
      `INSERT INTO order_events (id, order_id, event, from_state, to_state, actor, details, exposure, at)
       VALUES ($1, 'ord_1', 'capture', 'approved', 'captured', 'merchant', '{}', 1000, $2)`,
      [id, at(when)],
    );
  }
}

describe.each(databaseKinds)('partitioning migration on %s with data', (kind) => {
  let old: Awaited<ReturnType<typeof makeOldDatabase>>;
  let seqBefore: Map<string, number>;
  let historyBefore: Map<string, number>;
  beforeAll(async () => {
    old = await makeOldDatabase(kind);
    await seed(old.database);
    const decisions = await old.database.query<{ id: string; seq: string }>('SELECT id, seq FROM decisions');
    seqBefore = new Map(decisions.map((row) => [row.id, Number(row.seq)]));
    const events = await old.database.query<{ id: string; history_seq: string }>(
      'SELECT id, history_seq FROM order_events',
    );
    historyBefore = new Map(events.map((row) => [row.id, Number(row.history_seq)]));
    expect(await migrate(old.database)).toContain('181_partition_decisions.sql');
  }, 120_000);
  afterAll(async () => {
    await old?.drop();
  });

  it('moves every row into its month and keeps numbers, references and times', async () => {
    const { database } = old;
    const decisions = await database.query<{ id: string; seq: string; partition: string }>(
      `SELECT id, seq, tableoid::regclass::text AS partition FROM decisions ORDER BY id`,
    );
    expect(decisions.map((row) => [row.id, row.partition.replace(/^.*\./, ''), Number(row.seq)])).toEqual([
      ['dec_jan', 'decisions_2025_01', seqBefore.get('dec_jan')],
      ['dec_mar', 'decisions_2025_03', seqBefore.get('dec_mar')],
    ]);
    const events = await database.query<{ id: string; history_seq: string; partition: string }>(
      `SELECT id, history_seq, tableoid::regclass::text AS partition FROM order_events ORDER BY id`,
    );
    expect(events.map((row) => [row.id, row.partition.replace(/^.*\./, ''), Number(row.history_seq)])).toEqual([
      ['oev_1', 'order_events_2025_01', historyBefore.get('oev_1')],
      ['oev_2', 'order_events_2025_02', historyBefore.get('oev_2')],
    ]);
    const [order] = await database.query<{ decided: Date }>(
      `SELECT decision_decided_at AS decided FROM orders WHERE id = 'ord_1'`,
    );
    expect(new Date(order!.decided).toISOString()).toBe('2025-01-15T12:00:00.000Z');
    const [challenge] = await database.query<{ decided: Date }>(
      `SELECT decision_decided_at AS decided FROM challenges WHERE id = 'chl_1'`,
    );
    expect(new Date(challenge!.decided).toISOString()).toBe('2025-03-31T23:59:59.000Z');
  });

  it('goes on numbering from the same sequences and triggers', async () => {
    const { database } = old;
    await database.query(
      `INSERT INTO sessions (id, merchant_id, status, input, created_at, updated_at) VALUES ('ses_new', 'mer_1', 'done', '{}', $1, $1)`,
      [new Date('2025-03-01T00:00:00Z')],
    );
    await database.query(
      `INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, features, rule_results, challenge_options,
         versions, input, latency_us, decided_at)
       VALUES ('dec_new', 'ses_new', 'mer_1', 'declined', '[]', '{}', '[]', '[]', '{}', '{}', 800, $1)`,
      [new Date('2025-03-01T00:00:00Z')],
    );
    const [row] = await database.query<{ seq: string }>(`SELECT seq FROM decisions WHERE id = 'dec_new'`);
    expect(Number(row!.seq)).toBeGreaterThan(Math.max(...seqBefore.values()));
    // The history trigger still renumbers an order event whose exposure changes.
    await database.query(`UPDATE order_events SET exposure = 0 WHERE id = 'oev_1'`);
    const [event] = await database.query<{ history_seq: string }>(
      `SELECT history_seq FROM order_events WHERE id = 'oev_1'`,
    );
    expect(Number(event!.history_seq)).toBeGreaterThan(Math.max(...historyBefore.values()));
    // A session's own foreign key is kept on the partitioned table.
    await expect(
      database.query(
        `INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, features, rule_results, challenge_options,
           versions, input, latency_us, decided_at)
         VALUES ('dec_orphan', 'ses_missing', 'mer_1', 'declined', '[]', '{}', '[]', '[]', '{}', '{}', 800, now())`,
      ),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('refuses a reference to a missing decision and deleting a referenced one', async () => {
    const { database } = old;
    await expect(
      database.query(`UPDATE orders SET decision_id = 'dec_missing' WHERE id = 'ord_1'`),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(database.query(`DELETE FROM decisions WHERE id = 'dec_jan'`)).rejects.toMatchObject({
      code: '23503',
    });
    // Clearing the reference clears its time, after which the decision may go.
    await database.query(`UPDATE orders SET decision_id = NULL WHERE id = 'ord_1'`);
    const [order] = await database.query<{ decided: Date | null }>(
      `SELECT decision_decided_at AS decided FROM orders WHERE id = 'ord_1'`,
    );
    expect(order!.decided).toBeNull();
    expect(await database.query(`DELETE FROM decisions WHERE id = 'dec_jan' RETURNING id`)).toHaveLength(1);
  });
});
