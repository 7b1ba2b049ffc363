// The outbox delivers each message at least once, retries with backoff, and gives up after max attempts.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestDatabase, databaseKinds } from '../../test/databases.ts';
import { makeManualClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { enqueue, listOutbox, makeOutboxWorker, type OutboxMessage } from './outbox.ts';
import { countingDatabase } from '../../test/checkout/counting-database.ts';

describe.each(databaseKinds)('outbox on %s', (kind) => {
  let database: Database;
  afterEach(async () => {
    await database.close();
  });

  it('delivers, retries after failures with backoff, and marks failed after max attempts', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    const delivered: OutboxMessage[] = [];
    let failuresLeft = 2;
    const worker = makeOutboxWorker({
      database,
      clock,
      maxAttempts: 3,
      handlers: {
        flaky: async (message) => {
          if (failuresLeft-- > 0) throw new Error('receiver down');
          delivered.push(message);
        },
        broken: async () => {
          throw new Error('always down');
        },
      },
    });
    await database.transaction(async (tx) => {
      await enqueue(tx, ids, { topic: 'flaky', recipient: 'r1', payload: { n: 1 }, at: new Date(clock.now()) });
      await enqueue(tx, ids, { topic: 'broken', recipient: 'r2', payload: { n: 2 }, at: new Date(clock.now()) });
    });
    expect(await worker.drainOnce()).toBe(2);
    expect(delivered).toHaveLength(0);
    expect(await worker.drainOnce()).toBe(0); // backoff: nothing due yet
    clock.advance(10_000);
    await worker.drainOnce();
    clock.advance(20_000);
    await worker.drainOnce();
    expect(delivered.map((message) => message.payload)).toEqual([{ n: 1 }]);
    const rows = await listOutbox(database, { limit: 10 });
    const byTopic = Object.fromEntries(rows.map((row) => [row.topic, row]));
    expect(byTopic.flaky).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(byTopic.broken).toMatchObject({ status: 'failed', attempts: 3, last_error: 'always down' });
    clock.advance(3_600_000);
    expect(await worker.drainOnce()).toBe(0);
  });
});

