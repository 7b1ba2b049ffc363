// The scheduler purges expired unauthenticated state (sign-ins, ceremonies, consumer sessions, counters), once per row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication } from './application.ts';
import { databaseKinds } from './databases.ts';
import { purgeExpired } from '../src/storage/retention.ts';

const day = 86_400_000;

describe.each(databaseKinds)('retention on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  async function seed(prefix: string, endedDaysAgo: number) {
    const at = new Date(app.clock.now() - endedDaysAgo * day);
    const query = app.database.query.bind(app.database);
    await query(`INSERT INTO accounts (id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [`${prefix}acc`, at]);
    await query(
      `INSERT INTO sign_ins (id, account_id, code_hash, expires_at, created_at) VALUES ($1, NULL, 'h', $2, $2)`,
      [`${prefix}sgn`, at],
    );
    await query(
      `INSERT INTO webauthn_ceremonies (id, purpose, account_id, challenge, expires_at) VALUES ($1, 'sign_in', NULL, 'c', $2)`,
      [`${prefix}wac`, at],
    );
    await query(
      `INSERT INTO consumer_sessions (id, account_id, token_hash, method, created_at, expires_at) VALUES ($1, $2, $1, 'code', $3, $3)`,
      [`${prefix}cs`, `${prefix}acc`, at],
    );
    await query(`INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 3)`, [`${prefix}key`, at]);
  }

  const count = async (table: string, prefix: string) => {
    const column = table === 'rate_limit_counters' ? 'key' : 'id';
    const [row] = await app.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${table} WHERE ${column} LIKE $1`,
      [`${prefix}%`],
    );
    return row!.count;
  };

  it('deletes what ended past its retention, keeps the rest, and a second run finds nothing', async () => {
    await seed('old_', 40);
    await seed('mid_', 3);
    await seed('new_', -1);
    const counts = await app.protection.scheduler.tick();
    expect(counts.retention).toBeGreaterThanOrEqual(6);
    for (const table of ['sign_ins', 'webauthn_ceremonies', 'consumer_sessions', 'rate_limit_counters']) {
      expect(await count(table, 'old_'), table).toBe(0);
      expect(await count(table, 'new_'), table).toBe(1);
    }
    // Three days past its end: a ceremony and a session go (one day), a sign-in and a counter stay (thirty days).
    expect(await count('webauthn_ceremonies', 'mid_')).toBe(0);
    expect(await count('consumer_sessions', 'mid_')).toBe(0);
    expect(await count('sign_ins', 'mid_')).toBe(1);
    expect(await count('rate_limit_counters', 'mid_')).toBe(1);
    expect((await app.protection.scheduler.tick()).retention).toBe(0);
  });

  it('two processes purging at once delete each row once', async () => {
    for (let index = 0; index < 30; index += 1) await seed(`race${index}_`, 40);
    const now = new Date(app.clock.now());
    const [first, second] = await Promise.all([purgeExpired(app.database, now), purgeExpired(app.database, now)]);
    expect(first.sign_ins! + second.sign_ins!).toBe(30);
    expect(first.rate_limit_counters! + second.rate_limit_counters!).toBe(30);
  });
});
