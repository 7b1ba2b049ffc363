// Start benchmark: time to ready with N orders of history, cold (rebuild) and warm (snapshot), on PostgreSQL and
// PGlite, and the online state's memory per order. The history is generated once (bulk SQL, sealed in JS) and cached.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/storage/database.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { makeBenchSealer } from './start.sealing.ts';
import type { StartFigures } from '../src/risk/state/online-state.service.ts';

const run = promisify(execFile);

const chunk = 100_000;
/**
 * The stall a snapshot may cause, at the history measured (not projected): the issue sets no figure; this is the
 * bench's own bound, a few slow requests' worth, where the whole-state serialising it replaced held the loop seconds.
 */
const stallBound = 250;
const historyDays = 730;

/**
 * Bulk SQL, no application code: accounts (one per five orders, each created before its first order), a verified
 * phone channel each, orders with the session input the state reads, invoices, and payments 14 days after the
 * order (90% on time, 7% late, 3% unpaid) for orders old enough. Shapes follow the risk bench: 30% of orders from a
 * second device, half from a second IP, 10% shipped to another address. Pseudo-random but deterministic (hashes).
 */
function generationSql(orders: number, from: number, to: number): string[] {
  const accounts = Math.max(1, Math.floor(orders / 5));
  const start = "timestamptz '2024-01-01 00:00:00+00'";
  const hash = (value: string, salt: number) =>
    `((((${value})::bigint * 2654435761 + ${salt}) % 4294967296) / 4294967296.0)`;
  const address = (account: string) =>
    `jsonb_build_object('street', 'Kerkstraat', 'house_number', (1 + ${account} % 300)::text, 'postal_code', ` +
    `(1000 + ${account} % 8900)::text || ' ' || chr((65 + ${account} % 26)::int) || chr((65 + (${account} / 32) % 26)::int), ` +
    `'city', 'Amsterdam', 'country', 'NL')`;
  const statements: string[] = [];
  const accountFrom = Math.floor((from * accounts) / orders);
  const accountTo = Math.floor((to * accounts) / orders);
  if (accountTo > accountFrom)
    statements.push(
      `INSERT INTO accounts (id, name, email, phone, address, created_at)
       SELECT 'acc_' || a, 'Name' || (a % 997) || ' Surname' || (a % 89), 'customer' || a || '@gmail.com',
              '+316' || (10000000 + a), ${address('a')}, ${start} + (a::float / ${accounts}) * interval '${historyDays} days'
       FROM generate_series(${accountFrom}, ${accountTo - 1}) AS a`,
      `INSERT INTO channels (id, account_id, kind, value, verified_at, created_at)
       SELECT 'ch_' || a, 'acc_' || a, 'phone', '+316' || (10000000 + a), created_at, created_at
       FROM generate_series(${accountFrom}, ${accountTo - 1}) AS a JOIN accounts ON accounts.id = 'acc_' || a`,
    );
  // An order's account is one created before it: a uniform pick among the accounts that exist by then.
  statements.push(
    `INSERT INTO orders (id, account_id, merchant_name, amount, currency, input, source, status, placed_at)
     SELECT 'o' || o, 'acc_' || a, 'import', amount, 'EUR',
            jsonb_build_object(
              'amount', jsonb_build_object('value', amount, 'currency', 'EUR'),
              'merchant_reference', 'bench',
              'lines', jsonb_build_array(jsonb_build_object('name', 'Item', 'quantity', 1, 'unit_price', amount,
                'category', (ARRAY['fashion', 'electronics', 'home', 'books', 'beauty'])[1 + a % 5])),
              'customer', jsonb_build_object('name', 'Name' || (a % 997) || ' Surname' || (a % 89),
                'email', 'customer' || a || '@gmail.com', 'phone', '+316' || (10000000 + a)),
              'billing_address', ${address('a')},
              'device', jsonb_build_object('id', 'dev_' || a || CASE WHEN ${hash('o', 3)} < 0.3 THEN '_b' ELSE '' END,
                'ip', CASE WHEN ${hash('o', 5)} < 0.5 THEN '81.' || (a / 65536) % 256 || '.' || (a / 256) % 256 || '.' || a % 256
                           ELSE '84.1.' || a % 256 || '.9' END)
            ) || CASE WHEN ${hash('o', 7)} < 0.1
                      THEN jsonb_build_object('shipping_address', ${address(`(${hash('o', 11)} * ${accounts})::bigint`)})
                      ELSE '{}'::jsonb END,
            'import', 'open', placed_at
     FROM (SELECT o, least(${accounts - 1}, floor(${hash('o', 1)} * greatest(1, o::float * ${accounts} / ${orders}))::bigint) AS a,
                  2000 + floor(${hash('o', 2)} * 20000)::bigint AS amount,
                  ${start} + (o::float / ${orders}) * interval '${historyDays} days' AS placed_at
           FROM generate_series(${from}, ${to - 1}) AS o) AS generated`,
    `INSERT INTO invoices (id, order_id, account_id, amount, currency, status, due_at, created_at)
     SELECT 'inv_' || id, id, account_id, amount, 'EUR', 'open', placed_at + interval '14 days', placed_at
     FROM orders WHERE id IN (SELECT 'o' || o FROM generate_series(${from}, ${to - 1}) AS o)`,
    `INSERT INTO payments (id, invoice_id, amount, outcome, paid_at)
     SELECT 'pay_' || o, 'inv_o' || o, 0,
            CASE WHEN ${hash('o', 13)} < 0.9 THEN 'paid_on_time' WHEN ${hash('o', 13)} < 0.97 THEN 'paid_late' ELSE 'unpaid' END,
            ${start} + (o::float / ${orders}) * interval '${historyDays} days' + interval '14 days'
     FROM generate_series(${from}, ${to - 1}) AS o
     WHERE (o::float / ${orders}) * ${historyDays} + 14 <= ${historyDays}`,
  );
  return statements;
}

