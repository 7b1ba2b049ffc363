// The `rearguard` command: start the server, import history, simulate, train, evaluate, bench.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { runStart } from './start.command.ts';
import { runImport } from './import.command.ts';

const usage = `rearguard <command> [options]

Commands:
  start [--demo]          apply migrations and serve the API on PORT (--demo seeds a demo merchant and customers)
  migrate                 apply database migrations and exit
  import FILE             import history (NDJSON accounts and orders) into the database, with progress
  simulate [options]      generate a synthetic pay-later world as import NDJSON (see --help)
  train [options]         replay history point-in-time and train a model (see --help)
  evaluate [options]      time-split evaluation of model, rules and both on an import file (see --help)
  backtest [options]      the decisions a ruleset would have made on history, against labels (see --help)
  models list|promote ID|rollback   the model registry: champion, challengers, promotion history
  bench                   run the benchmarks and print their figures
  help                    show this text

Configuration comes from the environment; see the README's configuration table.`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  start: async (argv) => {
    const { values } = parseArgs({ args: argv, options: { demo: { type: 'boolean', default: false } } });
    return runStart(requireConfig(), { demo: values.demo ?? false });
  },
  migrate: async () => {
    const { openDatabase } = await import('../app.ts');
    const { migrate } = await import('../storage/migrate.ts');
    const database = await openDatabase(requireConfig());
    const applied = await migrate(database);
    await database.close();
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  },
  import: async (argv) => {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
    const file = positionals[0];
    if (!file) {
      process.stderr.write('usage: rearguard import FILE.ndjson\n');
      return 2;
    }
    return runImport(requireConfig(), file);
  },
  simulate: async (argv) => {
    const { runSimulateCommand } = await import('../simulation/simulate.command.ts');
    return runSimulateCommand(argv, { stdout: process.stdout, stderr: process.stderr });
  },
  train: async (argv) => {
    const { runTrainCommand, trainUsage } = await import('../training/train.command.ts');
    if (argv.includes('--help')) return (process.stdout.write(`${trainUsage}\n`), 0);
    return runTrainCommand(argv, { stdout: process.stdout, stderr: process.stderr }, () => openMigrated());
  },
  models: async (argv) => {
    const { runModelsCommand } = await import('../training/models.command.ts');
    const database = await openMigrated();
    try {
      return await runModelsCommand(argv, { stdout: process.stdout, stderr: process.stderr }, database);
    } finally {
      await database.close();
    }
  },
  backtest: async (argv) => {
    const { runBacktestCommand } = await import('../training/backtest.command.ts');
    return runBacktestCommand(argv, { stdout: process.stdout, stderr: process.stderr }, () => openMigrated());
  },
  evaluate: async (argv) => {
    const { runEvaluateCommand } = await import('../training/evaluate.command.ts');
    return runEvaluateCommand(argv, { stdout: process.stdout, stderr: process.stderr });
  },
  bench: async (argv) => {
    const { runBenchmarks } = await import('../../bench/run.ts');
    return runBenchmarks(argv);
  },
  help: async () => {
    process.stdout.write(`${usage}\n`);
    return 0;
  },
};

async function openMigrated() {
  const { openDatabase } = await import('../app.ts');
  const { migrate } = await import('../storage/migrate.ts');
  const database = await openDatabase(requireConfig());
  await migrate(database);
  return database;
}

function requireConfig() {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`invalid configuration:\n  ${result.errors.join('\n  ')}\n`);
    process.exit(2);
  }
  return result.config;
}

const [name = 'help', ...rest] = process.argv.slice(2);
const command = commands[name === '--help' || name === '-h' ? 'help' : name];
if (!command) {
  process.stderr.write(`unknown command: ${name}\n\n${usage}\n`);
  process.exit(2);
}
try {
  const code = await command(rest);
  if (name !== 'start' || code !== 0) process.exit(code);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
