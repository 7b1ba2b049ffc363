// Migration 198: every change to an account on file (its channels, their codes, the account) names the accounts it
// touched on `rearguard_changes`, so each process's kept accounts (src/checkout/accounts-on-file.cache.ts) follow it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database, SqlValue } from '../src/storage/database.ts';
import { listenFor } from '../src/storage/notifications.ts';
import { databaseKinds, makeTestDatabase, postgresUrl } from './databases.ts';

const at = '2026-11-01T00:00:00Z';

describe.each(databaseKinds)('account on file changes are announced (%s)', (kind) => {
  let database: Database | undefined;
  let unlisten: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await unlisten?.();
    await database?.close();
  });

  async function setUp(accounts: number) {
    database = await makeTestDatabase(kind);
    const ids = Array.from({ length: accounts }, (_, index) => `acc_n${String(index).padStart(4, '0')}`);
    await database.query(
      `INSERT INTO accounts (id, created_at) SELECT id, $2::timestamptz FROM unnest($1::text[]) AS u(id)`,
      [ids, at],
    );
    await database.query(
      `INSERT INTO channels (id, account_id, kind, value, value_pseudonym, created_at)
       SELECT 'chn_' || id, id, 'email', id || '@example.nl', 'p_' || id, $2::timestamptz FROM unnest($1::text[]) AS u(id)`,
      [ids, at],
    );
    const heard: string[] = [];
    unlisten = await listenFor(database, 'rearguard_changes', (payload) => {
      // Only this test's accounts: other tests' schemas share the PostgreSQL database, and so its notifications.
      if (payload?.startsWith('accounts_on_file:acc_n')) heard.push(payload);
    });
    expect(unlisten).not.toBeNull();
    return { db: database, ids, heard };
  }

  /** Every account named by what was heard, sorted. */
  const named = (heard: string[]) =>
    heard.flatMap((payload) => payload.slice('accounts_on_file:'.length).split(',')).sort();

  it('names the accounts whose channels, codes or own row changed, once per statement, and nothing else', async () => {
    const { db, ids, heard } = await setUp(3);
    const [first, second, third] = ids as [string, string, string];
    const step = async (sql: string, params: SqlValue[], expected: string[]) => {
      heard.length = 0;
      await db.query(sql, params);
      await expect.poll(() => named(heard), { timeout: 5_000 }).toEqual(expected);
      expect(heard).toHaveLength(1);
    };
    await step(
      'UPDATE channels SET verified_at = $2 WHERE account_id = ANY($1::text[])',
      [[first, second], at],
      [first, second],
    );
    // A new code is not announced (the approval's statement tests for a running one itself); its confirming is.
    await db.query(
      `INSERT INTO channel_confirmations (id, channel_id, account_id, created_at, expires_at)
       VALUES ('chc_1', $2, $1, $3, $3)`,
      [third, `chn_${third}`, at],
    );
    await step("UPDATE channel_confirmations SET confirmed_at = $1 WHERE id = 'chc_1'", [at], [third]);
    await step("DELETE FROM channel_confirmations WHERE id = 'chc_1'", [], [third]);
    await step("UPDATE accounts SET language = 'en' WHERE id = $1", [second], [second]);
    await step('DELETE FROM channels WHERE account_id = $1', [first], [first]);
    await step('DELETE FROM accounts WHERE id = $1', [first], [first]);

    // A statement that touches no row says nothing; nor does a change to another table.
    heard.length = 0;
    await db.query("UPDATE channels SET verified_at = NULL WHERE account_id = 'acc_nobody'");
    await db.query("UPDATE accounts SET language = 'nl' WHERE id = 'acc_nobody'");
    await db.query(`INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES ('mer_x', 'x', 'h', $1)`, [at]);
    // The marker after them arrives alone: notifications come in commit order.
    await db.query("UPDATE accounts SET language = 'nl' WHERE id = $1", [third]);
    await expect.poll(() => named(heard), { timeout: 5_000 }).toEqual([third]);
  });

  it('names every account of a large change, a hundred to a notification', async () => {
    const { db, ids, heard } = await setUp(250);
    heard.length = 0;
    await db.query('UPDATE channels SET verified_at = $1', [at]);
    await expect.poll(() => named(heard).length, { timeout: 5_000 }).toBe(250);
    expect(named(heard)).toEqual([...ids].sort());
    expect(heard).toHaveLength(3);
    for (const payload of heard) expect(payload.length).toBeLessThan(8000);
  });
});

if (!postgresUrl)
  console.log('listener reconnection test skipped: DATABASE_URL is not set (it terminates a PostgreSQL connection)');

describe.skipIf(!postgresUrl)('a listener that lost its connection (postgres)', () => {
  it('hears the gap when the connection drops and again once it listens again, then hears what follows', async () => {
    const database = await makeTestDatabase('postgres');
    const channel = `rearguard_test_${randomBytes(4).toString('hex')}`;
    const heard: (string | null)[] = [];
    const unlisten = await listenFor(database, channel, (payload) => heard.push(payload));
    const admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    try {
      expect(unlisten).not.toBeNull();
      const [terminated] = (
        await admin.query<{ count: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS count FROM pg_stat_activity WHERE query = $1`,
          [`LISTEN ${channel}`],
        )
      ).rows;
      expect(terminated?.count).toBe(1);
      // A gap as it dropped; another once LISTEN holds again (a cache filled in between must not outlive it).
      await expect.poll(() => heard, { timeout: 10_000 }).toEqual([null, null]);
      await admin.query(`SELECT pg_notify($1, 'after')`, [channel]);
      await expect.poll(() => heard, { timeout: 5_000 }).toEqual([null, null, 'after']);
    } finally {
      await admin.end();
      await unlisten?.();
      await database.close();
    }
  });
});
