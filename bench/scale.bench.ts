// Scale-out benchmark: whole checkouts per second with 1, 2 and 3 server processes on one PostgreSQL database, the
// single embedded (PGlite) process, and GET /healthz of the same processes as the ceiling.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { scratchDatabase, seedServer, sessionBody, startServer } from './http.bench.ts';

export interface ScaleBenchOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly port: number;
  readonly customers: number;
  /** The PostgreSQL server; without one only the embedded figure is measured. */
  readonly databaseUrl?: string;
  readonly log: (line: string) => void;
}

interface Setup {
  readonly label: string;
  readonly processes: number;
  readonly databaseUrl: string;
}

let sessionIndex = 0;

/** Checkouts by the imported customers through every process at once (connections shared out), for `seconds`. */
async function load(bases: readonly string[], apiKey: string, options: ScaleBenchOptions) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  let authorized = 0;
  const requests = (): autocannon.Request[] => [
    {
      method: 'POST',
      path: '/v1/sessions',
      headers,
      setupRequest: (request) => ({ ...request, body: sessionBody(sessionIndex++, options.customers) }),
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
      onResponse: (status) => {
        if (status === 200) authorized += 1;
      },
    },
  ];
  const connections = Math.max(1, Math.floor(options.connections / bases.length));
  const started = performance.now();
  const results = await Promise.all(
    bases.map((base) => autocannon({ url: base, connections, duration: options.seconds, requests: requests() })),
  );
  const errors = results.reduce((sum, result) => sum + result.errors + result.timeouts + result.non2xx, 0);
  const checkoutsPerSecond = authorized / ((performance.now() - started) / 1000);
  const ceilings = await Promise.all(
    bases.map((base) => autocannon({ url: `${base}/healthz`, connections, duration: options.seconds })),
  );
  const healthz = ceilings.reduce((sum, result) => sum + result.requests.average, 0);
  return { checkoutsPerSecond, healthz, errors };
}

async function measure(setup: Setup, options: ScaleBenchOptions): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-scale-'));
  const children: ChildProcess[] = [];
  try {
    options.log(`  ${setup.label}: starting ${setup.processes} process(es)...`);
    // The first one migrates and seeds; the others start on the prepared database.
    children.push(await startServer(options.port, dataDir, setup.databaseUrl));
    const base = `http://127.0.0.1:${options.port}`;
    const { apiKey } = await seedServer(base, 'Scale Shop', options.customers);
    for (let index = 1; index < setup.processes; index++)
      children.push(await startServer(options.port + index, dataDir, setup.databaseUrl));
    const bases = children.map((_, index) => `http://127.0.0.1:${options.port + index}`);
    options.log(`  ${setup.label}: ${options.connections} connections over ${bases.length}, ${options.seconds} s...`);
    const { checkoutsPerSecond, healthz, errors } = await load(bases, apiKey, options);
    const prefix = `scale_${setup.label}`;
    return {
      [`${prefix}_checkouts_per_second`]: Math.round(checkoutsPerSecond * 10) / 10,
      [`${prefix}_request_errors`]: errors,
      [`${prefix}_healthz_rps`]: Math.round(healthz),
      [`${prefix}_checkout_to_healthz_ratio`]:
        Math.round((checkoutsPerSecond / Math.max(1, healthz)) * 10_000) / 10_000,
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve(),
      ),
    );
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runScaleBench(options: ScaleBenchOptions): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  Object.assign(figures, await measure({ label: 'pglite_1', processes: 1, databaseUrl: '' }, options));
  if (!options.databaseUrl) {
    options.log('  PostgreSQL figures skipped: no --database-url or DATABASE_URL');
    return figures;
  }
  for (const processes of [1, 2, 3]) {
    const scratch = await scratchDatabase(options.databaseUrl);
    try {
      Object.assign(
        figures,
        await measure({ label: `postgres_${processes}`, processes, databaseUrl: scratch.url }, options),
      );
    } finally {
      await scratch.drop();
    }
  }
  return figures;
}
