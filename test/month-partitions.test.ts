// Decisions and order events partitioned by month: rows land in their month, a month without a partition still takes
// them (DEFAULT), the scheduled task makes the partitions and moves such rows, references stay checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { databaseKinds } from './databases.ts';
import type { SqlExecutor, SqlValue } from '../src/storage/database.ts';
import { monthStarts } from '../src/storage/month-partitions.ts';
import { decisionSlackMilliseconds } from '../src/checkout/checkout.repository.ts';

const partitionOf = async (database: SqlExecutor, table: string, where: string, parameters: SqlValue[]) => {
  const rows = await database.query<{ partition: string }>(
    `SELECT tableoid::regclass::text AS partition FROM ${table} WHERE ${where}`,
    parameters,
  );
  return rows.map((row) => row.partition.replace(/^.*\./, ''));
};

/** The plan's text, with sequential scans off: on tables this small the planner would scan anyway. */
async function plan(app: TestApplication, sql: string, parameters: SqlValue[] = []) {
  return app.database.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_seqscan = off');
    const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, parameters);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

describe.each(databaseKinds)('month partitions on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
    // A month no partition was made for (the migration makes the months around its own run).
    app.clock.set(Date.parse('2031-05-10T10:00:00Z'));
  });
  afterAll(async () => {
    await app.close();
  });

  async function checkout(reference: string) {
    const created = await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: reference }) });
    expect(created.statusCode).toBe(201);
    const session = created.json<{ id: string }>();
    const authorized = await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    expect(authorized.statusCode).toBe(200);
    const [decision] = await app.database.query<{ id: string }>(
      'SELECT id FROM decisions WHERE session_id = $1 ORDER BY seq DESC LIMIT 1',
      [session.id],
    );
    return { sessionId: session.id, decisionId: decision!.id };
  }

  it('takes a checkout in a month without a partition (DEFAULT); the task makes the months and moves the rows', async () => {
    const first = await checkout('in-default');
    expect(await partitionOf(app.database, 'decisions', 'id = $1', [first.decisionId])).toEqual(['decisions_default']);

    const counts = await app.protection.scheduler.tick();
    // This month and three ahead, for decisions and order events.
    expect(counts.month_partitions).toBe(8);
    expect(await partitionOf(app.database, 'decisions', 'id = $1', [first.decisionId])).toEqual(['decisions_2031_05']);
    const [left] = await app.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM decisions_default WHERE decided_at >= '2031-05-01'`,
    );
    expect(left!.count).toBe(0);
    // The foreign keys re-added for the move are checked again.
    const unchecked = await app.database.query(
      `SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = 'decisions'::regclass AND NOT convalidated`,
    );
    expect(unchecked).toEqual([]);
    const names = await app.database.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'decisions'::regclass AND c.relname LIKE 'decisions_2031%' ORDER BY 1`,
    );
    expect(names.map((row) => row.name)).toEqual(
      monthStarts(new Date(app.clock.now()), 3).map(
        (month) => `decisions_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`,
      ),
    );
    // A second tick finds every partition made.
    expect((await app.protection.scheduler.tick()).month_partitions).toBe(0);

    const second = await checkout('in-month');
    expect(await partitionOf(app.database, 'decisions', 'id = $1', [second.decisionId])).toEqual(['decisions_2031_05']);
    // Every reference carries the decision's time, filled by the database.
    const references = await app.database.query<{ decided: boolean }>(
      `SELECT c.decision_decided_at = d.decided_at AS decided FROM challenges c JOIN decisions d ON d.id = c.decision_id
       UNION ALL
       SELECT o.decision_decided_at = d.decided_at FROM orders o JOIN decisions d ON d.id = o.decision_id
       UNION ALL
       SELECT r.decision_decided_at = d.decided_at FROM review_items r JOIN decisions d ON d.id = r.decision_id`,
    );
    expect(references.length).toBeGreaterThan(0);
    expect(references.every((row) => row.decided)).toBe(true);
  });

  it('refuses a reference to a missing decision and the deletion of a referenced one', async () => {
    const { sessionId, decisionId } = await checkout('references');
    const insertChallenge = (decision: string) =>
      app.database.query(
        `INSERT INTO challenges (id, session_id, merchant_id, decision_id, options, status, expires_at, created_at)
         VALUES ($1, $2, $3, $4, '[]', 'pending', $5, $5)`,
        [`chl_${decision}`, sessionId, app.merchant.id, decision, new Date(app.clock.now())],
      );
    await expect(insertChallenge('dec_missing')).rejects.toMatchObject({ code: '23503' });
    await insertChallenge(decisionId);
    await expect(app.database.query('DELETE FROM decisions WHERE id = $1', [decisionId])).rejects.toMatchObject({
      code: '23503',
    });
    // A reference moved to a missing decision is refused too.
    await expect(
      app.database.query(`UPDATE challenges SET decision_id = 'dec_missing' WHERE id = $1`, [`chl_${decisionId}`]),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('takes the time of a decision written in the same transaction; that hint never admits another decision', async () => {
    const { sessionId } = await checkout('hint');
    const decidedAt = new Date('2031-05-20T08:30:00.123Z');
    const insertDecision = (tx: SqlExecutor, id: string) =>
      tx.query(
        `INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, features, rule_results, challenge_options,
           versions, input, latency_us, decided_at)
         VALUES ($1, $2, $3, 'step_up', '[]', '{}', '[]', '[]', '{}', '{}', 800, $4)`,
        [id, sessionId, app.merchant.id, decidedAt],
      );
    const insertChallenge = (tx: SqlExecutor, id: string, decision: string) =>
      tx.query(
        `INSERT INTO challenges (id, session_id, merchant_id, decision_id, options, status, expires_at, created_at)
         VALUES ($1, $2, $3, $4, '[]', 'pending', $5, $5)`,
        [id, sessionId, app.merchant.id, decision, decidedAt],
      );
    await app.database.transaction(async (tx) => {
      await insertDecision(tx, 'dec_hint');
      await insertChallenge(tx, 'chl_hint', 'dec_hint');
    });
    const [challenge] = await app.database.query<{ decided: Date }>(
      `SELECT decision_decided_at AS decided FROM challenges WHERE id = 'chl_hint'`,
    );
    expect(new Date(challenge!.decided).toISOString()).toBe(decidedAt.toISOString());
    // An id that only starts like the remembered one is looked up (and refused), and the whole transaction with it.
    await expect(
      app.database.transaction(async (tx) => {
        await insertDecision(tx, 'dec_hint_2');
        await insertChallenge(tx, 'chl_hint_2', 'dec_hint_');
      }),
    ).rejects.toMatchObject({ code: '23503' });
    expect(await app.database.query(`SELECT id FROM decisions WHERE id = 'dec_hint_2'`)).toEqual([]);
    // The hint is transaction-local: a later transaction looks the decision up.
    const [setting] = await app.database.query<{ value: string | null }>(
      `SELECT current_setting('rearguard.decision_time', true) AS value`,
    );
    expect(setting!.value ?? '').toBe('');
  });

  it('keeps the hot reads on indexes, and a time window reads only its months', async () => {
    const byId = await plan(app, `SELECT * FROM decisions WHERE id = 'dec_x'`);
    expect(byId).toMatch(/Index Scan using decisions_2031_05_pkey/);
    expect(byId).not.toMatch(/Seq Scan/);
    // A foreign key's lookup carries the time: one partition.
    const byKey = await plan(app, `SELECT 1 FROM decisions WHERE id = 'dec_x' AND decided_at = '2031-05-10T10:00:00Z'`);
    expect(byKey).toMatch(/decisions_2031_05/);
    expect(byKey).not.toMatch(/decisions_2031_06|decisions_default/);
    const bySession = await plan(app, `SELECT * FROM decisions WHERE session_id = 'ses_x' ORDER BY seq DESC LIMIT 1`);
    expect(bySession).toMatch(/Index Scan Backward using decisions_2031_05_session_id_seq_idx/);
    expect(bySession).not.toMatch(/Filter/);
    // The session's latest decision as the checkout reads it (from a day before the session began): only the months
    // since then, where the unbounded read visits every month's index.
    const months = (text: string) =>
      [...text.matchAll(/decisions_(\d{4})_(\d{2})/g)].map((match) => match[1]! + match[2]!);
    const latest = await plan(
      app,
      `SELECT id FROM decisions WHERE session_id = $1 AND decided_at >= $2 ORDER BY seq DESC LIMIT 1`,
      ['ses_x', new Date(Date.parse('2031-05-10T10:00:00Z') - decisionSlackMilliseconds)],
    );
    expect(months(latest)).toContain('203105');
    expect(months(latest).filter((month) => month < '203105')).toEqual([]);
    expect(months(bySession).filter((month) => month < '203105').length).toBeGreaterThan(0);
    // A monitoring window (bound parameters, as the repository sends them): pruned to the months it covers.
    const window = await plan(
      app,
      `SELECT count(*) FROM decisions d WHERE d.decided_at >= $1 AND d.decided_at < $2 AND ($3::text IS NULL OR d.merchant_id = $3)`,
      [new Date('2031-05-10T09:00:00Z'), new Date('2031-05-10T10:00:00Z'), null],
    );
    expect(window).toMatch(/decisions_2031_05/);
    expect(window).not.toMatch(/decisions_2031_06|decisions_2031_07/);
    const events = await plan(app, `SELECT * FROM order_events WHERE order_id = 'ord_x' ORDER BY seq`);
    expect(events).toMatch(/Index Scan using order_events_2031_05_order_id_seq_idx/);
    const tail = await plan(app, `SELECT * FROM order_events WHERE history_seq > 10 ORDER BY history_seq`);
    expect(tail).toMatch(/order_events_2031_05_history_seq_idx/);
  });
});
