// HTTP benchmark: whole checkouts (session + authorize) with imported history, against /healthz of the same run, with CPU.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { historyLines } from './import.bench.ts';

/** A throwaway database on the given server, so a bench never mixes with other data. */
export async function scratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rearguard_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface HttpBenchOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly port: number;
  readonly log: (line: string) => void;
  /** A PostgreSQL server for the system of record; the embedded PGlite when absent. */
  readonly databaseUrl?: string;
  /** Imported customers (5 orders of history each); the checkouts are theirs. */
  readonly customers: number;
  readonly latencySamples: number;
}

export const adminKey = 'bench-admin-key-0123456789';

/** `rearguard start --demo` of the checkout in `cwd` (this one by default), resolved once it listens. */
export async function startServer(port: number, dataDir: string, databaseUrl: string, cwd = process.cwd()) {
  const child = spawn(
    process.execPath,
    [
      '--max-semi-space-size=64',
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      // BENCH_TRACE_FILE=FILE: every request, statement and GC of the server, timed (bench/latency.trace.mjs).
      ...(process.env.BENCH_TRACE_FILE ? ['--import', './bench/latency.trace.mjs'] : []),
      // BENCH_NODE_FLAGS="--trace-gc ...": more flags for the server (its output goes to BENCH_SERVER_OUT).
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter((flag) => flag !== '') ?? []),
      'bin/rearguard.mjs',
      'start',
      '--demo',
    ],
    {
      cwd,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        REARGUARD_ADMIN_KEY: adminKey,
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const serverOut = process.env.BENCH_SERVER_OUT;
  if (serverOut) child.stdout.pipe(createWriteStream(serverOut));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 180 s')), 180_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

/**
 * A merchant and the bench's history of `customers` customers (5 orders each), through the admin API of a server
 * started by `startServer`: the merchant's API key and the headers its checkouts send.
 */
export async function seedServer(base: string, merchantName: string, customers: number) {
  const admin = { authorization: `Bearer ${adminKey}` };
  const merchant = (await (
    await fetch(`${base}/v1/admin/merchants`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: merchantName }),
    })
  ).json()) as { api_key: string };
  // In parts (accounts come first, so every order finds its account): one request stays within the request timeout.
  const lines = historyLines(customers * 5)
    .trimEnd()
    .split('\n');
  for (let start = 0; start < lines.length; start += 1000) {
    const imported = await fetch(`${base}/v1/admin/import`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/x-ndjson' },
      body: `${lines.slice(start, start + 1000).join('\n')}\n`,
    });
    if (!imported.ok) throw new Error(`import failed: ${imported.status} ${await imported.text()}`);
  }
  return {
    apiKey: merchant.api_key,
    headers: { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' },
  };
}

/** Checkouts by the imported customers (the same names, channels, addresses and devices as their history). */
export function sessionBody(index: number, customers: number) {
  const customer = index % customers;
  const value = 2000 + (index % 50) * 300;
  const address = {
    street: 'Damrak',
    house_number: String(customer),
    postal_code: '1012LG',
    city: 'Amsterdam',
    country: 'NL',
  };
  return JSON.stringify({
    amount: { value, currency: 'EUR' },
    merchant_reference: `bench-${index}`,
    lines: [{ name: 'Item', quantity: 1, unit_price: value, category: 'fashion' }],
    customer: {
      name: `Customer ${customer}`,
      email: `customer${customer}@example.nl`,
      phone: `+316${String(10000000 + customer)}`,
    },
    billing_address: address,
    // Each customer's own connection: one shared address would be a connection with many orders (a step-up).
    device: {
      id: `device-${customer}`,
      ip: `203.0.${Math.floor(customer / 250)}.${(customer % 250) + 1}`,
      user_agent: 'bench',
    },
  });
}

/** CPU seconds (user + system) one process has used, from /proc/<pid>/stat. */
async function cpuSecondsOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return 0; // the process ended in between
  }
}

const clockTicksPerSecond = 100;

