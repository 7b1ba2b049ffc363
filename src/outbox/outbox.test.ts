// The outbox delivers each message at least once, retries with backoff, and gives up after max attempts.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestDatabase, databaseKinds } from '../../test/databases.ts';
import { makeManualClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { enqueue, listOutbox, makeOutboxWorker, type OutboxMessage } from './outbox.ts';

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
