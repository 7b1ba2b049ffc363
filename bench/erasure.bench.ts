// Erasure benchmark: the time to erase one person with N orders among other customers (embedded PGlite or PostgreSQL).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';

const address = (index: number) => ({
  street: 'Benchstraat',
  house_number: String(index),
  postal_code: '1234AB',
  city: 'Ede',
  country: 'NL',
});

/** One person's history: an account and `orders` paid orders, a tenth of them confirmed fraud. */
function personHistory(person: string, index: number, orders: number): string {
  const customer = {
    name: `${person} Bench`,
    email: `${person}@bench.example`,
    phone: `+3161${String(index).padStart(7, '0')}`,
  };
  const lines = [
    JSON.stringify({
      type: 'account',
      id: `ext-${person}`,
      created_at: '2024-01-02T09:00:00Z',
      ...customer,
      address: address(index),
    }),
  ];
  for (let order = 0; order < orders; order += 1) {
    const placed = Date.parse('2024-02-01T12:00:00Z') + order * 3_600_000;
    lines.push(
      JSON.stringify({
        type: 'order',
        id: `${person}-${order}`,
        placed_at: new Date(placed).toISOString(),
        account_id: `ext-${person}`,
        merchant: 'Bench Shop',
        merchant_reference: `${person}-${order}`,
        amount: { value: 2500 + order, currency: 'EUR' },
        customer,
        billing_address: address(index),
        shipping_address: address(index),
        device: { id: `dev-${person}`, ip: '198.51.100.9' },
        outcome: order % 10 === 9 ? 'fraud_confirmed' : 'paid_on_time',
        outcome_at: new Date(placed + 86_400_000).toISOString(),
      }),
    );
  }
  return lines.join('\n');
}

export async function runErasureBench(options: {
  orders: number;
  otherPeople: number;
  databaseUrl?: string | undefined;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-erasure-bench-'));
  const schema = `rg_bench_erasure_${process.pid}`;
  const database = options.databaseUrl
    ? await makePostgresDatabase({ url: options.databaseUrl, schema, poolSize: 4 })
    : await makePgliteDatabase();
  const loaded = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, STATE_SNAPSHOT_PATH: 'off' });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const app = await makeApplication(loaded.config, { database, defaultModelPath: null });
  try {
    const seeded = performance.now();
    for (let person = 0; person < options.otherPeople; person += 1)
      await app.importer.importText(personHistory(`other${person}`, person + 1, 20));
    const imported = await app.importer.importText(personHistory('canary', 0, options.orders));
    if (imported.rejected.length > 0) throw new Error(JSON.stringify(imported.rejected.slice(0, 3)));
    const [counts] = await database.query<{ orders: number }>('SELECT count(*)::int AS orders FROM orders');
    options.log(
      `  seeded ${counts?.orders ?? 0} orders (${options.orders} of the person) in ${Math.round(performance.now() - seeded)} ms`,
    );
    const { request } = await app.erasure.service.requestByIdentifiers('bench', { email: 'canary@bench.example' });
    const started = performance.now();
    const done = await app.erasure.service.workNow(request.id);
    const totalMilliseconds = performance.now() - started;
    if (done.status !== 'done') throw new Error(`erasure ended ${done.status}`);
    const rebuildStarted = performance.now();
    await app.onlineState.rebuild();
    const rebuildMilliseconds = performance.now() - rebuildStarted;
    const erasedOrders = done.erased.find((entry) => entry.store === 'delete_orders')?.count ?? 0;
    options.log(
      `  erased ${erasedOrders} orders in ${Math.round(totalMilliseconds)} ms ` +
        `(of which the online state rebuild ~${Math.round(rebuildMilliseconds)} ms); kept: ` +
        done.kept.map((record) => `${record.count} ${record.kind}`).join(', '),
    );
    return {
      erasure_orders: erasedOrders,
      erasure_total_ms: Math.round(totalMilliseconds),
      erasure_state_rebuild_ms: Math.round(rebuildMilliseconds),
      erasure_database_ms: Math.round(totalMilliseconds - rebuildMilliseconds),
    };
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    if (options.databaseUrl) {
      const cleanup = await makePostgresDatabase({ url: options.databaseUrl, poolSize: 1 });
      await cleanup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await cleanup.close();
    }
  }
}