/**
 * Fills the database a chunk of orders at a time, each chunk one transaction, with progress. Each order is then sealed
 * as an import seals it (start.sealing.ts), so a start reads what it would after a real import: the personal data in
 * sealed sessions, the orders holding only the person-free copy.
 */
async function generate(
  database: Database,
  orders: number,
  sealChunk: ReturnType<typeof makeBenchSealer>,
  log: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  for (let from = 0; from < orders; from += chunk) {
    const to = Math.min(orders, from + chunk);
    await database.transaction(async (tx) => {
      for (const statement of generationSql(orders, from, to)) await tx.query(statement);
      await sealChunk(tx, from, to);
    });
    log(`  generated ${to} / ${orders} orders (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  // Sealing rewrote every order: vacuumed so the start does not scan dead versions a real import never leaves, and
  // statistics as autovacuum would gather them in time (the start's plans do not depend on them, see history.reader).
  await database.query('VACUUM ANALYZE');
  await database.query('CREATE TABLE IF NOT EXISTS bench_generated (orders INTEGER NOT NULL)');
  await database.query('INSERT INTO bench_generated (orders) VALUES ($1)', [orders]);
}

async function generatedOrders(database: Database): Promise<number> {
  const [found] = await database.query<{ exists: boolean }>(
    "SELECT to_regclass('bench_generated') IS NOT NULL AS exists",
  );
  if (!found?.exists) return 0;
  const [row] = await database.query<{ orders: number }>('SELECT max(orders) AS orders FROM bench_generated');
  return row?.orders ?? 0;
}

/** Opens (and if needed creates and fills) the cached bench database; returns the environment a server needs. */
async function prepare(
  kind: 'pglite' | 'postgres',
  orders: number,
  databaseUrl: string,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  // Sealed under the keys the started server is configured with (the same environment as timeStart's).
  const configured = loadConfig({ LOG_LEVEL: 'warn' });
  if (!configured.ok) throw new Error(configured.errors.join('; '));
  const sealChunk = makeBenchSealer(configured.config.privacy);
  if (kind === 'postgres') {
    // Named apart from the plain-import history earlier versions generated, which a cached database would still hold.
    const name = `rearguard_bench_start_sealed_${orders}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    // Bulk generation runs statements far longer than a request may.
    const database = await makePostgresDatabase({ url: url.toString(), statementTimeoutMilliseconds: 3_600_000 });
    await migrate(database);
    if ((await generatedOrders(database)) !== orders) await generate(database, orders, sealChunk, log);
    await database.close();
    return { DATABASE_URL: url.toString(), DATA_DIR: resolve(`bench/out/start-postgres-sealed-${orders}`) };
  }
  const dataDir = resolve(`bench/out/start-pglite-sealed-${orders}`);
  await mkdir(dataDir, { recursive: true });
  const database = await makePgliteDatabase({ dataDir });
  await migrate(database);
  if ((await generatedOrders(database)) !== orders) await generate(database, orders, sealChunk, log);
  await database.close();
  return { DATABASE_URL: '', DATA_DIR: dataDir };
}

/** JS heap and array buffers after a full GC. On PGlite the buffers include the embedded database's own memory. */
function memory(): { heap: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

async function timeStart(environment: Record<string, string>, log: (line: string) => void) {
  const result = loadConfig({ LOG_LEVEL: 'warn', STATE_SNAPSHOT_INTERVAL_S: '0', ...environment });
  if (!result.ok) throw new Error(result.errors.join('; '));
  const before = memory();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const app = await makeApplication(result.config, { defaultModelPath: null });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // This process only: on PostgreSQL the server's own CPU comes on top, on PGlite the database is in here.
  const cpuSeconds = (cpu.user + cpu.system) / 1_000_000;
  const after = memory();
  const heapBytes = after.heap - before.heap;
  const bufferBytes = after.buffers - before.buffers;
  log(`  start: ${seconds.toFixed(1)} s, ${JSON.stringify(app.startFigures)}`);
  const closing = performance.now();
  // The close writes the snapshot: the longest the event loop went without a turn meanwhile is its stall.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await app.close();
  delay.disable();
  const longestStallMilliseconds = delay.max / 1_000_000;
  const written = app.onlineState.lastSnapshot();
  if (written) log(`  snapshot written on close: ${JSON.stringify(written)}`);
  return {
    seconds,
    cpuSeconds,
    longestStallMilliseconds,
    stateSeconds: app.startFigures.milliseconds / 1000,
    heapBytes,
    bufferBytes,
    closeSeconds: (performance.now() - closing) / 1000,
    written,
    startFigures: app.startFigures,
  };
}

/** A start in a node process of its own (bench/start.child.ts), as a new replica starts. */
async function startInChildProcess(environment: Record<string, string>): Promise<{
  seconds: number;
  processSeconds: number;
  startFigures: StartFigures;
}> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'bench/start.child.ts', JSON.stringify(environment)],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"startChild":'));
  if (line === undefined) throw new Error(`the child start printed no figures: ${stdout.slice(-2000)}`);
  return (JSON.parse(line) as { startChild: { seconds: number; processSeconds: number; startFigures: StartFigures } })
    .startChild;
}

