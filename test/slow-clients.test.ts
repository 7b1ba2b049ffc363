// Slow clients (slowloris) are cut off: trickled headers or bodies do not hold a connection open for ever.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication } from './application.ts';

/** Opens a raw socket, writes `head` then one byte of `trickle` every 200 ms; resolves when the server closes it. */
function slowClient(port: number, head: string, trickle: string) {
  return new Promise<{ closedAfter: number; answer: string }>((resolve) => {
    const started = performance.now();
    let answer = '';
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      let index = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || socket.writableEnded) return clearInterval(timer);
        socket.write(trickle[index % trickle.length]!);
        index += 1;
      }, 200);
      socket.once('close', () => clearInterval(timer));
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => {});
    socket.once('close', () => resolve({ closedAfter: performance.now() - started, answer }));
    // Safety net for the test itself: a server that never closes fails the assertion below.
    setTimeout(() => socket.destroy(), 15_000).unref();
  });
}

describe('slow clients', () => {
  let app: TestApplication;
  let port: number;
  beforeAll(async () => {
    app = await makeTestApplication('pglite', {}, { REQUEST_TIMEOUT_MS: '2000' });
    await app.server.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it('closes a connection whose headers trickle in', async () => {
    const { closedAfter, answer } = await slowClient(
      port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n',
      'X-Slow: aaaaaaa\r\n',
    );
    expect(closedAfter).toBeLessThan(5_000);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a connection whose body trickles in', async () => {
    const head =
      'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{';
    const { closedAfter } = await slowClient(port, head, ' ');
    expect(closedAfter).toBeLessThan(5_000);
  });

  it('still serves a prompt client', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
  });
});
