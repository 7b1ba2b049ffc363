// Sessions created at the same moment under cached subjects share one insert, and a shredded subject still fails alone.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { countingDatabase } from './counting-database.ts';

const buyers = [0, 1, 2, 3, 4, 5, 6, 7];

describe.each(databaseKinds)('concurrent session creation (%s)', (kind) => {
  let application: TestApplication | undefined;
  afterEach(async () => application?.close());

  it('inserts concurrent sessions in fewer statements than sessions, each under its own live subject', async () => {
    const counting = countingDatabase(await makeTestDatabase(kind));
    const db = counting.database;
    application = await makeTestApplication(kind, { database: db, historyTail: false });
    const create = async (buyer: number, reference: string) => {
      const customer = { name: `Buyer ${buyer}`, email: `buyer${buyer}@example.nl`, phone: `+3161300${1000 + buyer}` };
      const created = await application!.request('POST', '/v1/sessions', {
        body: sessionBody({ merchant_reference: reference, customer }),
      });
      expect(created.statusCode).toBe(201);
      return created.json().id as string;
    };
    const subjectOf = async (sessionId: string) =>
      (await db.query<{ subject_id: string }>('SELECT subject_id FROM sessions WHERE id = $1', [sessionId]))[0]!
        .subject_id;

    // One session each first, so every buyer's subject is cached; then buyer 0 is erased on another node.
    const first = [];
    for (const buyer of buyers) first.push(await subjectOf(await create(buyer, `first-${buyer}`)));
    await db.query(
      'UPDATE subjects SET wrapped_key = NULL, master_key_id = NULL, claim_pseudonym = NULL WHERE id = $1',
      [first[0]!],
    );

    counting.statements.length = 0;
    const sessions = await Promise.all(buyers.map((buyer) => create(buyer, `second-${buyer}`)));
    // Before, each session under a cached subject was its own INSERT: eight here, and one more for buyer 0's reseal.
    // PGlite answers one statement at a time, in order: its requests reach the insert one by one, as they did before.
    const inserts = counting.statements.filter((text) => /^INSERT INTO sessions/.test(text));
    if (kind === 'postgres') expect(inserts.length).toBeLessThan(buyers.length);
    else expect(inserts.length).toBeLessThanOrEqual(buyers.length + 1);

    // Every session is stored (a 201 means committed), under its buyer's subject; buyer 0's under a new, live one.
    const second = await Promise.all(sessions.map(subjectOf));
    expect(second.slice(1)).toEqual(first.slice(1));
    expect(second[0]).not.toBe(first[0]);
    const [live] = await db.query<{ live: boolean }>(
      'SELECT wrapped_key IS NOT NULL AS live FROM subjects WHERE id = $1',
      [second[0]!],
    );
    expect(live?.live).toBe(true);
    const authorized = await application.request('POST', `/v1/sessions/${sessions[0]}/authorize`);
    expect(authorized.statusCode).toBe(200);
  });
});