/**
 * PostgreSQL: a process with no file of its own (a new replica, a container without its disk) starting from the
 * snapshot another published in the database. One start publishes its file on close (none published before it),
 * then the file goes and the next start fetches it.
 */
async function sharedStart(
  environment: Record<string, string>,
  figures: Record<string, number>,
  orders: number,
  log: (line: string) => void,
): Promise<void> {
  const database = await makePostgresDatabase({ url: environment.DATABASE_URL!, poolSize: 1 });
  await database.query('DELETE FROM state_snapshots');
  await database.close();
  const shared = { ...environment, STATE_SNAPSHOT_SHARED: 'on' };
  log('postgres: warm start that publishes its snapshot in the database on close');
  const publishing = await timeStart(shared, log);
  const publish = publishing.written?.publishing;
  if (publish?.published !== true) throw new Error(`the snapshot was not published: ${JSON.stringify(publish)}`);
  log('postgres: a new process (no snapshot file, a process of its own) starting from the published snapshot');
  // Its own directory, empty: the file the publishing start left is not there for it.
  const directory = await mkdtemp(join(tmpdir(), 'rearguard-new-process-'));
  const fetched = await startInChildProcess({
    ...shared,
    STATE_SNAPSHOT_PATH: join(directory, 'online-state.snapshot'),
  }).finally(() => rm(directory, { recursive: true, force: true }));
  log(
    `  start: ${fetched.seconds.toFixed(1)} s (process ${fetched.processSeconds.toFixed(1)} s), ${JSON.stringify(fetched.startFigures)}`,
  );
  if (fetched.startFigures.snapshotSource !== 'database') throw new Error('the new process did not fetch the snapshot');
  const fetchSeconds = (fetched.startFigures.snapshotFetchMilliseconds ?? 0) / 1000;
  figures.start_postgres_publish_seconds = Math.round(publish.milliseconds / 100) / 10;
  figures.start_postgres_new_process_seconds = Math.round(fetched.processSeconds * 10) / 10;
  figures.start_postgres_new_process_fetch_seconds = Math.round(fetchSeconds * 10) / 10;
  log(
    `  postgres publishing the snapshot: ${(publish.milliseconds / 1000).toFixed(1)} s (${(publish.bytes / 1_048_576).toFixed(0)} MB, on close)`,
  );
  log(
    `  postgres new process start: ${fetched.processSeconds.toFixed(1)} s from the process's beginning for ${orders} orders` +
      ` (fetching ${fetchSeconds.toFixed(1)} s, state ${(fetched.startFigures.milliseconds / 1000).toFixed(1)} s)` +
      (orders === 1_000_000 ? ` (target <= 20 s: ${fetched.processSeconds <= 20 ? 'met' : 'not met'})` : ''),
  );
}

