// The PostgreSQL adapter of the RateLimiter port: fixed windows per rule, tiers apart, refusals not counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../../test/databases.ts';
import type { Database } from '../storage/database.ts';
import { limited, makeSqlRateLimiter } from './send.rate-limit.ts';

const minute = 60_000;
const tiers = [
  { limit: 2, windowMilliseconds: 15 * minute },
  { limit: 3, windowMilliseconds: 24 * 60 * minute },
];
// The start of a UTC day, so both windows begin together.
const dayStart = Date.parse('2026-11-02T00:00:00Z');

describe.each(databaseKinds)('SQL rate limiter on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await makeTestDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  it('consumes up to the limit of every tier, refuses without counting, and reopens when the window ends', async () => {
    const limiter = makeSqlRateLimiter(database);
    const keys = limited('test:consume', tiers);
    expect(await limiter.consume(keys, dayStart)).toEqual({ allowed: true });
    expect(await limiter.consume(keys, dayStart + 1000)).toEqual({ allowed: true });
    const refused = await limiter.consume(keys, dayStart + 2000);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 15 * 60 - 2 });
    // Next quarter hour: the day tier (3) has room for one more, then refuses until the day ends.
    expect(await limiter.consume(keys, dayStart + 16 * minute)).toEqual({ allowed: true });
    const daily = await limiter.consume(keys, dayStart + 17 * minute);
    expect(daily.allowed).toBe(false);
    expect(!daily.allowed && daily.retryAfterSeconds).toBeGreaterThan(23 * 3600);
    // Another key is not affected.
    expect(await limiter.consume(limited('test:other', tiers), dayStart)).toEqual({ allowed: true });
  });

  it('checks without counting and records past the limit', async () => {
    const limiter = makeSqlRateLimiter(database);
    const keys = limited('test:record', tiers);
    for (let index = 0; index < 5; index += 1) expect(await limiter.check(keys, dayStart)).toEqual({ allowed: true });
    await limiter.record(keys, dayStart);
    expect(await limiter.check(keys, dayStart)).toEqual({ allowed: true });
    await limiter.record(keys, dayStart);
    await limiter.record(keys, dayStart);
    expect((await limiter.check(keys, dayStart)).allowed).toBe(false);
    const [row] = await database.query<{ count: number }>(
      'SELECT max(count)::int AS count FROM rate_limit_counters WHERE key LIKE $1',
      ['test:record@%'],
    );
    expect(row!.count).toBe(3);
  });

  it('counts inside the caller transaction: a rolled-back use is not counted', async () => {
    const keys = limited('test:rollback', [{ limit: 1, windowMilliseconds: minute }]);
    await database
      .transaction(async (tx) => {
        expect(await makeSqlRateLimiter(tx).consume(keys, dayStart)).toEqual({ allowed: true });
        throw new Error('the send failed');
      })
      .catch(() => {});
    expect(await makeSqlRateLimiter(database).consume(keys, dayStart)).toEqual({ allowed: true });
  });
});
