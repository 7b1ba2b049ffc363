// The `rearguard simulate` command: flags, output to a file or stdout, and errors that name the flag.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulateArguments, runSimulateCommand } from './simulate.command.ts';

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

describe('runSimulateCommand', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('writes the requested orders to a file and reports a summary on stderr', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'simulate-command-'));
    directories.push(directory);
    const file = join(directory, 'world.ndjson');
    const stdout = capture();
    const stderr = capture();
    const code = await runSimulateCommand(
      [
        '--orders',
        '1500',
        '--seed',
        '9',
        '--out',
        file,
        '--months',
        '2',
        '--fraud-rate',
        '0.05',
        '--label-delay-days',
        '10',
      ],
      { stdout, stderr },
    );
    expect(code).toBe(0);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('{"type":"order"'))).toHaveLength(1500);
    expect(stderr.text()).toMatch(/simulated 1500 orders/);
    expect(stdout.text()).toBe('');
  });

  it('writes to stdout without --out, identical to the same run into a file', async () => {
    const stdout = capture();
    const code = await runSimulateCommand(['--orders', '300', '--quiet'], { stdout, stderr: capture() });
    expect(code).toBe(0);
    const directory = await mkdtemp(join(tmpdir(), 'simulate-command-'));
    directories.push(directory);
    const file = join(directory, 'same.ndjson');
    await runSimulateCommand(['--orders', '300', '--quiet', '--out', file], { stdout: capture(), stderr: capture() });
    expect(stdout.text()).toBe(await readFile(file, 'utf8'));
  });

  it.each([
    [['--orders', 'many'], /--orders must be a number/],
    [['--fraud-rate', '0.9'], /fraudRate/],
    [['--typology-mix', 'phishing=1'], /unknown typology "phishing"/],
    [['--campaign-sizes', 'burst='], /needs a number/],
    [['--frobnicate'], /Unknown option/],
  ])('rejects %j with exit code 2 and a message naming it', async (argv, message) => {
    const stderr = capture();
    expect(await runSimulateCommand(argv, { stdout: capture(), stderr })).toBe(2);
    expect(stderr.text()).toMatch(message);
  });

  it('prints its usage for --help', async () => {
    const stdout = capture();
    expect(await runSimulateCommand(['--help'], { stdout, stderr: capture() })).toBe(0);
    expect(stdout.text()).toMatch(/--label-delay-days D/);
  });

  it('maps flags to options and leaves unset ones to the defaults', () => {
    const parsed = parseSimulateArguments([
      '--orders',
      '10',
      '--typology-mix',
      'identity_misuse=1,burst=0',
      '--censor',
    ]);
    expect(parsed.options).toEqual({ orders: 10, typologyMix: { identity_misuse: 1, burst: 0 }, censorAtEnd: true });
    expect(parsed.out).toBeUndefined();
  });
});
