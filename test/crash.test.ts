// kill -9 under load, on both databases: every acknowledged order survives, none is duplicated, no key stays stuck.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionBody } from './application.ts';
import { postgresUrl } from './databases.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';

const adminKey = 'crash-admin-key-0123456789';
const trials = Number(process.env.CRASH_TRIALS ?? 10);
const claimMilliseconds = 1_000;

/** A production-shaped server (no --demo): notifiers point at nothing, which only delays messages. */
const serverEnvironment = {
  REARGUARD_ADMIN_KEY: adminKey,
  REARGUARD_SECRET: 'crash-test-secret-0123456789abcdefghijkl',
  PSEUDONYM_SECRET: 'crash-test-pseudonym-secret-0123456789abcdef',
  MASTER_KEYS: 'crash:Y3Jhc2gtdGVzdC1tYXN0ZXIta2V5LW9mLTMyLWJ5dGU=',
  PUBLIC_URL: 'https://pay.example.com',
  NOTIFIER_EMAIL: 'smtp',
  SMTP_URL: 'smtp://127.0.0.1:9',
  NOTIFIER_SMS: 'http',
  SMS_GATEWAY_URL: 'http://127.0.0.1:9/sms',
  NOTIFIER_LETTER: 'http',
  LETTER_SERVICE_URL: 'http://127.0.0.1:9/letters',
  IDEMPOTENCY_CLAIM_MS: String(claimMilliseconds),
  LOG_LEVEL: 'error',
};

