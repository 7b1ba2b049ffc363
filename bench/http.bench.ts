// HTTP benchmark: authorize under concurrent load versus a trivial route of the same server (the ceiling).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

/** A throwaway database on the given server, so a bench never mixes with other data. */
async function scratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
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
}

const adminKey = 'bench-admin-key-0123456789';

async function startServer(port: number, dataDir: string, databaseUrl: string) {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', 'bin/rearguard.mjs', 'start', '--demo'], {
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
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 60 s')), 60_000);
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

function sessionBody(index: number) {
  const value = 2000 + (index % 50) * 300;
  return JSON.stringify({
    amount: { value, currency: 'EUR' },
    merchant_reference: `bench-${index}`,
    lines: [{ name: 'Item', quantity: 1, unit_price: value, category: 'fashion' }],
    customer: {
      name: `Customer ${index % 500}`,
      email: `customer${index % 500}@example.nl`,
      phone: `+3161${String(1000000 + (index % 500)).slice(1)}`,
    },
    billing_address: {
      street: 'Damrak',
      house_number: String(1 + (index % 500)),
      postal_code: '1012LG',
      city: 'Amsterdam',
      country: 'NL',
    },
    device: { id: `device-${index % 500}`, ip: '203.0.113.7', user_agent: 'bench' },
  });
}

function percentile(result: autocannon.Result, key: 'p50' | 'p99') {
  return result.latency[key];
}

export async function runHttpBench(options: HttpBenchOptions): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-bench-'));
  const scratch = options.databaseUrl ? await scratchDatabase(options.databaseUrl) : null;
  const server = await startServer(options.port, dataDir, scratch?.url ?? '');
  const base = `http://127.0.0.1:${options.port}`;
  try {
    const merchant = (await (
      await fetch(`${base}/v1/admin/merchants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench Shop' }),
      })
    ).json()) as { api_key: string };
    const headers = { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' };

    // Sessions are made first so that every authorize under load decides a fresh session.
    const sessionCount = Math.max(2000, options.seconds * 1500);
    options.log(`  creating ${sessionCount} sessions...`);
    const ids: string[] = [];
    let created = 0;
    const create = await autocannon({
      url: base,
      connections: options.connections,
      amount: sessionCount,
      requests: [
        {
          method: 'POST',
          path: '/v1/sessions',
          headers,
          setupRequest: (request) => ({ ...request, body: sessionBody(created++) }),
          onResponse: (status, body) => {
            if (status === 201) ids.push((JSON.parse(body) as { id: string }).id);
          },
        },
      ],
    });
    if (ids.length === 0) throw new Error('no session could be created');
    let next = 0;
    const authorize = await autocannon({
      url: base,
      connections: options.connections,
      duration: options.seconds,
      requests: [
        {
          method: 'POST',
          headers: { authorization: headers.authorization },
          setupRequest: (request) => ({ ...request, path: `/v1/sessions/${ids[next++ % ids.length]}/authorize` }),
        },
      ],
    });
    const ceiling = await autocannon({
      url: `${base}/healthz`,
      connections: options.connections,
      duration: options.seconds,
    });
    const figures = {
      http_create_session_rps: Math.round(create.requests.average),
      http_authorize_rps: Math.round(authorize.requests.average),
      http_authorize_p50_ms: percentile(authorize, 'p50'),
      http_authorize_p99_ms: percentile(authorize, 'p99'),
      http_authorize_errors: authorize.errors + authorize.non2xx,
      http_authorize_fresh_sessions: Math.min(next, ids.length),
      http_ceiling_rps: Math.round(ceiling.requests.average),
      http_ceiling_p50_ms: percentile(ceiling, 'p50'),
      http_ceiling_p99_ms: percentile(ceiling, 'p99'),
      http_authorize_to_ceiling_ratio:
        Math.round((authorize.requests.average / ceiling.requests.average) * 1000) / 1000,
    };
    return figures;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}
