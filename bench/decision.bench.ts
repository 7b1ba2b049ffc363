// In-process decision benchmark: the whole authorize pipeline (engine + database write) without HTTP, on an on-disk
// embedded database in its worker thread as the server runs it, so a "durable write" here is one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { makePgliteWorkerDatabase } from '../src/storage/pglite-worker.database.ts';
import { threadCpuMilliseconds } from '../src/storage/thread-cpu.ts';
import { quantile } from './stats.ts';
import { decodeFeatures } from '../src/checkout/decision-record.codec.ts';
import type { RuleResult } from '../src/risk/engine.ts';
import { loadDefaultRuleset } from '../src/risk/rules/ruleset.loader.ts';
import type { SqlExecutor } from '../src/storage/database.ts';

/**
 * Bytes of the features and rule results per stored decision, as stored (a vector by catalogue version, rule hits)
 * and as the record held them before (every feature by name, every rule's result): decoded back to compare.
 */
async function recordBytes(database: SqlExecutor): Promise<{ before: number; after: number; row: number }> {
  const rules = loadDefaultRuleset().rules;
  const rows = await database.query<{ features: unknown; rule_results: RuleResult[]; row_bytes: number }>(
    'SELECT features, rule_results, pg_column_size(d.*) AS row_bytes FROM decisions d',
  );
  let before = 0;
  let after = 0;
  let row = 0;
  for (const stored of rows) {
    const named = await decodeFeatures(database, stored.features);
    const every = rules.map(
      (rule) => stored.rule_results.find((result) => result.ruleId === rule.id) ?? { kind: 'no_hit', ruleId: rule.id },
    );
    before += Buffer.byteLength(JSON.stringify(named)) + Buffer.byteLength(JSON.stringify(every));
    after +=
      Buffer.byteLength(JSON.stringify(stored.features)) + Buffer.byteLength(JSON.stringify(stored.rule_results));
    row += Number(stored.row_bytes);
  }
  const count = Math.max(1, rows.length);
  return { before: Math.round(before / count), after: Math.round(after / count), row: Math.round(row / count) };
}

/** Authorizes `ids` with `concurrency` in flight, returning each one's latency in milliseconds. */
async function authorizeAll(
  ids: readonly string[],
  concurrency: number,
  authorize: (id: string) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const before = process.hrtime.bigint();
      await authorize(id);
      latencies.push(Number(process.hrtime.bigint() - before) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return latencies;
}

export async function runDecisionBench(options: {
  decisions: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  if (!config.ok) throw new Error(config.errors.join('; '));
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-decision-bench-'));
  options.log(`  on-disk embedded database in a worker thread: ${dataDir}`);
  const database = await makePgliteWorkerDatabase({ dataDir });
  const application = await makeApplication(config.config, { database });
  const merchant = await application.merchants.create('Bench Shop');
  const sessions: string[] = [];
  for (let index = 0; index < options.decisions; index++) {
    const value = 2000 + (index % 50) * 300;
    const session = await application.checkout.createSession(merchant, {
      amount: { value, currency: 'EUR' },
      merchant_reference: `bench-${index}`,
      lines: [{ name: 'Item', quantity: 1, unit_price: value, category: 'fashion' }],
      customer: {
        name: `Customer ${index % 300}`,
        email: `customer${index % 300}@example.nl`,
        phone: `+316${String(10000000 + (index % 300))}`,
      },
      billing_address: {
        street: 'Damrak',
        house_number: String(1 + (index % 300)),
        postal_code: '1012LG',
        city: 'Amsterdam',
        country: 'NL',
      },
      device: { id: `device-${index % 300}`, ip: '203.0.113.7', user_agent: 'bench' },
    });
    sessions.push(session.id);
  }
  // One at a time (each waits for its own fsync), then 16 in flight (their commits share fsyncs).
  const sequential = sessions.slice(0, Math.floor(sessions.length / 2));
  const concurrent = sessions.slice(sequential.length);
  const authorize = (id: string) => application.checkout.authorize(merchant, id);
  const workerBefore = await database.figures();
  const mainBefore = threadCpuMilliseconds();
  const started = process.hrtime.bigint();
  const latencies = await authorizeAll(sequential, 1, authorize);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const concurrentStarted = process.hrtime.bigint();
  const concurrentLatencies = await authorizeAll(concurrent, 16, authorize);
  const concurrentSeconds = Number(process.hrtime.bigint() - concurrentStarted) / 1e9;
  const mainAfter = threadCpuMilliseconds();
  const workerAfter = await database.figures();
  const perDecision = (before: number | null, after: number | null) =>
    before === null || after === null ? -1 : Math.round(((after - before) / sessions.length) * 1000) / 1000;
  const syncs = (figures: typeof workerBefore) =>
    figures.durability ?? { walSyncRequests: 0, groupSyncs: 0, barriers: 0 };
  const engineLatencies = await application.database.query<{ latency_us: number }>('SELECT latency_us FROM decisions');
  const bytes = await recordBytes(application.database);
  options.log(
    `  decision record, features and rule results: ${bytes.before} B as named JSON with every rule, ${bytes.after} B stored (vector by catalogue version, rule hits); whole stored row ${bytes.row} B (pg_column_size, compressed)`,
  );
  await application.close();
  await rm(dataDir, { recursive: true, force: true });
  const engineMs = engineLatencies.map((row) => row.latency_us / 1000);
  return {
    inprocess_authorize_p50_ms: quantile(latencies, 0.5),
    inprocess_authorize_p99_ms: quantile(latencies, 0.99),
    inprocess_authorize_per_second: Math.round(sequential.length / seconds),
    inprocess_authorize_16_in_flight_p50_ms: quantile(concurrentLatencies, 0.5),
    inprocess_authorize_16_in_flight_p99_ms: quantile(concurrentLatencies, 0.99),
    inprocess_authorize_16_in_flight_per_second: Math.round(concurrent.length / concurrentSeconds),
    inprocess_commits_durable: database.durable ? 1 : 0,
    inprocess_wal_fsync_requests: syncs(workerAfter).walSyncRequests - syncs(workerBefore).walSyncRequests,
    inprocess_group_fsyncs: syncs(workerAfter).groupSyncs - syncs(workerBefore).groupSyncs,
    // Synchronous WAL fsyncs forced because a data file was written while commits waited for their group fsync.
    inprocess_barrier_fsyncs: syncs(workerAfter).barriers - syncs(workerBefore).barriers,
    inprocess_main_thread_cpu_ms_per_decision: perDecision(mainBefore, mainAfter),
    inprocess_worker_thread_cpu_ms_per_decision: perDecision(workerBefore.cpuMilliseconds, workerAfter.cpuMilliseconds),
    inprocess_engine_p50_ms: quantile(engineMs, 0.5),
    inprocess_engine_p99_ms: quantile(engineMs, 0.99),
    decision_record_feature_rule_bytes_before: bytes.before,
    decision_record_feature_rule_bytes_after: bytes.after,
    decision_record_row_bytes: bytes.row,
  };
}