async function startServer(environment: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/rearguard.mjs', 'start'], {
    env: { ...process.env, ...serverEnvironment, ...environment, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

const stop = async (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
};

/** One logical purchase as a merchant's server runs it: fixed keys, retried until it has an answer. */
interface Purchase {
  readonly reference: string;
  sessionId: string | null;
  orderId: string | null;
  /** The authorize answer was a 2xx: what the merchant was told is now a fact. */
  acknowledged: boolean;
  done: boolean;
}

function makeClient(base: () => string, merchantKey: string) {
  const headers = (key: string) => ({
    authorization: `Bearer ${merchantKey}`,
    'content-type': 'application/json',
    'idempotency-key': key,
  });
  /** One step forward; throws on a network failure (the server died), returns false on "retry later". */
  async function advance(purchase: Purchase): Promise<boolean> {
    if (purchase.sessionId === null) {
      const response = await fetch(`${base()}/v1/sessions`, {
        method: 'POST',
        headers: headers(`${purchase.reference}-session`),
        body: JSON.stringify(
          sessionBody({
            merchant_reference: purchase.reference,
            amount: { value: 2500, currency: 'EUR' },
            lines: [{ name: 'Socks', quantity: 1, unit_price: 2500, category: 'apparel' }],
          }),
        ),
      });
      const body = (await response.json()) as { id?: string; error?: { code: string } };
      if (response.status === 201 || response.status === 200) purchase.sessionId = body.id!;
      else if (body.error?.code !== 'idempotency_request_in_progress' && response.status < 500)
        throw new Error(`session: ${response.status} ${JSON.stringify(body)}`);
      return false;
    }
    const response = await fetch(`${base()}/v1/sessions/${purchase.sessionId}/authorize`, {
      method: 'POST',
      headers: { ...headers(`${purchase.reference}-authorize`), 'content-type': 'text/plain' },
    });
    const body = (await response.json()) as { order?: { id: string }; error?: { code: string } };
    if (response.status >= 200 && response.status < 300) {
      purchase.acknowledged = true;
      purchase.orderId = body.order?.id ?? null;
      purchase.done = true;
      return true;
    }
    if (body.error?.code === 'idempotency_request_in_progress' || response.status >= 500) return false;
    throw new Error(`authorize: ${response.status} ${JSON.stringify(body)}`);
  }
  return { advance };
}

const wait = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function crashTrials(kind: 'pglite' | 'postgres', environment: Record<string, string>) {
  const port = 19_000 + Math.floor(Math.random() * 2000) + (kind === 'postgres' ? 2000 : 0);
  let base = `http://127.0.0.1:${port}`;
  let server = await startServer(environment, port);
  const merchant = (await (
    await fetch(`${base}/v1/admin/merchants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Crash Shop' }),
    })
  ).json()) as { api_key: string };
  const client = makeClient(() => base, merchant.api_key);
  const purchases: Purchase[] = [];
  let next = 0;
  const newPurchase = () => {
    const purchase: Purchase = {
      reference: `${kind}-${(next += 1)}`,
      sessionId: null,
      orderId: null,
      acknowledged: false,
      done: false,
    };
    purchases.push(purchase);
    return purchase;
  };
  try {
    for (let trial = 0; trial < trials; trial += 1) {
      // Load: four merchant workers, each running purchases until the server dies under them.
      let alive = true;
      const workers = Array.from({ length: 4 }, async () => {
        while (alive) {
          const purchase = newPurchase();
          try {
            while (alive && !purchase.done) await client.advance(purchase);
          } catch {
            // The server died under the request: the purchase is finished after the restart.
          }
        }
      });
      await wait(200 + Math.random() * 800);
      alive = false;
      await stop(server, 'SIGKILL');
      await Promise.all(workers);
      server = await startServer(environment, port);
      base = `http://127.0.0.1:${port}`;
    }
    // Every merchant retries what it has no answer for, with the same keys, until each purchase is answered.
    await wait(claimMilliseconds + 100);
    for (const purchase of purchases) {
      for (let attempt = 0; !purchase.done && attempt < 50; attempt += 1) {
        if (!(await client.advance(purchase))) await wait(purchase.sessionId === null ? 0 : 100);
      }
      expect(purchase.done, purchase.reference).toBe(true);
    }
    // What a merchant was told survives: each acknowledged order is there, once.
    const headers = { authorization: `Bearer ${merchant.api_key}` };
    for (const purchase of purchases.filter((candidate) => candidate.orderId !== null)) {
      const response = await fetch(`${base}/v1/orders/${purchase.orderId}`, { headers });
      expect(response.status, purchase.reference).toBe(200);
    }
    return { purchases, acknowledged: purchases.filter((purchase) => purchase.acknowledged).length };
  } finally {
    await stop(server, 'SIGTERM');
  }
}

const duplicatesAndStuckKeys = `
  SELECT
    (SELECT count(*)::int FROM (
       SELECT s.input->>'merchant_reference' FROM orders o JOIN sessions s ON s.id = o.session_id
       GROUP BY 1 HAVING count(*) > 1) AS twice) AS duplicated_orders,
    (SELECT count(*)::int FROM orders) AS orders,
    (SELECT count(*)::int FROM idempotency_keys WHERE status_code = 0) AS stuck_keys`;

describe('kill -9 under load', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it.concurrent(`embedded PGlite: ${trials} trials`, { timeout: 900_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { purchases, acknowledged } = await crashTrials('pglite', { DATA_DIR: dataDir, DATABASE_URL: '' });
    const database = await makePgliteDatabase({ dataDir });
    try {
      const [facts] = await database.query<{ duplicated_orders: number; orders: number; stuck_keys: number }>(
        duplicatesAndStuckKeys,
      );
      expect(facts).toMatchObject({ duplicated_orders: 0, stuck_keys: 0 });
      expect(facts!.orders).toBeGreaterThanOrEqual(purchases.filter((purchase) => purchase.orderId).length);
      expect(acknowledged).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });

  (postgresUrl ? it.concurrent : it.skip)(`PostgreSQL: ${trials} trials`, { timeout: 900_000 }, async () => {
    const name = `rearguard_crash_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    });
    const { acknowledged } = await crashTrials('postgres', { DATABASE_URL: url.toString() });
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const { rows } = await client.query(duplicatesAndStuckKeys);
      expect(rows[0]).toMatchObject({ duplicated_orders: 0, stuck_keys: 0 });
      expect(acknowledged).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });
});
