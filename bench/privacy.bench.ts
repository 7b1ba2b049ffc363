// Cost of personal-data encryption on the decision path: checkouts with PERSONAL_DATA_ENCRYPTION on and off in one
// run, interleaved in rounds so load on a shared machine falls on both alike, plus the sealing cost on its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { SessionInput } from '../src/checkout/session.schema.ts';
import { makePgliteWorkerDatabase } from '../src/storage/pglite-worker.database.ts';
import { threadCpuMilliseconds } from '../src/storage/thread-cpu.ts';
import { makeSubjectStore } from '../src/privacy/subject-store.ts';
import { encrypt, newDataKey } from '../src/privacy/envelope.ts';
import { quantile } from './stats.ts';

type Mode = 'on' | 'off';

const inputOf = (index: number): SessionInput => {
  const value = 2000 + (index % 50) * 300;
  return {
    amount: { value, currency: 'EUR' },
    merchant_reference: `privacy-bench-${index}`,
    lines: [{ name: 'Item', quantity: 1, unit_price: value, category: 'fashion' }],
    customer: {
      name: `Customer ${index % 300}`,
      email: `customer${index % 300}@example.nl`,
      phone: `+316${String(10000000 + (index % 300))}`,
      date_of_birth: '1980-01-01',
    },
    billing_address: {
      street: 'Damrak',
      house_number: String(1 + (index % 300)),
      postal_code: '1012LG',
      city: 'Amsterdam',
      country: 'NL',
    },
    device: { id: `device-${index % 300}`, ip: '203.0.113.7', user_agent: 'bench' },
  };
};

async function openMode(mode: Mode) {
  const config = loadConfig({ LOG_LEVEL: 'silent', PERSONAL_DATA_ENCRYPTION: mode });
  if (!config.ok) throw new Error(config.errors.join('; '));
  const dataDir = await mkdtemp(join(tmpdir(), `rearguard-privacy-bench-${mode}-`));
  const database = await makePgliteWorkerDatabase({ dataDir });
  const application = await makeApplication(config.config, { database });
  const merchant = await application.merchants.create('Bench Shop');
  const samples = { authorize: [] as number[], checkout: [] as number[], cpuMilliseconds: 0, checkouts: 0 };
  return { mode, dataDir, application, merchant, samples };
}

/** Sealing and opening one session input under a subject's key, without the database: the pure cipher cost. */
function sealingMicroseconds(encryption: boolean, rounds: number): number {
  const masterKey = newDataKey();
  const store = makeSubjectStore({
    masterKeys: [{ id: 'bench', key: masterKey }],
    encryption,
    newId: () => 'sub_bench',
    now: () => new Date(),
  });
  const subject = { id: 'sub_bench', dataKey: newDataKey() };
  const columns = {
    subject_id: subject.id,
    master_key_id: 'bench',
    wrapped_key: encrypt(masterKey, subject.dataKey, subject.id),
  };
  const input = inputOf(1);
  const started = process.hrtime.bigint();
  for (let index = 0; index < rounds; index++) {
    // What a checkout does: seal once at session creation, unwrap the key and open once at authorize.
    if (store.open(columns, store.seal(subject, input)) === null) throw new Error('unreachable');
  }
  return Number(process.hrtime.bigint() - started) / 1000 / rounds;
}

export async function runPrivacyBench(options: {
  checkouts: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const modes = [await openMode('on'), await openMode('off')];
  options.log(`  two on-disk embedded databases in worker threads; ${options.rounds} interleaved rounds per mode`);
  const perRound = Math.max(1, Math.floor(options.checkouts / options.rounds));
  let index = 0;
  // Warm both (caches, JIT) before measuring.
  for (const mode of modes) {
    for (let warm = 0; warm < 20; warm++) {
      const session = await mode.application.checkout.createSession(mode.merchant, inputOf(index++));
      await mode.application.checkout.authorize(mode.merchant, session.id);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const cpuBefore = threadCpuMilliseconds();
      for (let count = 0; count < perRound; count++) {
        const started = process.hrtime.bigint();
        const session = await mode.application.checkout.createSession(mode.merchant, inputOf(index++));
        const authorizing = process.hrtime.bigint();
        await mode.application.checkout.authorize(mode.merchant, session.id);
        const done = process.hrtime.bigint();
        mode.samples.authorize.push(Number(done - authorizing) / 1e6);
        mode.samples.checkout.push(Number(done - started) / 1e6);
      }
      const cpuAfter = threadCpuMilliseconds();
      if (cpuBefore !== null && cpuAfter !== null) mode.samples.cpuMilliseconds += cpuAfter - cpuBefore;
      mode.samples.checkouts += perRound;
    }
  }
  for (const mode of modes) {
    await mode.application.close();
    await rm(mode.dataDir, { recursive: true, force: true });
  }
  const [on, off] = modes as [(typeof modes)[0], (typeof modes)[0]];
  const cpu = (mode: typeof on) => Math.round((mode.samples.cpuMilliseconds / mode.samples.checkouts) * 1000) / 1000;
  const cost = (withEncryption: number, without: number) =>
    Math.round(((withEncryption - without) / without) * 1000) / 10;
  const figures = {
    privacy_authorize_p50_ms_encryption_on: quantile(on.samples.authorize, 0.5),
    privacy_authorize_p50_ms_encryption_off: quantile(off.samples.authorize, 0.5),
    privacy_authorize_p99_ms_encryption_on: quantile(on.samples.authorize, 0.99),
    privacy_authorize_p99_ms_encryption_off: quantile(off.samples.authorize, 0.99),
    privacy_checkout_p50_ms_encryption_on: quantile(on.samples.checkout, 0.5),
    privacy_checkout_p50_ms_encryption_off: quantile(off.samples.checkout, 0.5),
    privacy_main_cpu_ms_per_checkout_on: cpu(on),
    privacy_main_cpu_ms_per_checkout_off: cpu(off),
    privacy_seal_open_us_encryption_on: Math.round(sealingMicroseconds(true, 20_000) * 100) / 100,
    privacy_seal_open_us_encryption_off: Math.round(sealingMicroseconds(false, 20_000) * 100) / 100,
  };
  return {
    ...figures,
    privacy_authorize_p50_cost_percent: cost(
      figures.privacy_authorize_p50_ms_encryption_on,
      figures.privacy_authorize_p50_ms_encryption_off,
    ),
    privacy_checkout_p50_cost_percent: cost(
      figures.privacy_checkout_p50_ms_encryption_on,
      figures.privacy_checkout_p50_ms_encryption_off,
    ),
    privacy_cpu_per_checkout_cost_percent: cost(
      figures.privacy_main_cpu_ms_per_checkout_on,
      figures.privacy_main_cpu_ms_per_checkout_off,
    ),
  };
}