/** CPU seconds of a process's event-loop thread (its main thread, tid = pid) and of all its other threads. */
async function threadCpuSecondsOf(pid: number): Promise<{ eventLoop: number; others: number }> {
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  let eventLoop = 0;
  let others = 0;
  for (const tid of tids) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null);
    if (stat === null) continue; // the thread ended in between
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
    if (Number(tid) === pid) eventLoop += seconds;
    else others += seconds;
  }
  return { eventLoop, others };
}

/**
 * The PostgreSQL processes doing this bench's work: the backends connected to its database and the server's own
 * background processes (WAL writer, checkpointer, ...). Other databases' backends on a shared server are left out.
 */
async function postgresProcesses(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE (datname = current_database() OR backend_type <> 'client backend') AND pid <> pg_backend_pid()`,
    );
    return result.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** CPU seconds per PostgreSQL process, when this machine runs the server (/proc); empty otherwise. */
async function postgresCpuSeconds(pids: readonly number[]): Promise<Map<number, number>> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const command = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (command.trim() === 'postgres') seconds.set(pid, await cpuSecondsOf(pid));
  }
  return seconds;
}

/** The group commit's counters from /metrics: commits and the authorizes they carried. */
async function groupCommitCounters(base: string): Promise<{ commits: number; items: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counter = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { commits: counter('rearguard_group_commits_total'), items: counter('rearguard_group_commit_items_total') };
}

function percentileOf(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The issue's targets, by database: ratio to /healthz, CPU per checkout, authorize latency at one connection. */
const targets = {
  postgres: { ratio: 0.07, cpuMilliseconds: 2.2, p50: 2.5, p99: 6 },
  pglite: { ratio: 0.035, cpuMilliseconds: null, p50: null, p99: null },
} as const;

/** Runs the bench on PGlite, and on PostgreSQL too when a server is given; prints each target beside its figure. */
export async function runHttpBench(options: HttpBenchOptions): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  // BENCH_HTTP_ONLY=postgres|pglite runs one of them (a profile of one database, a quicker before/after).
  const only = process.env.BENCH_HTTP_ONLY;
  const databases = [undefined, ...(options.databaseUrl ? [options.databaseUrl] : [])].filter(
    (url) => only === undefined || only === (url ? 'postgres' : 'pglite'),
  );
  for (const databaseUrl of databases) {
    const label = databaseUrl ? 'postgres' : 'pglite';
    options.log(`${label}:`);
    const measured = await benchOne(options, databaseUrl);
    Object.assign(figures, measured);
    const prefix = `http_${label}`;
    const target = targets[label];
    const verdict = (value: number, limit: number, atLeast: boolean) =>
      `${value} (target ${atLeast ? '>=' : '<='} ${limit}: ${(atLeast ? value >= limit : value <= limit) ? 'met' : 'not met'})`;
    // The latency-only run measured no load phase: no ratio or CPU figure to judge.
    const loaded = measured[`${prefix}_checkout_to_healthz_ratio`] !== undefined;
    if (loaded)
      options.log(
        `  ${label} checkouts/s to /healthz: ${verdict(measured[`${prefix}_checkout_to_healthz_ratio`]!, target.ratio, true)}`,
      );
    if (loaded && target.cpuMilliseconds !== null)
      options.log(
        `  ${label} CPU ms per checkout, all processes: ${verdict(measured[`${prefix}_cpu_ms_per_checkout`]!, target.cpuMilliseconds, false)}`,
      );
    if (target.p50 !== null)
      options.log(
        `  ${label} authorize at 1 connection: p50 ${verdict(measured[`${prefix}_authorize_p50_ms_1_connection`]!, target.p50, false)}, p99 ${verdict(measured[`${prefix}_authorize_p99_ms_1_connection`]!, target.p99, false)}`,
      );
  }
  return figures;
}

async function benchOne(options: HttpBenchOptions, databaseUrl: string | undefined): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-bench-'));
  const scratch = databaseUrl ? await scratchDatabase(databaseUrl) : null;
  const server = await startServer(options.port, dataDir, scratch?.url ?? '');
  const base = `http://127.0.0.1:${options.port}`;
  const label = scratch ? 'postgres' : 'pglite';
  try {
    options.log(`  importing history: ${options.customers} customers, ${options.customers * 5} orders...`);
    const { headers } = await seedServer(base, 'Bench Shop', options.customers);
    const customers = options.customers;

    // The whole checkout per connection: create a session, then authorize it.
    let index = 0;
    let approved = 0;
    let authorized = 0;
    const checkoutRequests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/v1/sessions',
        headers,
        setupRequest: (request) => ({ ...request, body: sessionBody(index++, customers) }),
        onResponse: (status, body, context) => {
          (context as { session?: string }).session =
            status === 201 ? (JSON.parse(body) as { id: string }).id : 'missing';
        },
      },
      {
        method: 'POST',
        headers: { authorization: headers.authorization },
        setupRequest: (request, context) => ({
          ...request,
          path: `/v1/sessions/${String((context as { session?: string }).session)}/authorize`,
        }),
        onResponse: (status, body) => {
          if (status !== 200) {
            if (status >= 500) options.log(`  authorize answered ${status}: ${body.slice(0, 200)}`);
            return;
          }
          authorized += 1;
          const { decision, reasons } = JSON.parse(body) as { decision: string; reasons: { code: string }[] };
          if (decision === 'approved') approved += 1;
          else if (authorized < 4) options.log(`  not approved: ${decision} ${reasons.map((r) => r.code).join(',')}`);
        },
      },
    ];
    options.log(`  warming up (2 s)...`);
    await autocannon({ url: base, connections: options.connections, duration: 2, requests: checkoutRequests });
    authorized = 0;
    approved = 0;
    // BENCH_HTTP_LATENCY_ONLY=1 skips the load and /healthz phases (after the warm-up): a quicker latency before/after.
    if (process.env.BENCH_HTTP_LATENCY_ONLY === '1')
      return await latencyFigures(base, headers, options, index, label, server.pid!);
    options.log(`  whole checkouts, ${options.connections} connections, ${options.seconds} s...`);
    const groupsBefore = await groupCommitCounters(base);
    const serverBefore = await cpuSecondsOf(server.pid!);
    const threadsBefore = await threadCpuSecondsOf(server.pid!);
    const postgresPids = scratch ? await postgresProcesses(scratch.url) : [];
    const postgresBefore = await postgresCpuSeconds(postgresPids);
    const started = performance.now();
    const checkout = await autocannon({
      url: base,
      connections: options.connections,
      duration: options.seconds,
      requests: checkoutRequests,
    });
    const elapsed = (performance.now() - started) / 1000;
    const serverCpu = (await cpuSecondsOf(server.pid!)) - serverBefore;
    const threadsAfter = await threadCpuSecondsOf(server.pid!);
    // Backends the pool opened during the run count from zero.
    const postgresAfter = scratch ? await postgresCpuSeconds(await postgresProcesses(scratch.url)) : new Map();
    let postgresCpu = 0;
    for (const [pid, seconds] of postgresAfter) postgresCpu += seconds - (postgresBefore.get(pid) ?? 0);
    const checkoutsPerSecond = authorized / elapsed;
    const groupsAfter = await groupCommitCounters(base);

    options.log(`  GET /healthz, ${options.connections} connections, ${options.seconds} s...`);
    const ceiling = await autocannon({
      url: `${base}/healthz`,
      connections: options.connections,
      duration: options.seconds,
    });

    const latency = await latencyFigures(base, headers, options, index, label, server.pid!);
    const prefix = `http_${label}`;
    return {
      [`${prefix}_checkouts_per_second`]: Math.round(checkoutsPerSecond),
      [`${prefix}_approved_share`]: round(approved / Math.max(1, authorized), 3),
      [`${prefix}_checkout_errors`]: checkout.errors + checkout.non2xx,
      [`${prefix}_healthz_rps`]: Math.round(ceiling.requests.average),
      [`${prefix}_checkout_to_healthz_ratio`]: round(checkoutsPerSecond / ceiling.requests.average, 4),
      [`${prefix}_cpu_ms_per_checkout`]: round(((serverCpu + postgresCpu) * 1000) / Math.max(1, authorized), 2),
      [`${prefix}_server_cpu_ms_per_checkout`]: round((serverCpu * 1000) / Math.max(1, authorized), 2),
      // The server's event-loop thread apart from its other threads (on PGlite mostly the database worker; also GC).
      [`${prefix}_event_loop_cpu_ms_per_checkout`]: round(
        ((threadsAfter.eventLoop - threadsBefore.eventLoop) * 1000) / Math.max(1, authorized),
        2,
      ),
      [`${prefix}_other_threads_cpu_ms_per_checkout`]: round(
        ((threadsAfter.others - threadsBefore.others) * 1000) / Math.max(1, authorized),
        2,
      ),
      [`${prefix}_postgres_cpu_ms_per_checkout`]: round((postgresCpu * 1000) / Math.max(1, authorized), 2),
      // Above 1: concurrent authorizes shared commits (group commit grouped).
      [`${prefix}_authorizes_per_commit`]: round(
        (groupsAfter.items - groupsBefore.items) / Math.max(1, groupsAfter.commits - groupsBefore.commits),
        2,
      ),
      ...latency,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

/**
 * Latency of one authorize when nothing else runs: one connection, fresh sessions, timed by the client. First a
 * series of customers new to this server (their first checkout here since the import), then the same customers
 * again: a returning customer's next checkout, whose account on file the server has kept.
 */
async function latencyFigures(
  base: string,
  headers: Record<string, string>,
  options: HttpBenchOptions,
  firstIndex: number,
  label: string,
  serverPid: number,
): Promise<Record<string, number>> {
  options.log(`  authorize latency at 1 connection (${options.latencySamples} checkouts)...`);
  const series = async (from: number) => {
    const latencies: number[] = [];
    // A step-up writes less than an approval: the share says what these latencies are of.
    let approved = 0;
    for (let sample = 0; sample < options.latencySamples; sample += 1) {
      const created = await fetch(`${base}/v1/sessions`, {
        method: 'POST',
        headers,
        body: sessionBody(from + sample, options.customers),
      });
      const { id } = (await created.json()) as { id: string };
      const begun = performance.now();
      const answer = await fetch(`${base}/v1/sessions/${id}/authorize`, {
        method: 'POST',
        headers: { authorization: headers.authorization! },
      });
      const { decision } = (await answer.json()) as { decision?: string };
      latencies.push(performance.now() - begun);
      if (decision === 'approved') approved += 1;
    }
    latencies.sort((a, b) => a - b);
    return { latencies, approvedShare: approved / Math.max(1, options.latencySamples) };
  };
  const cpuBefore = await cpuSecondsOf(serverPid);
  const { latencies, approvedShare } = await series(firstIndex);
  // CPU, unlike the wall clock, barely moves with what else runs on the machine: the before/after of a busy box.
  const cpuMilliseconds = (((await cpuSecondsOf(serverPid)) - cpuBefore) * 1000) / options.latencySamples;
  options.log(
    `  server CPU ms per checkout at 1 connection (session + authorize + background): ${round(cpuMilliseconds, 2)}`,
  );
  const shares = [0.5, 0.9, 0.95, 0.99, 1];
  options.log(
    `  authorize ms p50/p90/p95/p99/max: ${shares.map((s) => round(percentileOf(latencies, s), 2)).join(' / ')}`,
  );
  options.log(`  approved at 1 connection: ${round(approvedShare, 3)}`);
  // The same customers once more (the index wraps to the same customer).
  const next = await series(firstIndex + options.customers);
  options.log(
    `  the same customers' next checkout: authorize ms p50/p90/p95/p99/max: ${shares.map((s) => round(percentileOf(next.latencies, s), 2)).join(' / ')} (approved ${round(next.approvedShare, 3)})`,
  );
  const prefix = `http_${label}`;
  return {
    [`${prefix}_approved_share_1_connection`]: round(approvedShare, 3),
    [`${prefix}_authorize_p50_ms_1_connection`]: round(percentileOf(latencies, 0.5), 2),
    [`${prefix}_authorize_p99_ms_1_connection`]: round(percentileOf(latencies, 0.99), 2),
    [`${prefix}_next_checkout_p50_ms_1_connection`]: round(percentileOf(next.latencies, 0.5), 2),
    [`${prefix}_next_checkout_p99_ms_1_connection`]: round(percentileOf(next.latencies, 0.99), 2),
  };
}
