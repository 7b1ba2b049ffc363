// Live monitoring benchmark: the console's picture and one alert-rule round over a busy week of decisions (PGlite).
import { performance } from 'node:perf_hooks';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { makeIds } from '../src/shared/ids.ts';
import { makeMonitoringService } from '../src/monitoring/monitoring.service.ts';
import { makeAlertRules } from '../src/monitoring/alert-rules.service.ts';
import { quantile } from './stats.ts';

const now = Date.parse('2026-11-02T10:00:00Z');
const outcomes = `(ARRAY['approved','approved','approved','approved','approved','approved','step_up','step_up','review','declined'])`;

/** `perHour` decisions an hour over the last 8 days, at 4 merchants, with rule hits and a score each. */
async function fill(database: Awaited<ReturnType<typeof makePgliteDatabase>>, perHour: number) {
  const total = perHour * 24 * 8;
  await database.exec(`
    INSERT INTO merchants (id, name, api_key_hash, created_at)
      SELECT 'mer_' || g, 'Shop ' || g, 'hash' || g, now() FROM generate_series(1, 4) g;`);
  const batch = 50_000;
  for (let from = 1; from <= total; from += batch) {
    const to = Math.min(total, from + batch - 1);
    // Spread evenly back from now: row g is g x (8 days / total) before now.
    await database.exec(`
      INSERT INTO sessions (id, merchant_id, status, input, created_at, updated_at)
        SELECT 'ses_' || g, 'mer_' || (g % 4 + 1), 'approved', '{}'::jsonb, now(), now()
        FROM generate_series(${from}, ${to}) g;
      INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, score, features, rule_results,
          challenge_options, versions, input, latency_us, decided_at)
        SELECT 'dec_' || g, 'ses_' || g, 'mer_' || (g % 4 + 1), ${outcomes}[g % 10 + 1], '[]'::jsonb, (g % 97) / 100.0,
          jsonb_build_object('shipping_on_file', g % 5 <> 0, 'provider_unavailable_count', CASE WHEN g % 50 = 0 THEN 1 ELSE 0 END),
          jsonb_build_array(jsonb_build_object('kind', CASE WHEN g % 7 = 0 THEN 'hit' ELSE 'no_hit' END, 'ruleId', 'rule_' || (g % 3))),
          '[]'::jsonb, '{}'::jsonb, '{}'::jsonb, 500 + g % 3000,
          timestamptz '${new Date(now).toISOString()}' - (g * interval '${(8 * 24 * 3600) / total} seconds')
        FROM generate_series(${from}, ${to}) g;`);
  }
  await database.exec('ANALYZE decisions; ANALYZE sessions;');
  return total;
}

export async function runMonitoringBench(options: {
  perHour: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const database = await makePgliteDatabase();
  try {
    await migrate(database);
    const started = performance.now();
    const total = await fill(database, options.perHour);
    options.log(`  ... ${total} decisions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const clock = makeManualClock(now);
    const ids = makeIds(() => clock.now());
    const monitoring = makeMonitoringService({ database, clock });
    const alertRules = makeAlertRules({ database, clock, ids });
    const actor = { id: 'stf_bench', name: 'bench' };
    await database.query(`INSERT INTO staff (id, name, role, created_at) VALUES ('stf_bench', 'bench', 'lead', now())`);
    for (const [series, kind] of [
      ['step_ups', 'change'],
      ['decline_rate', 'threshold'],
      ['latency_p95_ms', 'threshold'],
    ] as const) {
      await alertRules.create(actor, {
        name: series,
        series,
        merchant_id: 'mer_1',
        new_address_only: series === 'step_ups',
        kind,
        threshold: 1_000_000,
        minimum_count: 1,
        window_minutes: 60,
      });
    }
    const plan = await database.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT count(*) FROM decisions d WHERE d.decided_at >= $1 AND d.decided_at < $2`,
      [new Date(now - 3_600_000), new Date(now)],
    );
    const indexUsed = plan.some((row) => /decisions_(merchant_)?decided/.test(row['QUERY PLAN'])) ? 1 : 0;
    const snapshots: number[] = [];
    const evaluations: number[] = [];
    let counted = 0;
    for (let round = 0; round < options.rounds; round += 1) {
      let at = performance.now();
      const view = await monitoring.snapshot({ minutes: 60, merchantId: null });
      snapshots.push(performance.now() - at);
      counted = view.totals.now.decisions ?? 0;
      at = performance.now();
      await alertRules.evaluate();
      evaluations.push(performance.now() - at);
    }
    const round = (value: number) => Math.round(value * 10) / 10;
    return {
      monitoring_decisions_total: total,
      monitoring_decisions_in_window: counted,
      monitoring_window_index_used: indexUsed,
      monitoring_snapshot_p50_ms: round(quantile(snapshots, 0.5)),
      monitoring_snapshot_max_ms: round(Math.max(...snapshots)),
      monitoring_alert_round_3_rules_p50_ms: round(quantile(evaluations, 0.5)),
    };
  } finally {
    await database.close();
  }
}
