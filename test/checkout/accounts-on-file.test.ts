// Concurrent approvals of returning customers read their accounts on file together, and each still sees its own.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { makePgliteWorkerDatabase } from '../../src/storage/pglite-worker.database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { makeTestApplication, type TestApplication, postImport } from '../application.ts';
import { historyLines } from '../../bench/import.bench.ts';
import { sessionBody } from '../../bench/http.bench.ts';
import { countingDatabase } from './counting-database.ts';

// Customers 1..8 of the imported history (customer 0 has an unpaid invoice: declined).
const buyers = [1, 2, 3, 4, 5, 6, 7, 8];
const historyCustomers = 9;

/** The bench's history of `historyCustomers` customers, imported through the admin API. */
async function importHistory(application: TestApplication): Promise<void> {
  const imported = await postImport(application.server, historyLines(historyCustomers * 5));
  expect(imported.statusCode).toBe(200);
}

describe.each(databaseKinds)('accounts on file at approval (%s)', (kind) => {
  let application: TestApplication | undefined;
  afterEach(async () => application?.close());

  it('reads the accounts of concurrent approvals in fewer statements than approvals, each seeing its own channels', async () => {
    const counting = countingDatabase(await makeTestDatabase(kind));
    const db = counting.database;
    application = await makeTestApplication(kind, { database: db, historyTail: false });
    await importHistory(application);
    const accountOf = async (buyer: number) =>
      (await db.query<{ id: string }>('SELECT id FROM accounts WHERE external_id = $1', [`a-${buyer}`]))[0]!.id;
    const accounts = await Promise.all(buyers.map(accountOf));
    // Buyer 1 never confirmed a channel; buyer 2 neither, but a code sent to each is still running (2026-11-05), and
    // buyer 3's codes ran out (2026-11-01). The clock stands at 2026-11-02.
    const [unconfirmed, waiting, expired] = accounts as [string, string, string];
    await db.query('UPDATE channels SET verified_at = NULL WHERE account_id = ANY($1::text[])', [
      [unconfirmed, waiting, expired],
    ]);
    for (const [account, expiresAt] of [
      [waiting, '2026-11-05T00:00:00Z'],
      [expired, '2026-11-01T00:00:00Z'],
    ] as const)
      await db.query(
        `INSERT INTO channel_confirmations (id, channel_id, account_id, created_at, expires_at)
         SELECT 'chc_' || id, id, account_id, '2026-10-29T00:00:00Z', $2 FROM channels WHERE account_id = $1`,
        [account, expiresAt],
      );

    const sessions: string[] = [];
    for (const buyer of buyers) {
      const created = await application.request('POST', '/v1/sessions', { body: sessionBody(buyer, historyCustomers) });
      expect(created.statusCode).toBe(201);
      sessions.push(created.json().id);
    }
    counting.statements.length = 0;
    const answers = await Promise.all(
      sessions.map((id) => application!.request('POST', `/v1/sessions/${id}/authorize`)),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(buyers.map(() => 200));
    expect(answers.map((answer) => answer.json().decision)).toEqual(buyers.map(() => 'approved'));
    const orders = answers.map((answer) => answer.json().order.id as string);
    const orderAccounts = await db.query<{ id: string; account_id: string }>(
      'SELECT id, account_id FROM orders WHERE id = ANY($1::text[])',
      [orders],
    );
    expect(orders.map((order) => orderAccounts.find((row) => row.id === order)?.account_id)).toEqual(accounts);

    // Before, each approval read its account on its own, inside the group's transaction: one statement per approval.
    const accountReads = counting.statements.filter(
      (text) => /channel_confirmations/.test(text) && /FROM accounts a /.test(text),
    );
    expect(accountReads.length).toBeGreaterThan(0);
    expect(accountReads.length).toBeLessThan(buyers.length);

    // Each approval acted on its own account: a notice to the confirmed e-mail of buyers 4..8, none where nothing is
    // confirmed; new codes for buyer 1 (none sent yet) and buyer 3 (theirs ran out), none for buyer 2 (still running).
    const notices = await db.query<{ account_id: string; kind: string }>(
      'SELECT n.account_id, c.kind FROM order_notices n JOIN channels c ON c.id = n.channel_id',
    );
    const noticed = accounts.map((account) =>
      notices.filter((row) => row.account_id === account).map((row) => row.kind),
    );
    expect(noticed).toEqual(accounts.map((_, index) => (index < 3 ? [] : ['email'])));
    const codes = await db.query<{ account_id: string; count: number }>(
      `SELECT account_id, count(*)::int AS count FROM channel_confirmations WHERE created_at > '2026-11-01'
       GROUP BY account_id`,
    );
    const newCodes = accounts.map((account) => codes.find((row) => row.account_id === account)?.count ?? 0);
    expect(newCodes).toEqual([2, 0, 2, 0, 0, 0, 0, 0]);
  });

  it('two approvals of one account at once send one code per unconfirmed channel, each with one message', async () => {
    const db = await makeTestDatabase(kind);
    application = await makeTestApplication(kind, { database: db, historyTail: false });
    await importHistory(application);
    const buyer = buyers[0]!;
    const account = (
      await db.query<{ id: string }>('SELECT id FROM accounts WHERE external_id = $1', [`a-${buyer}`])
    )[0]!.id;
    await db.query('UPDATE channels SET verified_at = NULL WHERE account_id = $1', [account]);
    const sessions: string[] = [];
    for (let checkout = 0; checkout < 2; checkout += 1) {
      const created = await application.request('POST', '/v1/sessions', { body: sessionBody(buyer, historyCustomers) });
      expect(created.statusCode).toBe(201);
      sessions.push(created.json().id);
    }
    // Both decide and read the account (no code running) before either commits: they share one group's transaction.
    const answers = await Promise.all(
      sessions.map((id) => application!.request('POST', `/v1/sessions/${id}/authorize`)),
    );
    expect(answers.map((answer) => answer.json().decision)).toEqual(['approved', 'approved']);
    const codes = await db.query<{ channel_id: string; count: number }>(
      'SELECT channel_id, count(*)::int AS count FROM channel_confirmations WHERE account_id = $1 GROUP BY channel_id',
      [account],
    );
    const channels = await db.query<{ id: string }>('SELECT id FROM channels WHERE account_id = $1', [account]);
    expect(channels.length).toBeGreaterThan(0);
    expect(codes.map((row) => row.count)).toEqual(channels.map(() => 1));
    // Each message carries the link of the code that was written, and no message went out for a code that was not.
    const messages = await db.query<{ text: string }>(
      `SELECT payload->>'text' AS text FROM outbox WHERE topic = 'notification' AND payload->>'kind' = 'channel_confirmation'`,
    );
    const written = await db.query<{ id: string }>('SELECT id FROM channel_confirmations WHERE account_id = $1', [
      account,
    ]);
    expect(messages.length).toBe(written.length);
    for (const { id } of written) expect(messages.filter((message) => message.text.includes(id)).length).toBe(1);
  });

  it('keeps a returning account between approvals, and drops it as soon as a change made anywhere is heard', async () => {
    const counting = countingDatabase(await makeTestDatabase(kind));
    const db = counting.database;
    application = await makeTestApplication(kind, { database: db, historyTail: false });
    await importHistory(application);
    // Buyer 4: a confirmed e-mail, so each approval sends a notice to every confirmed channel of the account.
    const buyer = buyers[3]!;
    const account = (
      await db.query<{ id: string }>('SELECT id FROM accounts WHERE external_id = $1', [`a-${buyer}`])
    )[0]!.id;
    const accountReads = () =>
      counting.statements.filter((text) => /channel_confirmations/.test(text) && /FROM accounts a /.test(text)).length;
    const approve = async () => {
      const created = await application!.request('POST', '/v1/sessions', {
        body: sessionBody(buyer, historyCustomers),
      });
      counting.statements.length = 0;
      const authorized = await application!.request('POST', `/v1/sessions/${created.json().id}/authorize`);
      expect(authorized.json().decision).toBe('approved');
      const noticed = await db.query<{ kind: string }>(
        'SELECT c.kind FROM order_notices n JOIN channels c ON c.id = n.channel_id WHERE n.order_id = $1 ORDER BY 1',
        [authorized.json().order.id],
      );
      return { reads: accountReads(), noticed: noticed.map((row) => row.kind) };
    };
    expect(await approve()).toEqual({ reads: 1, noticed: ['email'] });
    expect(application.checkout.accountsOnFileKept).toBe(1);
    // The next approval of the account reads nothing before its write.
    expect(await approve()).toEqual({ reads: 0, noticed: ['email'] });

    // Another process (a plain statement here, past this process's code) adds a phone the customer has not confirmed:
    // the notification drops the kept account, and the next approval reads it again and sends the phone a code.
    await db.query(
      `INSERT INTO channels (id, account_id, kind, value, value_pseudonym, verified_at, created_at)
       VALUES ('chn_elsewhere', $1, 'phone', '+31612345678', 'elsewhere', NULL, '2026-11-01T00:00:00Z')`,
      [account],
    );
    await expect.poll(() => application!.checkout.accountsOnFileKept, { timeout: 5_000 }).toBe(0);
    const codes = async () =>
      (
        await db.query<{ count: number }>(
          "SELECT count(*)::int AS count FROM channel_confirmations WHERE channel_id = 'chn_elsewhere'",
        )
      )[0]!.count;
    expect(await approve()).toEqual({ reads: 1, noticed: ['email'] });
    expect(await codes()).toBe(1);
    // The account is kept as read before that code: the next approval would send one, but its statement finds the
    // code running and writes neither a code nor a message.
    const messages = async () =>
      (
        await db.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM outbox WHERE payload->>'kind' = 'channel_confirmation'
             AND payload->>'to' = '+31612345678'`,
        )
      )[0]!.count;
    expect(await messages()).toBe(1);
    expect(await approve()).toEqual({ reads: 0, noticed: ['email'] });
    expect(await codes()).toBe(1);
    expect(await messages()).toBe(1);

    // An erasure here forgets every kept account at once.
    expect(application.checkout.accountsOnFileKept).toBe(1);
    application.checkout.forgetKeptPersons();
    expect(application.checkout.accountsOnFileKept).toBe(0);
  });

  it('approvals of returning customers from many connections at once all finish (a read awaited inside a commit hung PGlite)', async () => {
    // PGlite as the server runs it, in its worker thread: a statement outside a transaction waits there for the
    // transaction to end, so a commit that waited for such a read never ended (the HTTP bench hung at 32 connections).
    const database =
      kind === 'pglite'
        ? await makePgliteWorkerDatabase({ loadDataDir: new Uint8Array(await readFile(inject('pgliteTemplate'))) })
        : await makeTestDatabase(kind);
    if (kind === 'pglite') await migrate(database);
    application = await makeTestApplication(kind, { database, historyTail: false });
    await importHistory(application);
    // As the HTTP bench's 32 connections do: each creates a session and authorizes it, again and again, so groups'
    // transactions open while other approvals' account reads still wait behind the one in flight.
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 32 }, async (_, connection) => {
        for (let checkout = 0; checkout < 4; checkout += 1) {
          const buyer = buyers[(connection + checkout) % buyers.length]!;
          const created = await application!.request('POST', '/v1/sessions', {
            body: sessionBody(buyer, historyCustomers),
          });
          expect(created.statusCode).toBe(201);
          const authorized = await application!.request('POST', `/v1/sessions/${created.json().id}/authorize`);
          statuses.push(authorized.statusCode);
        }
      }),
    );
    expect(statuses).toEqual(Array.from({ length: 128 }, () => 200));
  }, 60_000);
});
