// Paired authorize latency: two checkouts of Rearguard (one of them this one) side by side, each server on its own
// scratch PostgreSQL database with the same imported history, the authorizes alternated one at a time between them.
// On a VM whose speed drifts from minute to minute, a before/after of two separate runs says less than the change;
// alternating puts both under the same drift.
//
//   DATABASE_URL=postgres://... npx tsx bench/http.paired.ts <other checkout> [customers] [samples]
//
// The other checkout needs its dependencies (node_modules) and built web pages, like this one. Prints p50/p90/p99 of
// each side for a returning customer's first checkout on the server, then for the same customers' next checkout.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scratchDatabase, seedServer, sessionBody, startServer } from './http.bench.ts';

const [otherCheckout, customersArgument, samplesArgument] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
if (!otherCheckout || !databaseUrl) {
  process.stderr.write(
    'usage: DATABASE_URL=postgres://... npx tsx bench/http.paired.ts <other checkout> [customers] [samples]\n',
  );
  process.exit(2);
}
const customers = Number(customersArgument ?? 2000);
const samples = Number(samplesArgument ?? 800);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function startSide(checkout: string, port: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rearguard-paired-'));
  const scratch = await scratchDatabase(databaseUrl!);
  const child = await startServer(port, dataDir, scratch.url, checkout);
  const base = `http://127.0.0.1:${port}`;
  const { headers } = await seedServer(base, 'Bench Shop', customers);
  return {
    /** One checkout of customer `index`: the session, then the authorize, timed by the client. */
    async checkout(index: number): Promise<number> {
      const created = await fetch(`${base}/v1/sessions`, {
        method: 'POST',
        headers,
        body: sessionBody(index, customers),
      });
      const { id } = (await created.json()) as { id: string };
      const begun = performance.now();
      const answer = await fetch(`${base}/v1/sessions/${id}/authorize`, {
        method: 'POST',
        headers: { authorization: headers.authorization },
      });
      await answer.json();
      return performance.now() - begun;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
      await rm(dataDir, { recursive: true, force: true });
      await scratch.drop();
    },
  };
}

const percentile = (sorted: readonly number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!.toFixed(2);

const sides = {
  this: await startSide(resolve('.'), 18_111),
  other: await startSide(resolve(otherCheckout), 18_112),
};
try {
  // Warm-up on customers outside the measured ones (the last 300).
  log(`warming up; then ${samples} authorizes per side and pass, alternated...`);
  for (let index = 0; index < 300; index += 1)
    for (const side of Object.values(sides)) await side.checkout(customers - 1 - index);
  for (const pass of ['first checkout here', 'next checkout']) {
    const times: Record<keyof typeof sides, number[]> = { this: [], other: [] };
    for (let sample = 0; sample < samples; sample += 1) {
      const order = sample % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const);
      for (const side of order) times[side].push(await sides[side].checkout(sample));
    }
    for (const side of ['other', 'this'] as const) {
      const sorted = times[side].sort((a, b) => a - b);
      log(
        `${pass.padEnd(20)} ${side === 'this' ? 'this checkout ' : `${otherCheckout} `}authorize ms p50/p90/p99: ${[0.5, 0.9, 0.99].map((share) => percentile(sorted, share)).join(' / ')}`,
      );
    }
  }
} finally {
  for (const side of Object.values(sides)) await side.stop();
}
