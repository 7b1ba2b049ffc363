// Durability: what a 2xx said was created survives a crash (SIGKILL) of the server process and a restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionBody } from './application.ts';

const adminKey = 'restart-admin-key-0123456789';

async function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/rearguard.mjs', 'start', '--demo'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      REARGUARD_ADMIN_KEY: adminKey,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
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

describe('restart', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('loses no session, decision or order after SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-restart-'));
    directories.push(dataDir);
    const port = 18_300 + Math.floor(Math.random() * 500);
    const base = `http://127.0.0.1:${port}`;
    let server = await startServer(dataDir, port);
    const merchant = (await (
      await fetch(`${base}/v1/admin/merchants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Durable Shop' }),
      })
    ).json()) as { api_key: string };
    const headers = { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' };
    const session = (await (
      await fetch(`${base}/v1/sessions`, { method: 'POST', headers, body: JSON.stringify(sessionBody()) })
    ).json()) as { id: string };
    const decision = (await (
      await fetch(`${base}/v1/sessions/${session.id}/authorize`, {
        method: 'POST',
        headers: { authorization: headers.authorization },
      })
    ).json()) as {
      decision: string;
      order?: { id: string };
    };
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));

    server = await startServer(dataDir, port);
    try {
      const read = (await (await fetch(`${base}/v1/sessions/${session.id}`, { headers })).json()) as { status: string };
      expect(read.status).toBe(decision.decision);
      if (decision.order) {
        const order = await fetch(`${base}/v1/orders/${decision.order.id}`, { headers });
        expect(order.status).toBe(200);
      }
      const again = (await (
        await fetch(`${base}/v1/sessions/${session.id}/authorize`, {
          method: 'POST',
          headers: { authorization: headers.authorization },
        })
      ).json()) as {
        order?: { id: string };
      };
      expect(again.order?.id).toBe(decision.order?.id);
    } finally {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
  });
});
