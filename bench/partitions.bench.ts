// Partitioning benchmark: what monthly partitions (migration 181) add to a decision's writes and hot reads.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { decisionSlackMilliseconds } from '../src/checkout/checkout.repository.ts';
import type { Database } from '../src/storage/database.ts';
import { migrate } from '../src/storage/migrate.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';

type Figures = Record<string, number>;

export interface PartitionsBenchOptions {
  /** Checkout-shaped write transactions per layout and round. */
  readonly transactions: number;
  readonly rounds: number;
  /** Past months given a partition with rows (the by-id and by-session reads probe every month). */
  readonly months: number;
  readonly databaseUrl?: string;
  readonly log: (line: string) => void;
}

/** CPU seconds one process has used (user + system), from /proc; null where that cannot be read. */
async function cpuSecondsOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface Layout {
  readonly name: 'plain' | 'partitioned';
  readonly database: Database;
  /** CPU seconds of the work so far: the PostgreSQL backend's, or this process's for PGlite (in-process). */
  cpu(): Promise<number | null>;
  close(): Promise<void>;
}

async function makeLayout(name: Layout['name'], databaseUrl: string | undefined): Promise<Layout> {
  const through = name === 'plain' ? { through: '170_history_tail.sql' } : {};
  if (databaseUrl === undefined) {
    const database = await makePgliteDatabase();
    await migrate(database, through);
    return {
      name,
      database,
      cpu: async () => {
        const usage = process.cpuUsage();
        return (usage.user + usage.system) / 1e6;
      },
      close: () => database.close(),
    };
  }
  const schema = `rg_bench_${randomBytes(6).toString('hex')}`;
  // One connection: its backend is the process whose CPU is measured.
  const database = await makePostgresDatabase({ url: databaseUrl, schema, poolSize: 1 });
  await migrate(database, through);
  const [backend] = await database.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    name,
    database,
    cpu: () => cpuSecondsOf(backend!.pid),
    async close() {
      await database.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

const monthStart = (index: number) => new Date(Date.UTC(2024, index, 1));

/** `months` past months of history (a partition each when partitioned), 50 decisions per month. */
async function fill(layout: Layout, months: number) {
  const { database } = layout;
  await database.query(`INSERT INTO merchants (id, name, api_key_hash, created_at) VALUES ('mer_b', 'B', 'h', now())`);
  for (let month = 0; month < months; month += 1) {
    if (layout.name === 'partitioned')
      await database.query('SELECT rearguard_ensure_month_partition($1, $2)', ['decisions', monthStart(month)]);
    await database.query(
      `INSERT INTO sessions (id, merchant_id, status, input, created_at, updated_at)
       SELECT 'ses_h' || $1 || '_' || n, 'mer_b', 'done', '{}', $2, $2 FROM generate_series(1, 50) n`,
      [month, monthStart(month)],
    );
    await database.query(
      `INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, features, rule_results, challenge_options,
         versions, input, latency_us, decided_at)
       SELECT 'dec_h' || $1 || '_' || n, 'ses_h' || $1 || '_' || n, 'mer_b', 'approved', '[]', '{}', '[]', '[]', '{}',
         '{}', 900, $2 FROM generate_series(1, 50) n`,
      [month, monthStart(month)],
    );
  }
  await database.query('ANALYZE');
}

/** The authorize path's writes that touch decisions: a session, its decision and a challenge referring to it. */
async function writeCheckout(database: Database, id: string, at: Date) {
  await database.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO sessions (id, merchant_id, status, input, created_at, updated_at) VALUES ($1, 'mer_b', 'new', '{}', $2, $2)`,
      [`ses_${id}`, at],
    );
    await tx.query(
      `INSERT INTO decisions (id, session_id, merchant_id, outcome, reasons, features, rule_results, challenge_options,
         versions, input, latency_us, decided_at)
       VALUES ($1, $2, 'mer_b', 'step_up', '[]', '{}', '[]', '[]', '{}', '{}', 900, $3)`,
      [`dec_${id}`, `ses_${id}`, at],
    );
    await tx.query(
      `INSERT INTO challenges (id, session_id, merchant_id, decision_id, options, status, expires_at, created_at)
       VALUES ($1, $2, 'mer_b', $3, '[]', 'pending', $4, $4)`,
      [`chl_${id}`, `ses_${id}`, `dec_${id}`, at],
    );
  });
}

/**
 * The reads of a decision the checkout makes: the session's latest (from a day before the session's creation, as
 * `latestDecision` reads it, so only recent months are visited), and one by id (every month's index).
 */
async function readCheckout(database: Database, id: string, sessionCreatedAt: Date) {
  await database.query(
    'SELECT id FROM decisions WHERE session_id = $1 AND decided_at >= $2 ORDER BY seq DESC LIMIT 1',
    [`ses_${id}`, new Date(sessionCreatedAt.getTime() - decisionSlackMilliseconds)],
  );
  await database.query('SELECT outcome FROM decisions WHERE id = $1', [`dec_${id}`]);
}

async function measure(layout: Layout, work: (index: number) => Promise<void>, count: number) {
  const cpuBefore = await layout.cpu();
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await work(index);
  const wall = (performance.now() - started) / count;
  const cpuAfter = await layout.cpu();
  const cpu = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / count;
  return { wallMicroseconds: wall * 1000, cpuMicroseconds: cpu };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runPartitionsBench(options: PartitionsBenchOptions): Promise<Figures> {
  const label = options.databaseUrl === undefined ? 'pglite' : 'postgres';
  const figures: Figures = {};
  options.log(`  ${label}: plain and partitioned schemas, ${options.months} months of history each...`);
  const layouts = [
    await makeLayout('plain', options.databaseUrl),
    await makeLayout('partitioned', options.databaseUrl),
  ];
  try {
    for (const layout of layouts) await fill(layout, options.months);
    const now = new Date();
    const results = new Map<string, { write: number[]; read: number[] }>();
    // Rounds alternate between the layouts so that the machine's load falls on both alike.
    for (let round = 0; round < options.rounds; round += 1) {
      for (const layout of layouts) {
        const prefix = `r${round}_`;
        const write = await measure(
          layout,
          (index) => writeCheckout(layout.database, `${prefix}${index}`, now),
          options.transactions,
        );
        const read = await measure(
          layout,
          (index) => readCheckout(layout.database, `${prefix}${index}`, now),
          options.transactions,
        );
        options.log(
          `    round ${round + 1} ${layout.name}: write ${Math.round(write.cpuMicroseconds ?? write.wallMicroseconds)} µs, read ${Math.round(read.cpuMicroseconds ?? read.wallMicroseconds)} µs`,
        );
        const entry = results.get(layout.name) ?? { write: [], read: [] };
        // CPU where it can be read (the trustworthy figure under load), else the wall time.
        entry.write.push(write.cpuMicroseconds ?? write.wallMicroseconds);
        entry.read.push(read.cpuMicroseconds ?? read.wallMicroseconds);
        results.set(layout.name, entry);
      }
    }
    for (const [name, entry] of results) {
      figures[`partitions_${label}_${name}_write_us`] = Math.round(median(entry.write));
      figures[`partitions_${label}_${name}_read_us`] = Math.round(median(entry.read));
    }
    const plain = results.get('plain')!;
    const partitioned = results.get('partitioned')!;
    figures[`partitions_${label}_write_cost_percent`] =
      Math.round((median(partitioned.write) / median(plain.write) - 1) * 1000) / 10;
    figures[`partitions_${label}_read_cost_percent`] =
      Math.round((median(partitioned.read) / median(plain.read) - 1) * 1000) / 10;
    const [partitions] = await layouts[1]!.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_inherits WHERE inhparent = 'decisions'::regclass`,
    );
    figures[`partitions_${label}_decision_partitions`] = partitions!.count;
    const what = label === 'postgres' ? 'backend CPU' : 'process CPU';
    options.log(
      `  ${label}: µs ${what} per checkout's decision writes (session, decision, challenge in one transaction), median of ${options.rounds} rounds of ${options.transactions}`,
    );
  } finally {
    for (const layout of layouts) await layout.close();
  }
  return figures;
}
