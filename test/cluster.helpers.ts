// Real server processes on one throwaway PostgreSQL database, for the scale-out tests and benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const clusterAdminKey = 'cluster-admin-key-0123456789';
export const demoMerchantKey = 'rg_live_demo_0000000000000000000000000000';

/** A fresh database on the server DATABASE_URL names (its own schema_migrations, its own history_seq). */
export async function createClusterDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rg_cluster_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: () => string;
}

/** `bin/rearguard.mjs start --demo` on `port`; resolves once it listens. */
export async function startServerProcess(
  databaseUrl: string,
  port: number,
  environment: Record<string, string> = {},
  arguments_: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['bin/rearguard.mjs', 'start', '--demo', ...arguments_], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      REARGUARD_ADMIN_KEY: clusterAdminKey,
      LOG_LEVEL: 'warn',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 120_000);
    const onData = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, base: `http://127.0.0.1:${port}`, output: () => output };
}

export async function stopServerProcess(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

export const randomPort = () => 19_000 + Math.floor(Math.random() * 4_000);
