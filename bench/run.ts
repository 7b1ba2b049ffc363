// `npm run bench`: runs every benchmark once on this machine and prints its figures (and bench/out/latest.json).
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runChannelLookupBench } from './channel-lookup.bench.ts';
import { runDecisionBench } from './decision.bench.ts';
import { runErasureBench } from './erasure.bench.ts';
import { runHttpBench } from './http.bench.ts';
import { runScaleBench } from './scale.bench.ts';
import { runImportBench } from './import.bench.ts';
import { runModelBench } from './model.bench.ts';
import { runMonitoringBench } from './monitoring.bench.ts';
import { runOutboxBench } from './outbox.bench.ts';
import { runPartitionsBench } from './partitions.bench.ts';
import { runPrivacyBench } from './privacy.bench.ts';
import { runRiskBench } from './risk.bench.ts';
import { runSimulateBench } from './simulate.bench.ts';
import { runStartBench } from './start.bench.ts';

type Figures = Record<string, number>;

export async function runBenchmarks(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      'history-orders': { type: 'string', default: '1000000' },
      channels: { type: 'string', default: '200000' },
      'database-url': { type: 'string' },
      orders: { type: 'string' },
      'start-databases': { type: 'string', default: 'postgres,pglite' },
    },
  });
  const quick = values.quick ?? false;
  // PostgreSQL runs are added when a server is named (option or DATABASE_URL), as the start bench does.
  const httpDatabaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const seconds = quick ? 3 : Number(values.seconds);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const all: Figures = {};
  const suites: Array<[string, () => Promise<Figures>]> = [
    ['decision', () => runDecisionBench({ decisions: quick ? 300 : 2000, log })],
    [
      'risk',
      () =>
        runRiskBench({
          orders: quick ? 100_000 : Number(values['history-orders']),
          samples: quick ? 2000 : 20_000,
          log,
        }),
    ],
    [
      'start',
      () =>
        runStartBench({
          orders: Number(values.orders ?? (quick ? 100_000 : 1_000_000)),
          databaseUrl: httpDatabaseUrl,
          databases: (values['start-databases'] ?? '').split(','),
          log,
        }),
    ],
    ['model', () => runModelBench({ rows: quick ? 5000 : 20_000, log })],
    ['simulate', () => runSimulateBench({ orders: quick ? 100_000 : 1_000_000, log })],
    ['import', () => runImportBench({ orders: quick ? 10_000 : 100_000, log })],
    ['privacy', () => runPrivacyBench({ checkouts: quick ? 400 : 2000, rounds: quick ? 4 : 10, log })],
    ['outbox', () => runOutboxBench({ webhooks: quick ? 20 : 100, log })],
    ['monitoring', () => runMonitoringBench({ perHour: quick ? 2_000 : 6_000, rounds: quick ? 3 : 10, log })],
    [
      'channels',
      () => runChannelLookupBench({ channels: quick ? 100_000 : Number(values.channels), lookups: 2000, log }),
    ],
    [
      'erasure',
      () =>
        runErasureBench({
          orders: 1000,
          otherPeople: quick ? 20 : 100,
          databaseUrl: values['database-url'],
          log,
        }),
    ],
    [
      // Monthly partitions: the name fits the README's suite column.
      'months',
      () =>
        runPartitionsBench({
          transactions: quick ? 200 : 1000,
          rounds: quick ? 3 : 7,
          months: 24,
          ...(httpDatabaseUrl ? { databaseUrl: httpDatabaseUrl } : {}),
          log,
        }),
    ],
    [
      'http',
      () =>
        runHttpBench({
          seconds,
          connections: Number(values.connections),
          // Several benches on one machine each need their own port.
          port: Number(process.env.BENCH_PORT ?? 18_080),
          log,
          // Enough customers that a 10 s run at ~600 checkouts/s leaves each under the rules' "3 orders on the account
          // in the last hour" (2,000 made 15-17% of the checkouts step-ups, which write less than an approval).
          customers: quick ? 500 : 8000,
          latencySamples: Number(process.env.BENCH_HTTP_LATENCY_SAMPLES ?? (quick ? 100 : 400)),
          ...(httpDatabaseUrl ? { databaseUrl: httpDatabaseUrl } : {}),
        }),
    ],
    [
      'scale',
      () =>
        runScaleBench({
          seconds,
          connections: Number(values.connections),
          port: 18_180,
          customers: quick ? 300 : 1000,
          log,
          ...((values['database-url'] ?? process.env.DATABASE_URL)
            ? { databaseUrl: values['database-url'] ?? process.env.DATABASE_URL }
            : {}),
        }),
    ],
  ];
  for (const [name, run] of suites) {
    if (values.only && !values.only.split(',').includes(name)) continue;
    log(`== ${name}`);
    const figures = await run();
    for (const [key, value] of Object.entries(figures)) log(`  ${key.padEnd(40)} ${value}`);
    Object.assign(all, figures);
  }
  await mkdir('bench/out', { recursive: true });
  await writeFile(
    'bench/out/latest.json',
    `${JSON.stringify({ at: new Date().toISOString(), figures: all }, null, 2)}\n`,
  );
  log('figures written to bench/out/latest.json');
  return 0;
}
