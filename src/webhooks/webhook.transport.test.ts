// The webhook transport: connects to the checked address only, keeps at most a few KiB of the answer, meets its deadline.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';

const lookups: string[] = [];
vi.mock('node:dns/promises', () => ({
  lookup: vi.fn(async (host: string) => {
    lookups.push(host);
    // First answer: loopback (where the test receiver listens); any later lookup would point elsewhere.
    if (host === 'rebind.example.com') return [{ address: lookups.length === 1 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  }),
}));

const { postWebhook, maxResponseBytes } = await import('./webhook.transport.ts');

let server: Server | null = null;
afterEach(async () => {
  lookups.length = 0;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function receiver(answer: (response: import('node:http').ServerResponse) => void) {
  const seen: IncomingHttpHeaders[] = [];
  server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on('end', () => answer(response));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

const post = (url: string, overrides: { allowPrivateUrls?: boolean; timeoutMilliseconds?: number } = {}) =>
  postWebhook({
    url,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
    timeoutMilliseconds: overrides.timeoutMilliseconds ?? 2000,
    allowPrivateUrls: overrides.allowPrivateUrls ?? true,
  });

describe('postWebhook', () => {
  it('resolves the name once and connects to that address, keeping the Host header', async () => {
    const { port, seen } = await receiver((response) => response.writeHead(204).end());
    expect(await post(`http://rebind.example.com:${port}/hooks`)).toEqual({ status: 204 });
    expect(lookups).toEqual(['rebind.example.com']);
    expect(seen[0]?.host).toBe(`rebind.example.com:${port}`);
  });

  it('refuses a public-looking name that resolves to a private address', async () => {
    const { port, seen } = await receiver((response) => response.writeHead(204).end());
    await expect(post(`http://rebind.example.com:${port}/hooks`, { allowPrivateUrls: false })).rejects.toThrow(
      /private address/,
    );
    expect(seen).toHaveLength(0);
  });

  it('reads at most a few KiB of an endless answer; the status decides', async () => {
    let written = 0;
    const { port } = await receiver((response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < 1024 * 1024 * 1024 && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
      };
      pump();
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    expect(await post(`http://127.0.0.1:${port}/hooks`)).toEqual({ status: 200 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(written).toBeLessThan(64 * 1024 * 1024); // the sender was cut off long before its gigabyte
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    expect(maxResponseBytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('gives up on a receiver that never answers at its deadline', async () => {
    await receiver(() => {});
    const started = performance.now();
    await expect(
      post(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/x`, { timeoutMilliseconds: 300 }),
    ).rejects.toThrow(/no answer within 300 ms/);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
