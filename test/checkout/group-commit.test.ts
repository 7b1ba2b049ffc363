// Group commit: concurrent authorizes share transactions, every one is answered once, and a bad item fails alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.ts';
import { makeGroupCommit } from '../../src/checkout/group-commit.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { countingDatabase } from './counting-database.ts';

describe.each(databaseKinds)('group commit (%s)', (kind) => {
  let application: TestApplication | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await application?.close();
    application = undefined;
    await database?.close();
    database = undefined;
  });

  it('answers N concurrent authorizes with N orders, in fewer transactions, and never a second order', async () => {
    const counting = countingDatabase(await makeTestDatabase(kind));
    application = await makeTestApplication(kind, { database: counting.database });
    const createSessions = async (wave: number, count: number) => {
      const ids: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const buyer = wave * 100 + index;
        const line = { name: 'Shirt', quantity: 1, unit_price: 3900, category: 'fashion' };
        const body = sessionBody({
          amount: { value: 3900, currency: 'EUR' },
          lines: [line],
          merchant_reference: `group-${buyer}`,
          customer: { name: 'Anna de Vries', email: `anna${buyer}@example.nl`, phone: `+3161200${1000 + buyer}` },
          device: { id: `dev-anna-${buyer}`, ip: `203.0.113.${buyer % 250}`, user_agent: 'Mozilla/5.0' },
        });
        ids.push((await application!.request('POST', '/v1/sessions', { body })).json().id);
      }
      return ids;
    };
    const authorizeAll = async (ids: readonly string[]) => {
      const answers = await Promise.all(ids.map((id) => application!.request('POST', `/v1/sessions/${id}/authorize`)));
      expect(answers.map((answer) => answer.statusCode)).toEqual(answers.map(() => 200));
      return answers.map((answer) => answer.json());
    };

    // The operator's view of the same: /metrics counts commits and the authorizes they carried.
    const groupCounters = async () => {
      const text = (await application!.request('GET', '/metrics', { key: null })).body;
      const counter = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return {
        commits: counter('rearguard_group_commits_total'),
        items: counter('rearguard_group_commit_items_total'),
      };
    };

    // Distinct sessions at once: all approved, each with its own order, sharing transactions.
    const first = await createSessions(0, 24);
    const before = await groupCounters();
    counting.statements.length = 0;
    const views = await authorizeAll(first);
    const transactions = counting.statements.filter((text) => text === 'BEGIN').length;
    expect(views.map((view) => view.decision)).toEqual(views.map(() => 'approved'));
    expect(new Set(views.map((view) => view.order.id)).size).toBe(24);
    expect(transactions).toBeLessThan(24);
    const after = await groupCounters();
    expect(after.items - before.items).toBe(24);
    expect(after.commits - before.commits).toBeGreaterThan(0);
    expect(after.commits - before.commits).toBeLessThan(24);

    // Each session authorized twice at once: the loser of a pair replays the winner, never a second order.
    const second = await createSessions(1, 12);
    const pairs = await authorizeAll([...second, ...second]);
    const orderOf = new Map<string, string>();
    for (const view of pairs) {
      expect(view.decision).toBe('approved');
      const known = orderOf.get(view.session_id);
      if (known) expect(view.order.id).toBe(known);
      orderOf.set(view.session_id, view.order.id);
    }
    expect(orderOf.size).toBe(12);
    const [stored] = await counting.database.query<{ orders: number; decisions: number }>(
      `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM decisions) AS decisions`,
    );
    expect(stored).toEqual({ orders: 36, decisions: 36 });
  });

  it('fails only the item that failed and commits the others of its group', async () => {
    database = await makeTestDatabase(kind);
    await database.exec('CREATE TABLE group_items (id TEXT PRIMARY KEY)');
    const group = makeGroupCommit(database, { maxSize: 8 });
    const results = await Promise.allSettled(
      ['a', 'b', 'a', 'c', 'd'].map((id) =>
        group.run(async (tx) => {
          await tx.query('INSERT INTO group_items (id) VALUES ($1)', [id]);
          return id;
        }),
      ),
    );
    // The first is alone (nothing was waiting); the rest form one group that fails on the duplicate and is rerun.
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const rows = await database.query<{ id: string }>('SELECT id FROM group_items ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
