// The command line: --help on every command prints usage and changes nothing, --version, clear missing-file errors.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, runCli } from './cli.ts';

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'rearguard-cli-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // A data directory that must never appear: proof that nothing was opened or migrated.
  const dataDir = join(scratch, 'never-created');
  const code = await runCli(argv, { stdout, stderr, env: { LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env } });
  return { code, out, err, touched: existsSync(dataDir) };
}

describe('rearguard --help', () => {
  it.each(Object.keys(commands))('%s --help prints its usage, exits 0 and opens nothing', async (name) => {
    for (const flag of ['--help', '-h']) {
      const result = await run([name, flag]);
      expect(result.code, result.err).toBe(0);
      expect(result.out).toContain(`rearguard ${name}`);
      expect(result.err).toBe('');
      expect(result.touched).toBe(false);
    }
    // Help wins wherever it stands among the options.
    const late = await run([name, '--demo', '--file', 'x', '--help']);
    expect(late.code).toBe(0);
    expect(late.touched).toBe(false);
  });

  it('lists every command in the overview', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const result = await run(argv);
      expect(result.code).toBe(0);
      for (const name of Object.keys(commands)) expect(result.out).toContain(`  ${name} `);
    }
    expect((await run(['help', 'import'])).out).toContain('rearguard import FILE.ndjson');
  });

  it('prints the version of package.json', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const result = await run([flag]);
      expect(result.code).toBe(0);
      expect(result.out).toBe('rearguard 0.1.0\n');
    }
  });

  it('refuses an unknown command or option with exit code 2', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command: frobnicate');
    const option = await run(['migrate', '--force']);
    expect(option.code).toBe(2);
    expect(option.err).toContain("Unknown option '--force'");
    expect(option.touched).toBe(false);
  });
});

describe('a missing file', () => {
  it.each([
    [['import', 'missing.ndjson'], 'missing.ndjson'],
    [['evaluate', '--file', 'missing.ndjson'], 'missing.ndjson'],
    [['train', '--file=missing.ndjson'], 'missing.ndjson'],
    [['backtest', '--ruleset', 'missing.json'], 'missing.json'],
  ])('%j says which file and exits 2 before opening the database', async (argv, file) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`rearguard ${argv[0]}: no such file: ${file}\n`);
    expect(result.touched).toBe(false);
  });

  it('import without a file prints its usage with exit code 2', async () => {
    const result = await run(['import']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('usage: rearguard import FILE.ndjson');
  });
});

describe('the installed binary', () => {
  it('migrate --help exits 0 without creating the data directory', async () => {
    const dataDir = join(scratch, 'binary-data');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/rearguard.mjs', 'migrate', '--help'], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    });
    expect(stdout).toContain('rearguard migrate');
    expect(existsSync(dataDir)).toBe(false);
    const missing = await promisify(execFile)(process.execPath, ['bin/rearguard.mjs', 'import', 'nope.ndjson']).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(missing?.code).toBe(2);
    expect(missing?.stderr).toBe('rearguard import: no such file: nope.ndjson\n');
  });
});
