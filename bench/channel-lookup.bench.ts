// Sign-in lookup benchmark: find a verified channel by its normalised value among N channels (embedded PGlite).
import { performance } from 'node:perf_hooks';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import type { Database } from '../src/storage/database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { verifiedChannelLookupSql } from '../src/consumer/sign-in.service.ts';
import { signInIdentity } from '../src/consumer/sign-in.identity.ts';
import { quantile } from './stats.ts';

/** What sign-in ran before migration 060: regexp_replace() and lower() on every channel row. */
const scanSql = `SELECT id FROM channels
  WHERE kind = 'phone' AND regexp_replace(value, '[^0-9]', '', 'g') = $1 AND verified_at IS NOT NULL
  ORDER BY verified_at LIMIT 1`;

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
    const accounts = Math.ceil(options.channels / 2);
    const plan = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${verifiedChannelLookupSql}`, [
      '+31600000001',
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
      const started = performance.now();
      const rows = await database.query(verifiedChannelLookupSql, [identity.key, identity.kind]);
      timings.push(performance.now() - started);
      found += rows.length;
    }
    const scans: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const started = performance.now();
      await database.query(scanSql, [`316${String(1 + index).padStart(8, '0')}`]);
      scans.push(performance.now() - started);
    }
    return {
      channels_count: options.channels,
      channels_fill_seconds: Math.round(fillSeconds * 10) / 10,
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
