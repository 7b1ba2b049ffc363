// An authorize of a session its process just created uses the session as created: what may have changed since is
// caught by the write's claim (another node decided it, an erasure shredded or deleted it), never answered from memory.
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { countingDatabase } from './counting-database.ts';

const count = async (database: Database, sql: string, params: unknown[]) =>
  (await database.query<{ count: number }>(sql, params as never[]))[0]?.count;

describe.each(databaseKinds)('a session kept since its creation (%s)', (kind) => {
  const applications: TestApplication[] = [];
  afterEach(async () => {
    // The second node shares the first's database, which the first closes.
    for (const application of applications.reverse()) await application.close();
    applications.length = 0;
  });

  async function setUp() {
    const { database, statements } = countingDatabase(await makeTestDatabase(kind));
    const application = await makeTestApplication(kind, { database, historyTail: false });
    applications.push(application);
    const create = async (reference: string) => {
      const created = await application.request('POST', '/v1/sessions', {
        body: sessionBody({ merchant_reference: reference }),
      });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    return { database, statements, application, create };
  }

  it('authorized on another node first: this node replays that decision and places no second order', async () => {
    const { database, application, create } = await setUp();
    // The same database, as another process would see it (its own memory, nothing kept from the creation here).
    const other = await makeTestApplication(kind, {
      database: { ...database, close: async () => {} },
      historyTail: false,
    });
    applications.push(other);
    const sessionId = await create('elsewhere');
    const key = application.merchant.api_key;
    const first = await other.request('POST', `/v1/sessions/${sessionId}/authorize`, { key });
    expect(first.statusCode).toBe(200);
    const second = await application.request('POST', `/v1/sessions/${sessionId}/authorize`);
    expect(second.statusCode).toBe(200);
    expect(second.json().decision_id).toBe(first.json().decision_id);
    expect(
      await count(database, 'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1', [sessionId]),
    ).toBe(1);
    expect(await count(database, 'SELECT count(*)::int AS count FROM orders WHERE session_id = $1', [sessionId])).toBe(
      first.json().decision === 'approved' ? 1 : 0,
    );
  });

  it("its person's key shredded since (an erasure elsewhere): 409, and nothing is decided from memory", async () => {
    const { database, application, create } = await setUp();
    const sessionId = await create('shredded');
    await database.query(
      `UPDATE subjects SET wrapped_key = NULL, master_key_id = NULL, claim_pseudonym = NULL
        WHERE id = (SELECT subject_id FROM sessions WHERE id = $1)`,
      [sessionId],
    );
    const authorized = await application.request('POST', `/v1/sessions/${sessionId}/authorize`);
    expect(authorized.statusCode).toBe(409);
    expect(authorized.json().error.code).toBe('personal_data_erased');
    expect(
      await count(database, 'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1', [sessionId]),
    ).toBe(0);
    expect(await count(database, 'SELECT count(*)::int AS count FROM orders WHERE session_id = $1', [sessionId])).toBe(
      0,
    );
  });

  it('deleted since (an erasure elsewhere): 404, not a 500 and not an order', async () => {
    const { database, application, create } = await setUp();
    const sessionId = await create('deleted');
    await database.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
    const authorized = await application.request('POST', `/v1/sessions/${sessionId}/authorize`);
    expect(authorized.statusCode).toBe(404);
    expect(await count(database, 'SELECT count(*)::int AS count FROM orders WHERE session_id = $1', [sessionId])).toBe(
      0,
    );
  });

  it('an erasure of anyone forgets every kept input: the next authorize reads its session from the database', async () => {
    const { database, application, create, statements } = await setUp();
    // Someone with an account, then erased by a request received by letter.
    const erasedOne = await application.request('POST', '/v1/sessions', {
      body: sessionBody({
        merchant_reference: 'to-erase',
        customer: { name: 'Bram Jansen', email: 'bram@example.nl', phone: '+31612000999' },
      }),
    });
    expect((await application.request('POST', `/v1/sessions/${erasedOne.json().id}/authorize`)).statusCode).toBe(200);
    const kept = await create('kept');
    const request = await application.request('POST', '/v1/admin/erasure-requests', {
      key: adminKey,
      body: { reference: 'letter-1', email: 'bram@example.nl' },
    });
    expect(request.statusCode).toBe(201);
    expect(await application.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1 });
    statements.length = 0;
    const authorized = await application.request('POST', `/v1/sessions/${kept}/authorize`);
    expect(authorized.statusCode).toBe(200);
    expect(statements.filter((text) => /^SELECT s\.id/.test(text))).toHaveLength(1);
    expect(await count(database, 'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1', [kept])).toBe(1);
  });

  it("another merchant's key finds nothing kept: 404, and the owner still authorizes it", async () => {
    const { database, application, create, statements } = await setUp();
    const sessionId = await create('owner');
    const stranger = await application.merchants.create('Other Shop');
    const refused = await application.request('POST', `/v1/sessions/${sessionId}/authorize`, { key: stranger.api_key });
    expect(refused.statusCode).toBe(404);
    statements.length = 0;
    const authorized = await application.request('POST', `/v1/sessions/${sessionId}/authorize`);
    expect(authorized.statusCode).toBe(200);
    // The refused attempt neither saw nor spent what was kept: the owner's authorize reads no session.
    expect(statements.filter((text) => /^SELECT s\.id/.test(text))).toHaveLength(0);
    expect(
      await count(database, 'SELECT count(*)::int AS count FROM decisions WHERE session_id = $1', [sessionId]),
    ).toBe(1);
  });
});
