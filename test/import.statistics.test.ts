// After a bulk import the planner knows what the import wrote: an approval's account read looks channels up by index.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from './databases.ts';
import { adminKey, makeTestApplication, type TestApplication } from './application.ts';
import { explainingDatabase } from './explaining-database.ts';
import type { Database } from '../src/storage/database.ts';
import { accountsOnFile } from '../src/checkout/accounts.repository.ts';
import { analyzeChangedTables } from '../src/storage/table-statistics.ts';

function accountLines(from: number, count: number): string {
  const lines: string[] = [];
  for (let index = from; index < from + count; index++)
    lines.push(
      JSON.stringify({
        type: 'account',
        id: `a-${index}`,
        created_at: '2025-01-02T09:00:00Z',
        name: `Customer ${index}`,
        email: `customer${index}@example.nl`,
        phone: `+316${String(10_000_000 + index)}`,
        address: {
          street: 'Damrak',
          house_number: String(index),
          postal_code: '1012LG',
          city: 'Amsterdam',
          country: 'NL',
        },
      }),
    );
  return `${lines.join('\n')}\n`;
}

/** The plan of the statement `run` sends, as the database would run it now (EXPLAIN, not run). */
async function planOf(database: Database, run: (explaining: Database) => Promise<unknown>): Promise<string> {
  const { plans, explainer } = explainingDatabase(database);
  await run(explainer);
  expect(plans).toHaveLength(1);
  return plans[0]!;
}

const lastAnalyzed = async (database: Database, table: string) =>
  (
    await database.query<{ at: Date | null }>(
      'SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relid = to_regclass($1)',
      [table],
    )
  )[0]?.at ?? null;

describe.each(databaseKinds)('planner statistics after an import (%s)', (kind) => {
  let app: TestApplication | undefined;
  afterEach(async () => app?.close());

  const importLines = async (text: string) => {
    const response = await app!.request('POST', '/v1/admin/import', {
      key: adminKey,
      body: text,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ rejected: [] });
  };

  it("reads a batch of accounts' channels by index right after the first import, not by scanning them all", async () => {
    app = await makeTestApplication(kind);
    await importLines(accountLines(0, 3000));
    // A coalesced read under load: 30 approvals' accounts in one statement.
    const ids = (
      await app.database.query<{ id: string }>('SELECT id FROM accounts ORDER BY created_at, id LIMIT 30')
    ).map((row) => row.id);
    expect(ids).toHaveLength(30);
    const plan = await planOf(app.database, (explaining) =>
      accountsOnFile(explaining, app!.personalData.accounts, ids),
    );
    // With the statistics of the empty tables the planner took each account for a hundred channels and hashed them all.
    expect(plan).not.toMatch(/Seq Scan on channels/);
    expect(plan).toMatch(/Index (Only )?Scan using \w+ on channels/);
    // And the statement answers as before: both channels of each account.
    const found = await accountsOnFile(app.database, app.personalData.accounts, ids);
    expect([...found.values()].map((account) => account.channels.length)).toEqual(ids.map(() => 2));
  });

  it('analyzes again only once an import changed a significant share of a table', async () => {
    app = await makeTestApplication(kind);
    await importLines(accountLines(0, 1000));
    const first = await lastAnalyzed(app.database, 'channels');
    expect(first).not.toBeNull();
    // 20 more accounts (40 channels) beside 2,000 channels: far below a tenth, the statistics stay as they were.
    await importLines(accountLines(1000, 20));
    expect(await lastAnalyzed(app.database, 'channels')).toEqual(first);
    // 400 more (800 channels): past a tenth, analyzed again.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await importLines(accountLines(1020, 400));
    const third = await lastAnalyzed(app.database, 'channels');
    expect(third!.getTime()).toBeGreaterThan(first!.getTime());
  });
});

describe.each(databaseKinds)('analyzeChangedTables (%s)', (kind) => {
  let database: Database | undefined;
  afterEach(async () => database?.close());

  it("follows autovacuum's rule over the rows this write wrote, leaving the rest to autovacuum", async () => {
    database = await makeTestDatabase(kind);
    await database.exec('CREATE TABLE statistics_probe (id INTEGER PRIMARY KEY, kind INTEGER NOT NULL)');
    const insert = (from: number, to: number) =>
      database!.query('INSERT INTO statistics_probe SELECT g, g % 7 FROM generate_series($1::int, $2::int) g', [
        from,
        to,
      ]);
    const estimated = async () =>
      (
        await database!.query<{ rows: number }>(
          "SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = to_regclass('statistics_probe')",
        )
      )[0]!.rows;
    // 50 rows into a table never analyzed: not yet past the 50.
    await insert(1, 50);
    expect(await analyzeChangedTables(database, new Map([['statistics_probe', 50]]))).toEqual([]);
    expect(await estimated()).toBe(-1);
    await insert(51, 2000);
    expect(await analyzeChangedTables(database, new Map([['statistics_probe', 1950]]))).toEqual(['statistics_probe']);
    expect(await estimated()).toBe(2000);
    // 150 rows beside 2,000: below 50 + 200.
    await insert(2001, 2150);
    expect(await analyzeChangedTables(database, new Map([['statistics_probe', 150]]))).toEqual([]);
    // Rows someone else wrote are autovacuum's to count: this write's one row does not make the table due.
    await insert(2151, 3150);
    expect(await analyzeChangedTables(database, new Map([['statistics_probe', 1]]))).toEqual([]);
    expect(await estimated()).toBe(2000);
    await insert(3151, 3450);
    expect(await analyzeChangedTables(database, new Map([['statistics_probe', 300]]))).toEqual(['statistics_probe']);
    expect(await estimated()).toBe(3450);
  });
});
