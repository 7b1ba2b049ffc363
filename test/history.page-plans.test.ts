// A start's history pages cost index lookups for their own rows: no page joins over a whole other table.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from './databases.ts';
import type { Database } from '../src/storage/database.ts';
import { historySources } from '../src/storage/history.reader.ts';

/** The plan of every statement a read sends (EXPLAIN, not run): the source's pages, as the planner would run them. */
function planning(database: Database) {
  const plans: { sql: string; plan: string }[] = [];
  const explaining: Database = {
    ...database,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const rows = await database.query<Record<string, string>>(`EXPLAIN ${sql}`, params as never);
      plans.push({ sql, plan: rows.map((row) => Object.values(row).join(' ')).join('\n') });
      return [];
    },
  };
  return { plans, explaining };
}

describe.each(databaseKinds)('history page plans (%s)', (kind) => {
  let database: Database | undefined;
  afterEach(async () => database?.close());

  it('joins sessions, subjects, accounts and invoices by lookups per page row, in page order with no sort after', async () => {
    database = await makeTestDatabase(kind);
    const { plans, explaining } = planning(database);
    for (const forState of [true, false])
      for (const source of historySources(explaining, { forState, afterSequence: forState ? undefined : 0 }))
        for await (const page of source()) void page;
    const joined = plans.filter(({ sql }) => /JOIN/i.test(sql));
    // Accounts (subject key), channels (account and key), orders (session and key), payments (invoice): twice each.
    expect(joined.length).toBe(8);
    for (const { sql, plan } of joined) {
      // A hash or merge join reads the whole other table for every page: a start quadratic in its history.
      expect(plan, sql).not.toMatch(/Hash Join|Merge Join|Hash Right Join|Hash Left Join/);
      expect(plan, sql).toMatch(/Nested Loop/);
      // The page comes out in its (time, id) order: the join does not shuffle it, so nothing sorts the joined rows.
      expect(plan.split('\n')[0], sql).not.toMatch(/^\s*Sort/);
    }
  });
});
