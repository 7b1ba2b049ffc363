// The `rearguard` command table: usage per command, `--help` that never runs anything, `--version`, clear errors.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Ends a command with a message on stderr and an exit code, instead of calling process.exit deep inside. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

interface Command {
  /** One line for the overview. */
  readonly summary: string;
  /** The text `rearguard COMMAND --help` prints (loaded lazily: some commands pull in heavy modules). */
  readonly usage: () => Promise<string>;
  readonly run: (argv: string[], io: CliIo) => Promise<number>;
}

const configHint = 'Configuration comes from the environment; see the README configuration table.';

export const commands: Record<string, Command> = {
  start: {
    summary: 'apply migrations and serve the API on PORT (--demo seeds a demo merchant and customers)',
    usage: async () =>
      `rearguard start [--demo] [--workers N]\n\n  --demo       seed a demo merchant, customers and history\n` +
      `  --workers N  run N server processes behind PORT, restarting any that dies (needs DATABASE_URL)\n\n${configHint}`,
    run: async (argv, io) => {
      const { values } = parseArgs({
        args: argv,
        options: { demo: { type: 'boolean', default: false }, workers: { type: 'string', default: '1' } },
      });
      const workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        throw new CliExit(2, `--workers must be a whole number from 1 to 64, not ${values.workers}`);
      }
      const { runStart } = await import('./start.command.ts');
      return runStart(requireConfig(io), { demo: values.demo ?? false, workers });
    },
  },
  migrate: {
    summary: 'apply database migrations and exit',
    usage: async () => `rearguard migrate\n\nApplies the pending database migrations and exits.\n\n${configHint}`,
    run: async (argv, io) => {
      parseArgs({ args: argv, options: {} });
      const { openDatabase } = await import('../app.ts');
      const { migrate } = await import('../storage/migrate.ts');
      const database = await openDatabase(requireConfig(io));
      try {
        const applied = await migrate(database);
        io.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await database.close();
      }
      return 0;
    },
  },
  import: {
    summary: 'import history (NDJSON, or CSV with a column mapping) into the database, with progress',
    usage: async () =>
      [
        'rearguard import FILE.ndjson',
        'rearguard import FILE.csv --mapping MAP.json|MAP.yaml',
        '',
        'Imports accounts and past orders (see the README: history import); bad lines are reported with their line',
        'number and skipped. A CSV export is read through a column mapping (README: bring your own data).',
        '',
        configHint,
      ].join('\n'),
    run: async (argv, io) => {
      const { positionals, values } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { mapping: { type: 'string' } },
      });
      const file = positionals[0];
      if (!file || positionals.length > 1)
        throw new CliExit(2, 'usage: rearguard import FILE.ndjson | FILE.csv --mapping MAP.json');
      await requireFile(file);
      if (values.mapping !== undefined) await requireFile(values.mapping);
      const { resolveImportFormat } = await import('../ingest/import.format.ts');
      const resolved = await resolveImportFormat(file, values.mapping ?? null);
      if (!resolved.ok) throw new CliExit(2, resolved.error);
      const { runImport } = await import('./import.command.ts');
      return runImport(requireConfig(io), file, resolved.format, io);
    },
  },
  simulate: {
    summary: 'generate a synthetic pay-later world as import NDJSON (see --help)',
    usage: async () => (await import('../simulation/simulate.command.ts')).simulateUsage,
    run: async (argv, io) => (await import('../simulation/simulate.command.ts')).runSimulateCommand(argv, io),
  },
  replay: {
    summary: 'play a simulate file against a running local server as live checkouts, at a steady rate (see --help)',
    usage: async () => (await import('../simulation/replay.command.ts')).replayUsage,
    run: async (argv, io) => (await import('../simulation/replay.command.ts')).runReplayCommand(argv, io),
  },
  train: {
    summary: 'replay history point-in-time and train a model (see --help)',
    usage: async () => (await import('../training/train.command.ts')).trainUsage,
    run: async (argv, io) => {
      await requireFile(optionValue(argv, '--file'));
      const { runTrainCommand } = await import('../training/train.command.ts');
      return runTrainCommand(argv, io, () => openMigrated(io), await inputOpener(io));
    },
  },
  evaluate: {
    summary: 'time-split evaluation of model, rules and both on an import file (see --help)',
    usage: async () => (await import('../training/evaluate.command.ts')).evaluateUsage,
    run: async (argv, io) => {
      for (const option of ['--file', '--mapping', '--baseline', '--baseline-mapping', '--model'])
        await requireFile(optionValue(argv, option));
      return (await import('../training/evaluate.command.ts')).runEvaluateCommand(argv, io);
    },
  },
  backtest: {
    summary: 'the decisions a ruleset would have made on history, against labels (see --help)',
    usage: async () => (await import('../training/backtest.command.ts')).backtestUsage,
    run: async (argv, io) => {
      await requireFile(optionValue(argv, '--ruleset'));
      await requireFile(optionValue(argv, '--file'));
      const { runBacktestCommand } = await import('../training/backtest.command.ts');
      return runBacktestCommand(argv, io, () => openMigrated(io), await inputOpener(io));
    },
  },
  models: {
    summary: 'list | promote ID | rollback: the model registry (champion, challengers, promotions)',
    usage: async () => (await import('../training/models.command.ts')).modelsUsage,
    run: async (argv, io) => {
      const { runModelsCommand } = await import('../training/models.command.ts');
      const database = await openMigrated(io);
      try {
        return await runModelsCommand(argv, io, database);
      } finally {
        await database.close();
      }
    },
  },
  'rotate-master-key': {
    summary: 're-wrap every personal-data key under the first of MASTER_KEYS',
    usage: async () => (await import('../privacy/rotate-master-key.command.ts')).rotateMasterKeyUsage,
    run: async (argv, io) => {
      if (argv.length > 0) throw new CliExit(2, 'usage: rearguard rotate-master-key');
      const { runRotateMasterKey } = await import('../privacy/rotate-master-key.command.ts');
      const database = await openMigrated(io);
      try {
        return await runRotateMasterKey(requireConfig(io), database, io);
      } finally {
        await database.close();
      }
    },
  },
  bench: {
    summary: 'run the benchmarks and print their figures',
    usage: async () =>
      [
        'rearguard bench [--quick] [--only SUITES] [--seconds N] [--connections N] [--history-orders N] [--database-url URL]',
        '',
        '  --quick             a smaller run of every suite',
        '  --only a,b          only these suites: decision, risk, model, simulate, import, privacy, http',
        '  --seconds N         HTTP load duration (default 10)',
        '  --connections N     concurrent HTTP connections (default 16)',
        '  --history-orders N  orders of history in state for the risk suite (default 1000000)',
        '  --database-url URL  run the HTTP suite against this PostgreSQL server',
      ].join('\n'),
    run: async (argv) => (await import('../../bench/run.ts')).runBenchmarks(argv),
  },
};

