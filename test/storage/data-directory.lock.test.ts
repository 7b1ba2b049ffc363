// Two real processes on one embedded data directory: the second is refused with the directory and the holder named,
// and a lock left by a killed process (kill -9) is taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDirectory, lockFileName } from '../../src/storage/data-directory.lock.ts';

const environment = (dataDir: string, port = 0) => ({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: String(port),
  LOG_LEVEL: 'warn',
  DATABASE_URL: '',
});

async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/rearguard.mjs', 'start'], {
    env: environment(dataDir, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

function run(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/rearguard.mjs', ...args], {
    env: environment(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('embedded data directory lock', () => {
  const directories: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('refuses an import, a model promotion and a migrate beside a running server, then takes over after kill -9', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-lock-'));
    directories.push(dataDir);
    const server = await startServer(dataDir, 18_800 + Math.floor(Math.random() * 400));
    children.push(server);
    const lock = JSON.parse(await readFile(join(dataDir, lockFileName), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(server.pid);

    const history = join(dataDir, '..', `${dataDir.split('/').at(-1)}-history.ndjson`);
    await writeFile(history, '{"type":"account","id":"x-1","created_at":"2025-01-01T00:00:00Z","name":"X"}\n');
    directories.push(history);
    for (const args of [['import', history], ['models', 'promote', 'mdl_0000000001'], ['migrate']]) {
      const second = await run(args, dataDir);
      expect(second.code, second.stderr).not.toBe(0);
      expect(second.stderr).toContain(`the data directory ${dataDir} is in use by another Rearguard process`);
      expect(second.stderr).toContain(`pid ${server.pid}`);
    }

    // kill -9 leaves the lock file behind; its pid is gone, so the next process takes it over.
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
    expect(existsSync(join(dataDir, lockFileName))).toBe(true);
    const after = await run(['migrate'], dataDir);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('database is up to date');
    // A clean exit releases the directory.
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  }, 180_000);

  it('names the holder in-process too, and lets the directory go on release', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-lock-'));
    directories.push(dataDir);
    // A lock of a live process that is not this one: the parent of this test process.
    await writeFile(
      join(dataDir, lockFileName),
      JSON.stringify({
        pid: process.ppid,
        host: (await import('node:os')).hostname(),
        started_at: 'earlier',
        command: 'x',
      }),
    );
    await expect(lockDataDirectory(dataDir)).rejects.toThrow(`pid ${process.ppid}`);
    await rm(join(dataDir, lockFileName));
    const held = await lockDataDirectory(dataDir);
    // Opening it twice in one process would corrupt it just the same.
    await expect(lockDataDirectory(dataDir)).rejects.toThrow(`pid ${process.pid}`);
    await held.release();
    expect(existsSync(join(dataDir, lockFileName))).toBe(false);
  });
});