describe.each(databaseKinds)('outbox lanes on %s', (kind) => {
  let database: Database;
  afterEach(async () => {
    await database.close();
  });

  it('delivers codes and other endpoints while one webhook receiver hangs, holding at most two slots', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    let releaseHung: () => void = () => {};
    const hung = new Promise<void>((resolve) => (releaseHung = resolve));
    const started: string[] = [];
    const delivered: string[] = [];
    const worker = makeOutboxWorker({
      database,
      clock,
      pollMilliseconds: 20,
      handlers: {
        webhook: async (message) => {
          started.push(message.recipient!);
          if (message.recipient === 'whk_silent') await hung;
          delivered.push(`webhook:${message.recipient}`);
        },
        notification: async (message) => {
          delivered.push(`notification:${message.recipient}`);
        },
      },
    });
    const at = new Date(clock.now());
    await database.transaction(async (tx) => {
      for (let index = 0; index < 6; index += 1) {
        await enqueue(tx, ids, { topic: 'webhook', recipient: 'whk_silent', payload: { index }, at });
      }
      await enqueue(tx, ids, { topic: 'webhook', recipient: 'whk_healthy', payload: {}, at });
    });
    worker.start(20);
    // A code enqueued after the silent receiver has taken its slots is still handed over at once.
    const waitFor = async (condition: () => boolean) => {
      const since = performance.now();
      while (!condition() && performance.now() - since < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitFor(() => delivered.includes('webhook:whk_healthy') && started.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 100)); // more polls: the silent receiver gets no third slot
    const enqueuedAt = performance.now();
    await database.transaction((tx) =>
      enqueue(tx, ids, { topic: 'notification', recipient: '+31612345678', payload: {}, at }),
    );
    await waitFor(() => delivered.includes('notification:+31612345678'));
    expect(performance.now() - enqueuedAt).toBeLessThan(1000);
    expect(delivered).toContain('webhook:whk_healthy');
    expect(started.filter((recipient) => recipient === 'whk_silent')).toHaveLength(2);
    releaseHung();
    await worker.stop();
    await worker.drainOnce();
    expect(delivered.filter((entry) => entry === 'webhook:whk_silent')).toHaveLength(6);
  });

  it('leases in one statement, oldest first, a recipient at most its cap at a time', async () => {
    const counted = countingDatabase(await makeTestDatabase(kind));
    database = counted.database;
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    const started: string[] = [];
    const worker = makeOutboxWorker({
      database,
      clock,
      perRecipient: 2,
      handlers: { notification: async (message) => void started.push(String(message.payload.name)) },
    });
    // Oldest first: a, b, then three more for a (over its cap of two), a message without recipient, one for c.
    const messages: [string, string | null][] = [
      ['a1', 'a'],
      ['b1', 'b'],
      ['a2', 'a'],
      ['a3', 'a'],
      ['a4', 'a'],
      ['n1', null],
      ['c1', 'c'],
    ];
    for (const [name, recipient] of messages) {
      clock.advance(1);
      await database.transaction((tx) =>
        enqueue(tx, ids, { topic: 'notification', recipient, payload: { name }, at: new Date(clock.now()) }),
      );
    }
    clock.advance(1);
    counted.statements.length = 0;
    expect(await worker.drainOnce()).toBe(7);
    // The first lease skips a's third and fourth (two of a's are picked), then later leases take them.
    expect(started.slice(0, 5)).toEqual(['a1', 'b1', 'a2', 'n1', 'c1']);
    expect([...started].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'c1', 'n1']);
    // No transaction around a lease: each is one statement (it was BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT).
    expect(counted.statements).not.toContain('BEGIN');
    const leases = counted.statements.filter((text) => /UPDATE outbox o SET leased_until/.test(text));
    expect(leases.length).toBeGreaterThanOrEqual(2);
    const rows = await listOutbox(database, { limit: 10 });
    expect(rows.every((row) => row.status === 'delivered' && row.attempts === 1)).toBe(true);
    // A drain that leased everything due does not lease again just to find nothing: one message, one lease.
    await database.transaction((tx) =>
      enqueue(tx, ids, { topic: 'notification', recipient: 'd', payload: { name: 'd1' }, at: new Date(clock.now()) }),
    );
    counted.statements.length = 0;
    expect(await worker.drainOnce()).toBe(1);
    expect(counted.statements.filter((text) => /UPDATE outbox o SET leased_until/.test(text))).toHaveLength(1);
  });

  it('marks the deliveries of one lease that finish together in one statement (one commit, not two)', async () => {
    const counted = countingDatabase(await makeTestDatabase(kind));
    database = counted.database;
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    const worker = makeOutboxWorker({ database, clock, handlers: { notification: async () => {} } });
    for (const recipient of ['a', 'b', 'c', 'd', 'e'])
      await database.transaction((tx) =>
        enqueue(tx, ids, { topic: 'notification', recipient, payload: {}, at: new Date(clock.now()) }),
      );
    counted.statements.length = 0;
    expect(await worker.drainOnce()).toBe(5);
    const marks = counted.statements.filter((text) => /SET status = 'delivered'/.test(text));
    expect(marks).toHaveLength(1);
    const rows = await listOutbox(database, { limit: 10 });
    expect(rows.map((row) => row.status)).toEqual(Array(5).fill('delivered'));
  });

  it('renews the lease of a long delivery so a second worker does not deliver it again', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    const deliveries: string[] = [];
    const slowHandler = async (message: OutboxMessage) => {
      deliveries.push(message.id);
      // The delivery outlasts the lease several times over while the clock moves on.
      for (let step = 0; step < 6; step += 1) {
        clock.advance(500);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    };
    const options = { database, clock, leaseMilliseconds: 1000, pollMilliseconds: 10 };
    const first = makeOutboxWorker({ ...options, handlers: { slow: slowHandler } });
    const second = makeOutboxWorker({ ...options, handlers: { slow: slowHandler } });
    await database.transaction((tx) =>
      enqueue(tx, ids, { topic: 'slow', recipient: null, payload: {}, at: new Date(clock.now()) }),
    );
    const firstDrain = first.drainOnce();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await second.drainOnce();
    await firstDrain;
    expect(deliveries).toHaveLength(1);
  });
  it('drains only the lanes of topics with due messages: an idle lane costs no lease of its own', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const ids = makeIds(clock.now);
    const leasedTopics = new Set<unknown>();
    const watched: Database = {
      ...database,
      query: (text, params) => {
        if (text.includes('FOR UPDATE SKIP LOCKED')) leasedTopics.add(params?.[1]);
        return database.query(text, params);
      },
    };
    const delivered: string[] = [];
    const idle = async () => {
      throw new Error('an idle lane delivered something');
    };
    const worker = makeOutboxWorker({
      database: watched,
      clock,
      handlers: {
        notification: async (message) => void delivered.push(message.id),
        webhook: idle,
        'ops.alert': idle,
        'payment.refund': idle,
      },
    });
    const id = await database.transaction((tx) =>
      enqueue(tx, ids, { topic: 'notification', recipient: '+31612345678', payload: {}, at: new Date(clock.now()) }),
    );
    worker.start(20);
    const since = performance.now();
    while (!delivered.includes(id) && performance.now() - since < 5000)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100)); // several polls while nothing is due
    await worker.stop();
    expect(delivered).toEqual([id]);
    expect([...leasedTopics]).toEqual(['notification']);
  });
});
