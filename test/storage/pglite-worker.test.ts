// PGlite in a worker thread: the Database port as before, the event loop free during a long query, commits on disk
// grouped into few fsyncs and surviving a reopen.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { makeTestApplication, sessionBody } from '../application.ts';
import { isUniqueViolation } from '../../src/storage/database.ts';
import { makePgliteDatabase } from '../../src/storage/pglite.database.ts';
import { makePgliteWorkerDatabase, type PgliteWorkerDatabase } from '../../src/storage/pglite-worker.database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { enqueue, makeOutboxWorker } from '../../src/outbox/outbox.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { makeIds } from '../../src/shared/ids.ts';

const template = async () => new Uint8Array(await readFile(inject('pgliteTemplate')));

describe('PGlite in a worker thread', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function workerDatabase(dataDir?: string): Promise<PgliteWorkerDatabase> {
    const database = await makePgliteWorkerDatabase({ dataDir, loadDataDir: await template() });
    await migrate(database);
    return database;
  }

  it(
    'serves the Database port: values, transactions, rollbacks and database errors with their codes',
    { timeout: 400_000 },
    async () => {
      const database = await workerDatabase();
      cleanups.push(() => database.close());
      expect(database.durable).toBe(false);
      await database.exec('CREATE TABLE worker_probe (id int PRIMARY KEY, at timestamptz, body jsonb, raw bytea)');
      const at = new Date('2026-11-02T10:00:00Z');
      await database.query('INSERT INTO worker_probe VALUES ($1, $2, $3, $4)', [
        1,
        at,
        { a: [1, 2] },
        new Uint8Array([1, 2]),
      ]);
      expect(await database.query('SELECT id, at, body, raw FROM worker_probe')).toEqual([
        { id: 1, at, body: { a: [1, 2] }, raw: new Uint8Array([1, 2]) },
      ]);

      const counted = await database.transaction(async (tx) => {
        await tx.query('INSERT INTO worker_probe (id) VALUES (2)');
        return tx.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_probe');
      });
      expect(counted).toEqual([{ n: 2 }]);
      await expect(
        database.transaction(async (tx) => {
          await tx.query('INSERT INTO worker_probe (id) VALUES (3)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');

      const duplicate = await database
        .query('INSERT INTO worker_probe (id) VALUES (1)')
        .catch((error: unknown) => error);
      expect(isUniqueViolation(duplicate)).toBe(true);
      expect(duplicate).toMatchObject({ code: '23505', constraint: 'worker_probe_pkey', severity: 'ERROR' });
      // A failed statement inside a transaction rolls the whole transaction back, as in one thread.
      await expect(
        database.transaction(async (tx) => {
          await tx.query('INSERT INTO worker_probe (id) VALUES (4)');
          await tx.query('INSERT INTO worker_probe (id) VALUES (1)');
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await database.query('SELECT id FROM worker_probe ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    },
  );

  it(
    'keeps the event loop free: /healthz and a checkout answer while a long query runs in the worker',
    { timeout: 400_000 },
    async () => {
      const database = await workerDatabase();
      const app = await makeTestApplication('pglite', { database });
      cleanups.push(() => app.close());
      let longQueryDone = false;
      const longQuery = database
        .query<{ n: number }>('SELECT count(*)::int AS n FROM generate_series(1, 10000000)')
        .finally(() => (longQueryDone = true));
      const slowest = { healthz: 0 };
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        const response = await app.request('GET', '/healthz', { key: null });
        slowest.healthz = Math.max(slowest.healthz, performance.now() - started);
        expect(response.statusCode).toBe(200);
      }
      // Answered while the query still held the database: in one thread they would have waited for it to end.
      expect(longQueryDone).toBe(false);
      expect(slowest.healthz).toBeLessThan(3000);
      expect(await longQuery).toEqual([{ n: 10000000 }]);

      const created = await app.request('POST', '/v1/sessions', { body: sessionBody() });
      expect(created.statusCode).toBe(201);
      const authorized = await app.request('POST', `/v1/sessions/${created.json().id}/authorize`);
      expect(authorized.statusCode).toBe(200);
    },
  );

  it(
    'on disk: concurrent commits share fsyncs, and every acknowledged row is there after a reopen',
    { timeout: 400_000 },
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-worker-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const database = await workerDatabase(dataDir);
      expect(database.durable).toBe(true);
      await database.exec('CREATE TABLE durable_probe (id int PRIMARY KEY)');
      const before = (await database.figures()).durability!;
      const commits = 60;
      await Promise.all(
        Array.from({ length: commits }, (_, index) =>
          database.transaction(async (tx) => {
            await tx.query('INSERT INTO durable_probe VALUES ($1)', [index]);
          }),
        ),
      );
      const after = await database.figures();
      const requests = after.durability!.walSyncRequests - before.walSyncRequests;
      const groups = after.durability!.groupSyncs - before.groupSyncs;
      // Every commit asked PostgreSQL for a WAL fsync; they were done in fewer, shared ones.
      expect(requests).toBeGreaterThanOrEqual(commits);
      expect(groups).toBeGreaterThan(0);
      expect(groups).toBeLessThan(requests);
      expect(after.cpuMilliseconds).toBeGreaterThan(0);
      await database.close();

      const reopened = await makePgliteDatabase({ dataDir });
      try {
        expect(await reopened.query('SELECT count(*)::int AS n FROM durable_probe')).toEqual([{ n: commits }]);
      } finally {
        await reopened.close();
      }
    },
  );

  it(
    'passes change notifications on: heard at commit (not after a rollback), silent after unlisten, and the outbox wakes on them',
    { timeout: 400_000 },
    async () => {
      const database = await workerDatabase();
      cleanups.push(() => database.close());
      const heard: Array<string | null> = [];
      const unlisten = await database.listen!('worker_probe_channel', (payload) => heard.push(payload));
      await database.transaction(async (tx) => {
        await tx.query("SELECT pg_notify('worker_probe_channel', 'first')");
        // Not before the commit: a listener must never act on what may still roll back.
        expect(heard).toEqual([]);
      });
      await expect(
        database.transaction(async (tx) => {
          await tx.query("SELECT pg_notify('worker_probe_channel', 'rolled back')");
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await database.query("SELECT pg_notify('worker_probe_channel', 'second')");
      await database.query("SELECT pg_notify('another_channel', 'not ours')");
      await database.query('SELECT 1'); // the worker answers in order: notifications above have arrived
      expect(heard).toEqual(['first', 'second']);
      await unlisten();
      await database.query("SELECT pg_notify('worker_probe_channel', 'after')");
      await database.query('SELECT 1');
      expect(heard).toEqual(['first', 'second']);

      // The outbox polls only once a minute here: a delivery within seconds came from the commit's notification.
      const delivered: string[] = [];
      const outbox = makeOutboxWorker({
        database,
        clock: systemClock,
        handlers: { 'probe.topic': async (message) => void delivered.push(message.id) },
        fallbackPollMilliseconds: 60_000,
      });
      outbox.start(60_000);
      cleanups.push(() => outbox.stop());
      const ids = makeIds();
      const deadline = Date.now() + 20_000;
      // The subscription is made in the background: a message committed before it is there waits for the poll.
      while (delivered.length === 0 && Date.now() < deadline) {
        await database.transaction((tx) =>
          enqueue(tx, ids, { topic: 'probe.topic', recipient: null, payload: {}, at: new Date() }),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(delivered.length).toBeGreaterThan(0);
    },
  );
});
