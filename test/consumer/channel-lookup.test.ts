// Sign-in finds a channel by the indexed pseudonym of its normalised value (migration 190): spellings share it, the
// value itself is not stored, and without PSEUDONYM_SECRET nobody can compute it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { testConfig } from '../application.ts';
import type { Database } from '../../src/storage/database.ts';
import { identityPseudonym, verifiedChannelLookupSql } from '../../src/consumer/sign-in.service.ts';
import { signInIdentity } from '../../src/consumer/sign-in.identity.ts';
import { makePersonalData } from '../../src/privacy/personal-data.ts';
import { makePseudonyms } from '../../src/privacy/pseudonyms.ts';
import { makeSubjectStore } from '../../src/privacy/subject-store.ts';
import { sealPlainAccounts } from '../../src/privacy/account-data.seal.ts';

/** Stored spellings (as typed at checkouts or imported) and what sign-in is typed for the same person. */
const cases: Array<{ kind: 'email' | 'phone'; stored: string; typed: string }> = [
  { kind: 'phone', stored: '+31612345678', typed: '06 1234 5678' },
  { kind: 'phone', stored: '06-12345678', typed: '+31612345678' },
  { kind: 'phone', stored: '0031612345678', typed: '+31 6 12345678' },
  { kind: 'phone', stored: '+31 (0)6 12345678', typed: '0612345678' },
  { kind: 'phone', stored: '(06) 12345678', typed: '0031 6 1234 5678' },
  { kind: 'phone', stored: '+31 6 2222 3333', typed: '0622223333' },
  { kind: 'phone', stored: '+49 30 1234567', typed: '0049 30 1234567' },
  { kind: 'phone', stored: ' 0612345678 ', typed: '+31-6-1234-5678' },
  { kind: 'email', stored: 'Anna@Example.nl', typed: 'anna@example.nl' },
  { kind: 'email', stored: ' anna@example.nl ', typed: 'ANNA@EXAMPLE.NL' },
  { kind: 'email', stored: 'anna+shop@example.nl', typed: 'anna@example.nl' },
  { kind: 'email', stored: 'Anna.de.Vries@gmail.com', typed: 'annadevries+x@googlemail.com' },
  { kind: 'email', stored: 'anna@example.nl.', typed: 'anna@example.nl' },
];

/** Different people: their pseudonyms must differ (exact match on the normalised value, nothing looser). */
const different: Array<{ kind: 'email' | 'phone'; stored: string; typed: string }> = [
  { kind: 'phone', stored: '+31612345678', typed: '+31612345679' },
  { kind: 'email', stored: 'anna@example.nl', typed: 'anna@example.com' },
  { kind: 'email', stored: 'anna.devries@example.nl', typed: 'annadevries@example.nl' },
];

function personalDataWith(secret: string) {
  const config = testConfig({ PSEUDONYM_SECRET: secret });
  let next = 0;
  const subjects = makeSubjectStore({
    masterKeys: config.privacy.masterKeys,
    encryption: true,
    newId: () => `sub_lookup_${(next += 1)}`,
    now: () => new Date(),
  });
  return makePersonalData({ subjects, pseudonyms: makePseudonyms(Buffer.from(config.privacy.pseudonymSecret)) });
}

const secret = 'a-test-pseudonym-secret-of-at-least-32-characters';
const typedPseudonym = (personalData: ReturnType<typeof personalDataWith>, kind: 'email' | 'phone', typed: string) =>
  identityPseudonym(personalData.pseudonyms, signInIdentity(kind === 'email' ? { email: typed } : { phone: typed }));

describe('channel pseudonyms', () => {
  const personalData = personalDataWith(secret);

  it('are the same for every spelling of one mailbox or number, and differ between people', () => {
    for (const item of cases) {
      const stored = personalData.accounts.channelPseudonym(item.kind, item.stored);
      expect(stored, `${item.stored} vs ${item.typed}`).toBe(typedPseudonym(personalData, item.kind, item.typed));
      expect(stored).toMatch(new RegExp(`^p_${item.kind}_[A-Za-z0-9_-]{43}$`));
    }
    for (const item of different)
      expect(personalData.accounts.channelPseudonym(item.kind, item.stored)).not.toBe(
        typedPseudonym(personalData, item.kind, item.typed),
      );
  });

  it('cannot be computed without PSEUDONYM_SECRET', () => {
    const other = personalDataWith('another-secret-that-is-also-at-least-32-characters');
    for (const item of cases)
      expect(other.accounts.channelPseudonym(item.kind, item.stored)).not.toBe(
        personalData.accounts.channelPseudonym(item.kind, item.stored),
      );
  });
});

describe.each(databaseKinds)('channel lookup on %s', (kind) => {
  let database: Database;
  const personalData = personalDataWith(secret);

  beforeAll(async () => {
    database = await makeTestDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  it('looks a verified channel up through the index by pseudonym and opens its value', async () => {
    // Written in plain as before migration 190, then sealed by the start-up step: the path existing data takes.
    await database.exec(`
      INSERT INTO accounts (id, name, created_at)
        SELECT 'acc_l' || g, 'Customer ' || g, now() FROM generate_series(1, 2000) g;
      INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
        SELECT 'chn_l' || g, 'acc_l' || g, 'phone', '06 ' || lpad(g::text, 8, '0'), now(), now()
        FROM generate_series(1, 2000) g;`);
    expect(await sealPlainAccounts(database, personalData.accounts)).toEqual({ accounts: 2000, channels: 2000 });
    expect(await sealPlainAccounts(database, personalData.accounts)).toEqual({ accounts: 0, channels: 0 });
    await database.exec('ANALYZE channels; ANALYZE accounts;');
    const [plain] = await database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM channels WHERE value IS NOT NULL OR position(convert_to('00001234', 'UTF8') in sealed_value) > 0",
    );
    expect(plain!.count).toBe(0);

    const pseudonym = typedPseudonym(personalData, 'phone', '+31 6 00001234');
    const [found] = await database.query<
      Parameters<typeof personalData.accounts.channelValue>[0] & {
        account_id: string;
      }
    >(verifiedChannelLookupSql, [pseudonym, 'phone']);
    expect(found!.account_id).toBe('acc_l1234');
    expect(personalData.accounts.channelValue(found!)).toBe('06 00001234');
    const plan = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${verifiedChannelLookupSql}`, [
      pseudonym,
      'phone',
    ]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using channels_lookup|Bitmap Index Scan on channels_lookup/);
    expect(text).not.toMatch(/Seq Scan on channels/);
  });
});
