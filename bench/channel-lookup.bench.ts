// Sign-in lookup benchmark: find a verified channel by the pseudonym of its normalised value among N channels (PGlite).
import { performance } from 'node:perf_hooks';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import type { Database } from '../src/storage/database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { identityPseudonym, verifiedChannelLookupSql } from '../src/consumer/sign-in.service.ts';
import { signInIdentity } from '../src/consumer/sign-in.identity.ts';
import { loadConfig } from '../src/config.ts';
import { makePersonalData } from '../src/privacy/personal-data.ts';
import { makePseudonyms } from '../src/privacy/pseudonyms.ts';
import { makeSubjectStore } from '../src/privacy/subject-store.ts';
import { sealPlainAccounts } from '../src/privacy/account-data.seal.ts';
import { quantile } from './stats.ts';

/** What sign-in ran before migration 060: regexp_replace() and lower() on every channel row (before they were sealed). */
const scanSql = `SELECT id FROM channels
  WHERE kind = 'phone' AND regexp_replace(value, '[^0-9]', '', 'g') = $1 AND verified_at IS NOT NULL
  ORDER BY verified_at LIMIT 1`;

/** The application's pseudonyms and sealing, with the configuration's (development) keys. */
function personalDataOfConfig() {
  const loaded = loadConfig({ LOG_LEVEL: 'silent' });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  let next = 0;
  const subjects = makeSubjectStore({
    masterKeys: loaded.config.privacy.masterKeys,
    encryption: true,
    newId: () => `sub_bench_${(next += 1)}`,
    now: () => new Date(),
  });
  return makePersonalData({ subjects, pseudonyms: makePseudonyms(Buffer.from(loaded.config.privacy.pseudonymSecret)) });
}

/** Half e-mail, half phone channels; phones in three spellings, as typed at checkouts over the years. */
async function fill(database: Database, channels: number, log: (line: string) => void) {
  const accounts = Math.ceil(channels / 2);
  const batch = 50_000;
  for (let from = 1; from <= accounts; from += batch) {
    const to = Math.min(accounts, from + batch - 1);
    await database.exec(`
      INSERT INTO accounts (id, name, created_at)
        SELECT 'acc_' || g, 'Customer ' || g, now() FROM generate_series(${from}, ${to}) g;
      INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
        SELECT 'chn_e' || g, 'acc_' || g, 'email', 'Customer.' || g || '@Example.nl', now(), now()
        FROM generate_series(${from}, ${to}) g;
      INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
        SELECT 'chn_p' || g, 'acc_' || g, 'phone',
          CASE g % 3 WHEN 0 THEN '+316' || lpad(g::text, 8, '0')
                     WHEN 1 THEN '06 ' || lpad(g::text, 8, '0')
                     ELSE '00316-' || lpad(g::text, 8, '0') END,
          now(), now()
        FROM generate_series(${from}, ${to}) g;`);
    if (to % 200_000 < batch) log(`  ... ${to * 2} channels`);
  }
  await database.exec('ANALYZE channels');
}

export async function runChannelLookupBench(options: {
  channels: number;
  lookups: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const database = await makePgliteDatabase();
  try {
    await migrate(database);
    const filled = performance.now();
    await fill(database, options.channels, options.log);
    const fillSeconds = (performance.now() - filled) / 1000;
    const scans: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const started = performance.now();
      await database.query(scanSql, [`316${String(1 + index).padStart(8, '0')}`]);
      scans.push(performance.now() - started);
    }
    // Written in plain as before migration 190, sealed as a start seals them: the lookup then goes by pseudonym.
    const personalData = personalDataOfConfig();
    const sealing = performance.now();
    await sealPlainAccounts(database, personalData.accounts);
    const sealSeconds = (performance.now() - sealing) / 1000;
    await database.exec('ANALYZE channels; ANALYZE accounts;');
    const accounts = Math.ceil(options.channels / 2);
    const plan = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${verifiedChannelLookupSql}`, [
      personalData.accounts.channelPseudonym('phone', '+31600000001'),
      'phone',
    ]);
    const indexUsed = plan.some((row) => row['QUERY PLAN'].includes('channels_lookup')) ? 1 : 0;
    const timings: number[] = [];
    let found = 0;
    for (let index = 0; index < options.lookups; index += 1) {
      const account = 1 + ((index * 7919) % accounts);
      // Typed another way than stored: the normalised key still finds it.
      const identity =
        index % 2 === 0
          ? signInIdentity({ phone: `+31 6 ${String(account).padStart(8, '0')}` })
          : signInIdentity({ email: `customer.${account}@example.NL` });
      // Timed as sign-in does it: the pseudonym, the one indexed query, and opening the value the code goes to.
      const started = performance.now();
      const rows = await database.query<Parameters<typeof personalData.accounts.channelValue>[0]>(
        verifiedChannelLookupSql,
        [identityPseudonym(personalData.pseudonyms, identity), identity.kind],
      );
      if (rows[0] && personalData.accounts.channelValue(rows[0]) !== null) found += 1;
      timings.push(performance.now() - started);
    }
    return {
      channels_count: options.channels,
      channels_fill_seconds: Math.round(fillSeconds * 10) / 10,
      channels_seal_on_start_seconds: Math.round(sealSeconds * 10) / 10,
      channels_lookup_index_used: indexUsed,
      channels_lookup_found_ratio: Math.round((found / options.lookups) * 1000) / 1000,
      channels_lookup_p50_ms: quantile(timings, 0.5),
      channels_lookup_p99_ms: quantile(timings, 0.99),
      channels_scan_before_p50_ms: quantile(scans, 0.5),
    };
  } finally {
    await database.close();
  }
}
