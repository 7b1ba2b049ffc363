// Import benchmark: N orders of NDJSON history into a fresh embedded (PGlite, on disk) database.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export function historyLines(orders: number): string {
  const accounts = Math.max(1, Math.floor(orders / 5));
  const lines: string[] = [];
  const start = Date.parse('2025-01-01T00:00:00Z');
  for (let index = 0; index < accounts; index++) {
    lines.push(
      JSON.stringify({
        type: 'account',
        id: `a-${index}`,
        created_at: new Date(start + index).toISOString(),
        name: `Customer ${index}`,
        email: `customer${index}@example.nl`,
        phone: `+316${String(10000000 + index)}`,
        address: {
          street: 'Damrak',
          house_number: String(index),
          postal_code: '1012LG',
          city: 'Amsterdam',
          country: 'NL',
        },
      }),
    );
  }
  const span = 300 * 86_400_000;
  for (let index = 0; index < orders; index++) {
    const account = (index * 7919) % accounts;
    const value = 1000 + ((index * 37) % 20000);
    const placed = start + 86_400_000 + Math.floor((index / orders) * span);
    lines.push(
      JSON.stringify({
        type: 'order',
        id: `o-${index}`,
        placed_at: new Date(placed).toISOString(),
        account_id: `a-${account}`,
        merchant: `Shop ${index % 40}`,
        amount: { value, currency: 'EUR' },
        lines: [{ name: 'Item', quantity: 1, unit_price: value, category: 'fashion' }],
        customer: {
          name: `Customer ${account}`,
          email: `customer${account}@example.nl`,
          phone: `+316${String(10000000 + account)}`,
        },
        billing_address: {
          street: 'Damrak',
          house_number: String(account),
          postal_code: '1012LG',
          city: 'Amsterdam',
          country: 'NL',
        },
        device: { id: `device-${account}`, ip: '198.51.100.20' },
        outcome: index % 50 === 0 ? 'unpaid' : 'paid_on_time',
        outcome_at: new Date(placed + 5 * 86_400_000).toISOString(),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function runImportBench(options: {
  orders: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const directory = await mkdtemp(join(tmpdir(), 'rearguard-import-bench-'));
  try {
    const file = join(directory, 'history.ndjson');
    await writeFile(file, historyLines(options.orders));
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: join(directory, 'data') });
    if (!config.ok) throw new Error(config.errors.join('; '));
    const application = await makeApplication(config.config);
    const started = process.hrtime.bigint();
    let lastLogged = 0;
    const result = await application.importer.importStream(createReadStream(file), (progress) => {
      if (progress.imported - lastLogged >= options.orders / 4) {
        lastLogged = progress.imported;
        options.log(`  ... ${progress.imported} records`);
      }
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // A hostile 32 MB line (6.8 s of a stalled event loop before the line cap): skipped, and the loop stays free.
    const hostile = join(directory, 'hostile.ndjson');
    await writeFile(
      hostile,
      `{"type":"account","id":"${'x'.repeat(32 * 1_048_576)}"}\n{"type":"account","id":"after","created_at":"2025-01-01T00:00:00Z"}\n`,
    );
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const hostileStarted = process.hrtime.bigint();
    const hostileResult = await application.importer.importStream(createReadStream(hostile));
    const hostileSeconds = Number(process.hrtime.bigint() - hostileStarted) / 1e9;
    delay.disable();
    await application.close();
    if (result.rejected.length > 0) throw new Error(`import rejected lines: ${JSON.stringify(result.rejected[0])}`);
    if (hostileResult.imported !== 1) throw new Error('the line after the 32 MB line was not imported');
    return {
      import_orders: options.orders,
      import_records: result.imported,
      import_seconds: Math.round(seconds * 100) / 100,
      import_orders_per_second: Math.round(options.orders / seconds),
      import_32mb_line_seconds: Math.round(hostileSeconds * 1000) / 1000,
      import_32mb_line_max_event_loop_delay_ms: Math.round(delay.max / 1e6),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
