// Simulator benchmark: orders per second for generating a world and writing it as NDJSON to a file.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulate } from '../src/simulation/world.simulation.ts';
import { writeSimulationFile } from '../src/simulation/output.simulation.ts';

export async function runSimulateBench(options: {
  orders: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  const world = { orders: options.orders, seed: 1, fraudRate: 0.01, months: 6 };

  // Generation alone (records handed to a sink that drops them): the cost of the world itself.
  let started = performance.now();
  await simulate(world, { format: 'record', write: () => undefined });
  figures['simulate_generate_orders_per_second'] = Math.round(options.orders / ((performance.now() - started) / 1000));

  // The real job: NDJSON to a file, as `rearguard simulate --out FILE` does.
  const directory = await mkdtemp(join(tmpdir(), 'rearguard-simulate-'));
  try {
    const file = join(directory, 'world.ndjson');
    const cpuBefore = process.cpuUsage();
    started = performance.now();
    const summary = await writeSimulationFile(world, file);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const bytes = (await stat(file)).size;
    figures['simulate_file_seconds'] = round(seconds);
    figures['simulate_file_cpu_seconds'] = round((cpu.user + cpu.system) / 1e6);
    figures['simulate_file_orders_per_second'] = Math.round(summary.orders / seconds);
    figures['simulate_file_megabytes'] = round(bytes / 1e6);
    figures['simulate_accounts'] = summary.accounts;
    figures['simulate_fraud_share'] = round(summary.fraudOrders / summary.orders);
    options.log(
      `simulate: ${summary.orders} orders in ${seconds.toFixed(1)} s = ${figures['simulate_file_orders_per_second']} orders/s to a file`,
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return figures;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const orders = Number(process.argv[2] ?? 1_000_000);
  const figures = await runSimulateBench({ orders, log });
  for (const [key, value] of Object.entries(figures)) log(`  ${key.padEnd(40)} ${value}`);
}