export function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2;
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}${command.summary}`);
  return [
    'rearguard <command> [options]',
    '',
    'Commands:',
    ...lines,
    `  ${'help'.padEnd(width)}show this text (rearguard COMMAND --help: one command's options)`,
    '',
    'Options: --help, --version',
    '',
    configHint,
  ].join('\n');
}

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** Runs one command line; returns the exit code (a started server keeps running after it returns). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name = 'help', ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`rearguard ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] ? commands[rest[0]] : undefined;
    io.stdout.write(`${topic ? await topic.usage() : overview()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`rearguard: unknown command: ${name}\n\n${overview()}\n`);
    return 2;
  }
  // Help is answered before anything runs: no config read, no database opened, no migration applied.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${await command.usage()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr.write(`rearguard ${name}: ${describe(error)}\n`);
    if (error instanceof CliExit) return error.code;
    return isArgumentError(error) ? 2 : 1;
  }
}

function describe(error: unknown): string {
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (code === 'ENOENT' && typeof path === 'string') return `no such file or directory: ${path}`;
  return error instanceof Error ? error.message : String(error);
}

function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (const [index, argument] of argv.entries()) {
    if (argument === name) return argv[index + 1];
    if (argument.startsWith(`${name}=`)) return argument.slice(name.length + 1);
  }
  return undefined;
}

/** A named input file that does not exist is said plainly, before any database is opened. */
async function requireFile(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  const found = await stat(path).catch(() => null);
  if (!found) throw new CliExit(2, `no such file: ${path}`);
  if (!found.isFile()) throw new CliExit(2, `not a file: ${path}`);
}

function requireConfig(io: CliIo) {
  const result = loadConfig(io.env);
  if (!result.ok) throw new CliExit(2, `invalid configuration:\n  ${result.errors.join('\n  ')}`);
  return result.config;
}

/** Opens live orders' sealed inputs for training and backtests (null: the configuration is invalid; said later). */
async function inputOpener(io: CliIo) {
  const result = loadConfig(io.env);
  if (!result.ok) return undefined;
  const { makeInputOpener } = await import('../privacy/personal-data.ts');
  return makeInputOpener(result.config.privacy);
}

async function openMigrated(io: CliIo) {
  const { openDatabase } = await import('../app.ts');
  const { migrate } = await import('../storage/migrate.ts');
  const database = await openDatabase(requireConfig(io));
  await migrate(database);
  return database;
}
