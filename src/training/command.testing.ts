// Test support for the CLI commands: a scratch directory per test file and a run that captures stdout and stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';

export type CommandIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/** Runs a command with captured output; returns its exit code and what it printed. */
export async function captureCommand(run: (io: CommandIo) => Promise<number>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run({ stdout, stderr });
  return { code, out, err };
}

/** A temporary directory made before the file's tests and removed after them; read `.path` inside tests. */
export function scratchDirectory(prefix: string): { path: string } {
  const directory = { path: '' };
  beforeAll(async () => {
    directory.path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(directory.path, { recursive: true, force: true }));
  return directory;
}
