// A lazy transaction opens one only when needed, and a required write that misses fails its whole statement.
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.ts';
import { runInLazyTransaction } from '../../src/storage/lazy-transaction.ts';
import { deferWrites, RequiredWriteMissed } from '../../src/storage/deferred-writes.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { countingDatabase } from '../checkout/counting-database.ts';

describe.each(databaseKinds)('lazy transaction (%s)', (kind) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setUp() {
    database = await makeTestDatabase(kind);
    await database.exec(`CREATE TABLE lazy_gates (id TEXT PRIMARY KEY, status TEXT NOT NULL);
      CREATE TABLE lazy_items (id TEXT PRIMARY KEY)`);
    await database.query(`INSERT INTO lazy_gates (id, status) VALUES ('g', 'open')`);
    return countingDatabase(database);
  }
  const items = async () =>
    (await database!.query<{ id: string }>('SELECT id FROM lazy_items ORDER BY id')).map((row) => row.id);

  it('sends a read and one last batch without BEGIN or COMMIT, and commits it', async () => {
    const { database: counted, statements } = await setUp();
    const result = await runInLazyTransaction(counted, async (lazy) => {
      const writes = deferWrites(lazy);
      await writes.query('SELECT status FROM lazy_gates WHERE id = $1', ['g']);
      void writes.write(`UPDATE lazy_gates SET status = 'closed' WHERE id = $1 AND status = 'open'`, ['g'], {
        required: true,
      });
      void writes.write('INSERT INTO lazy_items (id) VALUES ($1)', ['a']);
      void writes.write('INSERT INTO lazy_items (id) VALUES ($1)', ['b']);
      await writes.flush({ last: true });
      return 'done';
    });
    expect(result).toBe('done');
    expect(statements).toHaveLength(2);
    expect(statements).not.toContain('BEGIN');
    expect(await items()).toEqual(['a', 'b']);
  });

  it('fails the whole last statement when a required write misses, committing none of it', async () => {
    const { database: counted } = await setUp();
    await database!.query(`UPDATE lazy_gates SET status = 'taken'`);
    const attempt = runInLazyTransaction(counted, async (lazy) => {
      const writes = deferWrites(lazy);
      void writes
        .write(`UPDATE lazy_gates SET status = 'closed' WHERE id = $1 AND status = 'open'`, ['g'], { required: true })
        .catch(() => {});
      void writes.write('INSERT INTO lazy_items (id) VALUES ($1)', ['a']).catch(() => {});
      await writes.flush({ last: true });
    });
    await expect(attempt).rejects.toBeInstanceOf(RequiredWriteMissed);
    expect(await items()).toEqual([]);
  });

  it('opens a real transaction for a write that is not last, and rolls all of it back when the work throws', async () => {
    const { database: counted, statements } = await setUp();
    const attempt = runInLazyTransaction(counted, async (lazy) => {
      await lazy.query('INSERT INTO lazy_items (id) VALUES ($1)', ['a']);
      await lazy.queryLast('INSERT INTO lazy_items (id) VALUES ($1)', ['b']);
      throw new Error('refused after writing');
    });
    await expect(attempt).rejects.toThrow('refused after writing');
    expect(statements[0]).toBe('BEGIN');
    expect(await items()).toEqual([]);

    // The same work without the failure commits both rows at the end, in that one transaction.
    statements.length = 0;
    await runInLazyTransaction(counted, async (lazy) => {
      await lazy.query('INSERT INTO lazy_items (id) VALUES ($1)', ['a']);
      await lazy.queryLast('INSERT INTO lazy_items (id) VALUES ($1)', ['b']);
    });
    expect(statements.filter((text) => text === 'BEGIN')).toHaveLength(1);
    expect(await items()).toEqual(['a', 'b']);
  });

  it('refuses a statement after the last one', async () => {
    const { database: counted } = await setUp();
    const attempt = runInLazyTransaction(counted, async (lazy) => {
      await lazy.queryLast('INSERT INTO lazy_items (id) VALUES ($1)', ['a']);
      await lazy.query('SELECT 1');
    });
    await expect(attempt).rejects.toThrow(/after its last one/);
  });
});