export async function runStartBench(options: {
  orders: number;
  databaseUrl: string | undefined;
  /** Which of postgres and pglite to run (PostgreSQL needs a URL). */
  databases: readonly string[];
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const figures: Record<string, number> = { start_history_orders: options.orders };
  const kinds = (['postgres', 'pglite'] as const).filter(
    (kind) => options.databases.includes(kind) && (kind === 'pglite' || options.databaseUrl !== undefined),
  );
  for (const kind of kinds) {
    options.log(`${kind}: preparing ${options.orders} orders of history`);
    const environment = await prepare(kind, options.orders, options.databaseUrl ?? '', options.log);
    const snapshot = join(environment.DATA_DIR!, 'online-state.snapshot');
    await rm(snapshot, { force: true });
    await mkdir(environment.DATA_DIR!, { recursive: true });
    // Cold and warm: this process's own file only (a snapshot published in the database by an earlier run would
    // otherwise make the cold start a fetch).
    const fileOnly = { ...environment, STATE_SNAPSHOT_SHARED: 'off' };
    options.log(`${kind}: cold start (no snapshot)`);
    const cold = await timeStart(fileOnly, options.log);
    const snapshotBytes = existsSync(snapshot) ? (await stat(snapshot)).size : 0;
    options.log(`${kind}: warm start (snapshot of ${(snapshotBytes / 1_048_576).toFixed(0)} MB)`);
    const warm = await timeStart(fileOnly, options.log);
    if (kind === 'postgres') await sharedStart(environment, figures, options.orders, options.log);
    figures[`start_${kind}_cold_seconds`] = Math.round(cold.seconds * 10) / 10;
    figures[`start_${kind}_warm_seconds`] = Math.round(warm.seconds * 10) / 10;
    figures[`start_${kind}_snapshot_write_seconds`] = Math.round((cold.written?.milliseconds ?? 0) / 100) / 10;
    // How long serving stalls while a snapshot is taken: measured (the event loop's longest delay during the close that
    // writes it) and as the writer reports it (the cut, and the longest frame serialised in one turn).
    figures[`start_${kind}_snapshot_stall_ms`] = Math.round(cold.longestStallMilliseconds);
    figures[`start_${kind}_snapshot_cut_ms`] = cold.written?.cutMilliseconds ?? 0;
    figures[`start_${kind}_snapshot_longest_frame_ms`] = cold.written?.longestFrameMilliseconds ?? 0;
    figures[`start_${kind}_cold_cpu_seconds`] = Math.round(cold.cpuSeconds * 10) / 10;
    figures[`start_${kind}_warm_cpu_seconds`] = Math.round(warm.cpuSeconds * 10) / 10;
    figures[`start_${kind}_snapshot_mb`] = Math.round(snapshotBytes / 1_048_576);
    // Everything the started server holds beyond the process before it, per order: the state dominates it.
    for (const [name, run] of [
      ['cold', cold],
      ['warm', warm],
    ] as const) {
      figures[`start_${kind}_${name}_heap_bytes_per_order`] = Math.round(run.heapBytes / options.orders);
      figures[`start_${kind}_${name}_buffer_bytes_per_order`] = Math.round(run.bufferBytes / options.orders);
    }
    // The targets are for 1,000,000 orders. A smaller run is projected: bringing the state up (snapshot and replay)
    // scales linearly with the history; the rest of the start (opening the database, wiring) is taken as fixed.
    const target = kind === 'postgres' ? 20 : 40;
    const scale = 1_000_000 / options.orders;
    for (const [name, run] of [
      ['cold', cold],
      ['warm', warm],
    ] as const) {
      const state = run.stateSeconds;
      const projected = run.seconds - state + state * scale;
      options.log(
        `  ${kind} ${name} start: ${run.seconds.toFixed(1)} s for ${options.orders} orders (state ${state.toFixed(1)} s,` +
          ` ${run.cpuSeconds.toFixed(1)} s CPU in this process)` +
          (scale === 1 ? '' : `, ${projected.toFixed(0)} s projected for 1,000,000`) +
          ` (target <= ${target} s at 1,000,000: ${projected <= target ? 'met' : 'not met'})`,
      );
    }
    const stall = cold.longestStallMilliseconds;
    options.log(
      `  ${kind} snapshot write: longest event-loop stall ${stall.toFixed(0)} ms (cut ${cold.written?.cutMilliseconds ?? 0} ms,` +
        ` longest frame ${cold.written?.longestFrameMilliseconds ?? 0} ms; bound <= ${stallBound} ms: ${stall <= stallBound ? 'met' : 'not met'})`,
    );
    const stateBytes = warm.heapBytes / options.orders;
    options.log(
      `  ${kind} state memory: ${stateBytes.toFixed(0)} B per order (target <= 1024: ${stateBytes <= 1024 ? 'met' : 'not met'})`,
    );
  }
  return figures;
}
