// Sign-in finds a channel by its stored, indexed normalised value (migration 060), the same key the engine uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import type { Database } from '../../src/storage/database.ts';
import { verifiedChannelLookupSql } from '../../src/consumer/sign-in.service.ts';
import { signInIdentity } from '../../src/consumer/sign-in.identity.ts';

/** Stored spellings (as typed at checkouts or imported) and the key sign-in computes for the same person. */
const cases: Array<{ kind: 'email' | 'phone'; stored: string; typed: string }> = [
  { kind: 'phone', stored: '+31612345678', typed: '06 1234 5678' },
  { kind: 'phone', stored: '06-12345678', typed: '+31612345678' },
  { kind: 'phone', stored: '0031612345678', typed: '+31 6 12345678' },
  { kind: 'phone', stored: '+31 (0)6 12345678', typed: '0612345678' },
  { kind: 'phone', stored: '(06) 12345678', typed: '0031 6 1234 5678' },
  { kind: 'phone', stored: '31612345678', typed: '06-12345678' },
  { kind: 'phone', stored: '+49 30 1234567', typed: '0049 30 1234567' },
  { kind: 'phone', stored: ' 0612345678 ', typed: '+31-6-1234-5678' },
  { kind: 'email', stored: 'Anna@Example.nl', typed: 'anna@example.nl' },
  { kind: 'email', stored: ' anna@example.nl ', typed: 'ANNA@EXAMPLE.NL' },
  { kind: 'email', stored: 'anna+shop@example.nl', typed: 'anna@example.nl' },
  { kind: 'email', stored: 'Anna.de.Vries@gmail.com', typed: 'annadevries+x@googlemail.com' },
  { kind: 'email', stored: 'anna@example.nl.', typed: 'anna@example.nl' },
];

describe.each(databaseKinds)('channel lookup key on %s', (kind) => {
  let database: Database;

  beforeAll(async () => {
    database = await makeTestDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores the key the engine computes, whatever the spelling on file', async () => {
    for (const item of cases) {
      const [row] = await database.query<{ key: string }>('SELECT rearguard_channel_key($1, $2) AS key', [
        item.kind,
        item.stored,
      ]);
      const typed = signInIdentity(item.kind === 'email' ? { email: item.typed } : { phone: item.typed });
      const stored = signInIdentity(item.kind === 'email' ? { email: item.stored } : { phone: item.stored });
      expect(row!.key, `${item.stored} vs ${item.typed}`).toBe(typed.key);
      expect(row!.key, `${item.stored} as the engine normalises it`).toBe(stored.key);
    }
  });

  it('looks a verified channel up through the index, not a scan of every channel', async () => {
    await database.exec(`
      INSERT INTO accounts (id, name, created_at)
        SELECT 'acc_l' || g, 'Customer ' || g, now() FROM generate_series(1, 5000) g;
      INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
        SELECT 'chn_l' || g, 'acc_l' || g, 'phone', '06 ' || lpad(g::text, 8, '0'), now(), now()
        FROM generate_series(1, 5000) g;
      ANALYZE channels;`);
    const identity = signInIdentity({ phone: '+31 6 00004321' });
    const [found] = await database.query<{ account_id: string }>(verifiedChannelLookupSql, [
      identity.key,
      identity.kind,
    ]);
    expect(found!.account_id).toBe('acc_l4321');
    const plan = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${verifiedChannelLookupSql}`, [
      identity.key,
      identity.kind,
    ]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using channels_lookup|Bitmap Index Scan on channels_lookup/);
    expect(text).not.toMatch(/Seq Scan on channels/);
  });
});
