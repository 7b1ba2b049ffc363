// In-process decision benchmark: the whole authorize pipeline (engine + database write) without HTTP.
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { quantile } from './stats.ts';

export async function runDecisionBench(options: {
  decisions: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  if (!config.ok) throw new Error(config.errors.join('; '));
  const application = await makeApplication(config.config, { database: await makePgliteDatabase() });
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
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (const id of sessions) {
    const before = process.hrtime.bigint();
    await application.checkout.authorize(merchant, id);
    latencies.push(Number(process.hrtime.bigint() - before) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const engineLatencies = await application.database.query<{ latency_us: number }>('SELECT latency_us FROM decisions');
  await application.close();
  const engineMs = engineLatencies.map((row) => row.latency_us / 1000);
  return {
    inprocess_authorize_p50_ms: quantile(latencies, 0.5),
    inprocess_authorize_p99_ms: quantile(latencies, 0.99),
    inprocess_authorize_per_second: Math.round(sessions.length / seconds),
    inprocess_engine_p50_ms: quantile(engineMs, 0.5),
    inprocess_engine_p99_ms: quantile(engineMs, 0.99),
  };
}
