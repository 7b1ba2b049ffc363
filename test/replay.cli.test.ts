// `rearguard replay` against a started server: simulated orders become live checkouts that live monitoring counts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, type TestApplication } from './application.ts';
import { makeStaffDesk } from './staff.desk.ts';
import { runSimulateCommand } from '../src/simulation/simulate.command.ts';
import { runReplayCommand } from '../src/simulation/replay.command.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe.each(databaseKinds)('rearguard replay on %s', (kind) => {
  let app: TestApplication;
  let directory: string;
  let url: string;
  const desk = makeStaffDesk(() => app);

  beforeAll(async () => {
    app = await makeTestApplication(kind);
    url = await app.server.listen({ port: 0, host: '127.0.0.1' });
    directory = await mkdtemp(join(tmpdir(), 'rearguard-replay-'));
    await desk.hire('Rik', 'analyst');
  });
  afterAll(async () => {
    await app?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('replays a simulated file as checkouts and the monitoring API counts every decision', async () => {
    const file = join(directory, 'world.ndjson');
    const simulated = capture();
    expect(
      await runSimulateCommand(['--orders', '12', '--seed', '7', '--out', file, '--quiet'], {
        stdout: simulated.stream,
        stderr: simulated.stream,
      }),
    ).toBe(0);

    const stdout = capture();
    const stderr = capture();
    const code = await runReplayCommand(
      [file, '--url', url, '--key', app.merchant.api_key, '--rate', '40', '--limit', '10'],
      { stdout: stdout.stream, stderr: stderr.stream },
    );
    expect(stderr.text()).not.toContain('first failure');
    expect(code).toBe(0);
    const line = stdout.text();
    expect(line).toMatch(
      /^replayed 10 orders in [\d.]+ s: approved \d+, step_up \d+, review \d+, declined \d+, failed 0\n$/,
    );
    const outcomes = Object.fromEntries(
      [...line.matchAll(/(approved|step_up|review|declined) (\d+)/g)].map((match) => [match[1]!, Number(match[2])]),
    );

    const view = (await desk.as('Rik', 'GET', '/v1/ops/monitoring?minutes=15')).json();
    expect(view.totals.now).toEqual({ decisions: 10, ...outcomes });
  });

  it('refuses a server that is not on this machine and a missing file, before sending anything', async () => {
    const stderr = capture();
    const io = { stdout: capture().stream, stderr: stderr.stream };
    expect(await runReplayCommand(['x.ndjson', '--url', 'http://example.com', '--key', 'k'], io)).toBe(2);
    expect(stderr.text()).toContain('--url must be http://127.0.0.1');
    expect(await runReplayCommand([join(directory, 'none.ndjson'), '--key', 'k'], io)).toBe(2);
    expect(stderr.text()).toContain('no such file');
    expect(await runReplayCommand([join(directory, 'none.ndjson'), '--key', 'k', '--rate', '0'], io)).toBe(2);
    expect(stderr.text()).toContain('--rate must be a number from 0.1 to 200');
  });
});
