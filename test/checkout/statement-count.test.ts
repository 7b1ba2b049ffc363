// How many SQL statements one approved authorize costs, counted through a Database that wraps the real one.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { countedRequest, countingDatabase } from './counting-database.ts';

describe.each(databaseKinds)('statements per approved authorize (%s)', (kind) => {
  let application: TestApplication | undefined;
  afterEach(async () => application?.close());

  it('reads no session it just created, writes in one statement without BEGIN or COMMIT, and reads nothing back', async () => {
    const { database, statements, countOnlyMarkedRequests } = countingDatabase(await makeTestDatabase(kind));
    // Only the request's own statements are counted: the outbox's and the history tail's polling are not the request's.
    application = await makeTestApplication(kind, { database, historyTail: false });
    countOnlyMarkedRequests(application.server);
    const line = { name: 'Shirt', quantity: 1, unit_price: 4900, category: 'fashion' };
    const body = sessionBody({ amount: { value: 4900, currency: 'EUR' }, lines: [line] });
    const counts: number[] = [];
    // The first approval also fills the caches (capture mode, webhook endpoints); later ones find them warm.
    for (const reference of ['first', 'second', 'third']) {
      const created = await application.request('POST', '/v1/sessions', {
        body: { ...body, merchant_reference: reference },
      });
      expect(created.statusCode).toBe(201);
      statements.length = 0;
      const authorized = await application.request('POST', `/v1/sessions/${created.json().id}/authorize`, {
        headers: countedRequest,
      });
      expect(authorized.statusCode).toBe(200);
      expect(authorized.json().decision).toBe('approved');
      expect(authorized.json().order.invoice_id).toMatch(/^inv_/);
      counts.push(statements.length);
      if (reference !== 'first') {
        // No read of the session this process created a moment ago (kept since), then one statement carrying every
        // write (decision, account, the order in its final state, its events, capture, invoice, payout, webhooks and
        // notices), committed on its own: no BEGIN, no COMMIT.
        expect(statements.filter((text) => /^SELECT/.test(text))).toHaveLength(0);
        expect(statements.filter((text) => /\bUPDATE orders\b/.test(text))).toHaveLength(0);
        expect(statements).not.toContain('BEGIN');
        expect(statements).toHaveLength(1);
      }
    }
    // Before this work an approval cost 31 statements here (16 of them on the old path's returning customer).
    // The first also fills the caches: capture mode, webhook endpoints and the emergency levers in force.
    expect(counts[0]).toBeLessThanOrEqual(9);
    // Nothing was lost: the order, its invoice and its notices are in the database.
    const [orders] = await database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM orders o JOIN invoices i ON i.order_id = o.id',
    );
    expect(orders?.count).toBe(3);
  });

  it("creates a returning shopper's session in one statement, and a shredded subject is never reused", async () => {
    const { database, statements, countOnlyMarkedRequests } = countingDatabase(await makeTestDatabase(kind));
    application = await makeTestApplication(kind, { database, historyTail: false });
    countOnlyMarkedRequests(application.server);
    const create = async (reference: string, customer?: Record<string, string>) => {
      statements.length = 0;
      const created = await application!.request('POST', '/v1/sessions', {
        body: sessionBody({ merchant_reference: reference, ...(customer ? { customer } : {}) }),
        headers: countedRequest,
      });
      expect(created.statusCode).toBe(201);
      const sent = [...statements];
      const [row] = await database.query<{ subject_id: string }>('SELECT subject_id FROM sessions WHERE id = $1', [
        created.json().id,
      ]);
      return { id: created.json().id as string, subjectId: row!.subject_id, statements: sent };
    };
    // Another shopper first, so what any first request reads (merchant, levers) is cached.
    await create('warm-up', { name: 'Bram Jansen', email: 'bram@example.nl', phone: '+31612000999' });
    // The first finds (or makes) the claim's subject, then inserts; the next knows the subject already.
    const first = await create('cache-1');
    expect(first.statements).toHaveLength(2);
    const second = await create('cache-2');
    expect(second.statements).toHaveLength(1);
    expect(second.statements[0]).toMatch(/^INSERT INTO sessions/);
    expect(second.subjectId).toBe(first.subjectId);

    // Another node erased the person (its key shredded) while this one still has the subject cached: the insert finds
    // it shredded, inserts nothing, and the session is sealed under a new subject that can still be decided.
    await database.query(
      'UPDATE subjects SET wrapped_key = NULL, master_key_id = NULL, claim_pseudonym = NULL WHERE id = $1',
      [first.subjectId],
    );
    const afterErasure = await create('cache-3');
    expect(afterErasure.subjectId).not.toBe(first.subjectId);
    const authorized = await application.request('POST', `/v1/sessions/${afterErasure.id}/authorize`);
    expect(authorized.statusCode).toBe(200);
    const [count] = await database.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM sessions WHERE subject_id = $1',
      [first.subjectId],
    );
    expect(count?.count).toBe(2);
  });
});
