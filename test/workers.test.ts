// `rearguard start --workers 2`: two workers behind one port; a worker killed with SIGKILL is replaced.
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClusterDatabase,
  randomPort,
  startServerProcess,
  stopServerProcess,
  type ServerProcess,
} from './cluster.helpers.ts';
import { postgresUrl } from './databases.ts';

if (!postgresUrl) console.log('workers test skipped: DATABASE_URL is not set (--workers needs PostgreSQL)');

/** The primary's worker processes (its children running the rearguard entry point). */
async function workersOf(primary: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== primary) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('rearguard.mjs')) found.push(Number(entry));
  }
  return found;
}

const listening = (output: string) => output.split('listening on').length - 1;

describe.skipIf(!postgresUrl)('rearguard start --workers', () => {
  let database: Awaited<ReturnType<typeof createClusterDatabase>>;
  let server: ServerProcess;

  beforeAll(async () => {
    database = await createClusterDatabase(postgresUrl!);
    server = await startServerProcess(database.url, randomPort(), {}, ['--workers', '2']);
  }, 180_000);
  afterAll(async () => {
    await stopServerProcess(server);
    await database?.drop();
  }, 60_000);

  it('serves on one port from two workers and replaces one that is killed', async () => {
    await expect.poll(() => server.output(), { timeout: 120_000, interval: 200 }).toContain('2 workers started');
    const before = await workersOf(server.child.pid!);
    expect(before).toHaveLength(2);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    process.kill(before[0]!, 'SIGKILL');
    await expect.poll(() => server.output(), { timeout: 10_000, interval: 100 }).toContain('starting a replacement');
    await expect.poll(() => listening(server.output()), { timeout: 120_000, interval: 200 }).toBe(3);
    const after = await workersOf(server.child.pid!);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(before[0]);
    for (let request = 0; request < 6; request++) expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  }, 180_000);

  it('refuses --workers without PostgreSQL', async () => {
    await expect(startServerProcess('', randomPort(), {}, ['--workers', '2'])).rejects.toThrow(
      /--workers needs DATABASE_URL/,
    );
  }, 60_000);
});
