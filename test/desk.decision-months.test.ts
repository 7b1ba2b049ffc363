// The case view reads its item's decision by id and time (every reference to a decision carries its time), so the
// read visits that decision's month alone, not the index of every month kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, SqlExecutor, SqlValue } from '../src/storage/database.ts';
import { databaseKinds, makeTestDatabase } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { makeStaffDesk } from './staff.desk.ts';
import { reviewLargeRuleset } from './review-ruleset.ts';

/** Records each statement with its parameters, so a test can ask the planner what one of them visits. */
function recordingDatabase(inner: Database) {
  const sent: { text: string; params: readonly SqlValue[] }[] = [];
  const recorded = (executor: SqlExecutor): SqlExecutor => ({
    query: (text, params = []) => {
      sent.push({ text, params });
      return executor.query(text, params);
    },
    exec: (script) => executor.exec(script),
  });
  const database: Database = {
    ...inner,
    ...recorded(inner),
    transaction: (work) => inner.transaction((tx) => work(recorded(tx))),
  };
  return { database, sent };
}

describe.each(databaseKinds)("the case view's decision on %s", (kind) => {
  let app: TestApplication;
  let sent: { text: string; params: readonly SqlValue[] }[];
  const { as, hire } = makeStaffDesk(() => app);

  beforeAll(async () => {
    const recording = recordingDatabase(await makeTestDatabase(kind));
    sent = recording.sent;
    app = await makeTestApplication(kind, { database: recording.database, historyTail: false });
    const ruleset = await app.request('POST', '/v1/admin/rulesets', {
      key: adminKey,
      body: { ruleset: reviewLargeRuleset(), activate: true },
    });
    expect(ruleset.statusCode).toBe(201);
    await hire('Lotte', 'lead');
  });
  afterAll(async () => {
    await app.close();
  });

  it('is read from its own month only', async () => {
    const amount = 120_000;
    const body = sessionBody({
      merchant_reference: 'held-1',
      amount: { value: amount, currency: 'EUR' },
      lines: [{ name: 'Goods', quantity: 1, unit_price: amount, category: 'electronics' }],
    });
    const session = (await app.request('POST', '/v1/sessions', { body })).json();
    const authorized = await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    expect(authorized.json().decision).toBe('review');
    const queue = (await as('Lotte', 'GET', '/v1/ops/queue')).json().data as { id: string; session_id: string }[];
    const item = queue.find((entry) => entry.session_id === session.id)!;

    sent.length = 0;
    const view = await as('Lotte', 'GET', `/v1/ops/queue/${item.id}/case`);
    expect(view.statusCode).toBe(200);
    expect(view.json().decision.id).toBe(authorized.json().decision_id);

    const read = sent.find((statement) => /FROM decisions WHERE id = \$1/.test(statement.text));
    expect(read).toBeDefined();
    const plan = await app.database.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows = await tx.query<Record<string, string>>(`EXPLAIN ${read!.text}`, read!.params);
      return rows.map((row) => Object.values(row).join(' ')).join('\n');
    });
    // The months around now exist (the migration makes them), plus the default partition: one of them is read.
    const partitions = new Set([...plan.matchAll(/decisions_(\d{4}_\d{2}|default)\b/g)].map((match) => match[1]));
    expect([...partitions]).toHaveLength(1);
  });
});
