// A database that refuses connections or stops answering: requests get 503 with Retry-After within the timeouts.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { makeTestDatabase, postgresUrl } from './databases.ts';
import type { Database } from '../src/storage/database.ts';
import { DatabaseUnavailableError } from '../src/storage/database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { makePgliteWorkerDatabase } from '../src/storage/pglite-worker.database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';

/** A TCP server that accepts connections and never says a word: a black-holed database. */
async function blackHole(): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/test`, server, sockets };
}

/** A port nothing listens on: connections are refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `postgres://postgres@127.0.0.1:${port}/test`;
}

const timeouts = { connectTimeoutMilliseconds: 500, statementTimeoutMilliseconds: 800 };

/** A TCP proxy to the real server that can go silent mid-connection: the server "black-holes" after start. */
async function freezableProxy(target: URL) {
  let frozen = false;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.push(client, upstream);
    for (const socket of [client, upstream]) socket.on('error', () => {});
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    freeze: () => (frozen = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('database faults', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let app: TestApplication;
  let down: Database | null = null;
  const unreachable: Database[] = [];

  beforeAll(async () => {
    hole = await blackHole();
    const real = await makeTestDatabase('pglite');
    // The application starts on a working database; the test then cuts it off behind its back.
    const switchable: Database = {
      kind: real.kind,
      query: (text, params) => (down ?? real).query(text, params),
      exec: (script) => (down ?? real).exec(script),
      transaction: (work) => (down ?? real).transaction(work),
      close: () => real.close(),
    };
    app = await makeTestApplication('pglite', { database: switchable });
    unreachable.push(
      await makePostgresDatabase({ url: hole.url, ...timeouts }),
      await makePostgresDatabase({ url: await refusedUrl(), ...timeouts }),
    );
  });
  afterAll(async () => {
    down = null;
    await app.close();
    for (const database of unreachable) await database.close().catch(() => {});
    for (const socket of hole.sockets) socket.destroy();
    hole.server.close();
  });

  it('a black-holed server fails a query within the timeouts instead of hanging', async () => {
    const started = performance.now();
    await expect(unreachable[0]!.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(unreachable[0]!.transaction((tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    // Never connected, nothing sent: no commit can hide behind these (the history tail need not read anything back).
    expect(unreachable[0]!.connectionFailures?.()).toBe(0);
  });

  it.each([
    ['black-holed', 0],
    ['refusing', 1],
  ])('a %s database gives 503 with Retry-After and readiness fails; liveness stays up', async (_name, index) => {
    expect((await app.request('GET', '/readyz', { key: null })).statusCode).toBe(200);
    down = unreachable[index]!;
    try {
      const started = performance.now();
      const response = await app.request('POST', '/v1/sessions', { body: sessionBody() });
      expect(performance.now() - started).toBeLessThan(3000);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json().error).toMatchObject({ code: 'service_unavailable', retry_after_seconds: 5 });
      const ready = await app.request('GET', '/readyz', { key: null });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).toBe('unavailable');
      expect((await app.request('GET', '/healthz', { key: null })).statusCode).toBe(200);
    } finally {
      down = null;
    }
    expect((await app.request('GET', '/readyz', { key: null })).statusCode).toBe(200);
  });

  it('an embedded database worker that dies fails what it held and what follows with 503, not a hang', async () => {
    const worker = await makePgliteWorkerDatabase({
      loadDataDir: new Uint8Array(await readFile(inject('pgliteTemplate'))),
    });
    await migrate(worker);
    const held = worker.query('SELECT count(*) FROM generate_series(1, 30000000)');
    await worker.kill();
    await expect(held).rejects.toBeInstanceOf(DatabaseUnavailableError);
    down = worker;
    try {
      const response = await app.request('POST', '/v1/sessions', { body: sessionBody() });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({ code: 'service_unavailable', retry_after_seconds: 5 });
      expect((await app.request('GET', '/readyz', { key: null })).statusCode).toBe(503);
    } finally {
      down = null;
      await worker.close();
    }
  }, 120_000);

  it.skipIf(!postgresUrl)(
    'a server that stops answering mid-connection fails the query within the timeout',
    async () => {
      const proxy = await freezableProxy(new URL(postgresUrl!));
      const database = await makePostgresDatabase({ url: proxy.url, ...timeouts });
      try {
        expect(await database.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        proxy.freeze();
        const started = performance.now();
        await expect(database.query('SELECT 2')).rejects.toBeInstanceOf(DatabaseUnavailableError);
        // Sent and unanswered: it might have been a commit, so the history tail reads this process's facts back.
        expect(database.connectionFailures?.()).toBe(1);
        await expect(database.transaction((tx) => tx.query('SELECT 3'))).rejects.toBeInstanceOf(
          DatabaseUnavailableError,
        );
        expect(performance.now() - started).toBeLessThan(6_000);
      } finally {
        proxy.close();
        await database.close().catch(() => {});
      }
    },
  );
});
