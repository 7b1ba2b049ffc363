// PGlite's prepared statements: the same rows and errors as PGlite's own query, each text prepared once, bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { makePgliteDatabase, type PgliteDatabase } from '../../src/storage/pglite.database.ts';
import { makePreparedStatements } from '../../src/storage/pglite.statements.ts';

describe('PGlite prepared statements', () => {
  let database: PgliteDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setUp() {
    database = await makePgliteDatabase();
    await database.exec(`CREATE TABLE prepared_items (id TEXT PRIMARY KEY, amount BIGINT, at TIMESTAMPTZ,
      document JSONB, tags TEXT[], sealed BYTEA, flag BOOLEAN)`);
    return database;
  }
  const preparedNames = async (db: PgliteDatabase) =>
    (
      await db.pglite.query<{ name: string }>(
        'SELECT name FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time',
      )
    ).rows.map((row) => row.name);

  it('gives the values and rows PGlite.query gives, and prepares a text once however often it runs', async () => {
    const db = await setUp();
    const insert = `INSERT INTO prepared_items (id, amount, at, document, tags, sealed, flag)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`;
    const at = new Date('2026-11-30T06:00:00.123Z');
    await db.query(insert, [
      'a',
      12345678901234n,
      at,
      JSON.stringify({ nested: [1, 'two'] }),
      ['x', 'y'],
      Buffer.from([0, 255]),
      true,
    ]);
    await db.query(insert, ['b', null, null, null, null, null, false]);
    const select = 'SELECT * FROM prepared_items WHERE id = ANY($1::text[]) ORDER BY id';
    const rows = await db.query(select, [['a', 'b']]);
    expect(rows).toEqual((await db.pglite.query(select, [['a', 'b']])).rows);
    expect(rows[0]).toMatchObject({ id: 'a', at, document: { nested: [1, 'two'] }, tags: ['x', 'y'], flag: true });
    expect(rows[1]).toMatchObject({ id: 'b', amount: null, document: null, flag: false });
    for (let run = 0; run < 5; run += 1) await db.query(select, [['a']]);
    expect(await preparedNames(db)).toHaveLength(2);
  });

  it('fails a statement with the database error PGlite.query gives (code, constraint), and goes on after it', async () => {
    const db = await setUp();
    const insert = 'INSERT INTO prepared_items (id) VALUES ($1)';
    await db.query(insert, ['a']);
    const failure = await db.query(insert, ['a']).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'prepared_items_pkey' });
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    await db.query(insert, ['b']);
    expect(await db.query('SELECT id FROM prepared_items ORDER BY id')).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('keeps a statement prepared in a transaction that rolled back, and rolls back its writes', async () => {
    const db = await setUp();
    const insert = 'INSERT INTO prepared_items (id) VALUES ($1)';
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, ['a']);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await db.transaction((tx) => tx.query(insert, ['b']));
    expect(await db.query('SELECT id FROM prepared_items')).toEqual([{ id: 'b' }]);
  });

  it('answers with the new columns after a table changes: forgotten after a script, re-prepared after a stale plan', async () => {
    const db = await setUp();
    await db.query(`INSERT INTO prepared_items (id) VALUES ('a')`);
    const select = 'SELECT * FROM prepared_items';
    await db.query(select);
    await db.exec('ALTER TABLE prepared_items ADD COLUMN added TEXT');
    expect(await db.query(select)).toEqual([expect.objectContaining({ id: 'a', added: null })]);
    // A change made by a statement rather than a script: the stale plan is noticed and the statement prepared anew.
    await db.query('ALTER TABLE prepared_items ADD COLUMN second TEXT');
    expect(await db.query(select)).toEqual([expect.objectContaining({ id: 'a', added: null, second: null })]);
  });

  it('keeps at most its capacity of statements prepared, closing the least recently run', async () => {
    const db = await setUp();
    const statements = makePreparedStatements(db.pglite, { capacity: 2 });
    const before = (await preparedNames(db)).length;
    for (const value of [1, 2, 1, 3, 4]) await statements.run(`SELECT ${value} AS value`, [], false);
    expect((await preparedNames(db)).length - before).toBe(2);
    expect(await statements.run('SELECT 1 AS value', [], false)).toEqual([{ value: 1 }]);
  });
});
