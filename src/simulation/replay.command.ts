// `rearguard replay`: plays the orders of a `rearguard simulate` file against a running local server as live
// checkouts (create a session, authorize it), at a steady rate, so the console shows live figures.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { CommandOutput } from './simulate.command.ts';

export const replayUsage = `rearguard replay FILE --key MERCHANT_KEY [options]

Replays the orders of a \`rearguard simulate\` file against a running server on this machine: each order becomes a
checkout session that is authorized, as a shop would do it. Accounts in the file are not sent (import the same file
first with \`rearguard import\` for a server that knows their history).

  --key KEY        the merchant's API key (required)
  --url URL        the server, on this machine only (default http://127.0.0.1:8080)
  --rate N         orders per second, 0.1..200 (default 5)
  --limit N        stop after N orders, 1..100000 (default 500)
  --seconds S      stop after S seconds, 1..3600 (default 600)
  --quiet          no progress line`;

/** A session body from one simulated order; null for lines that are no order or lack what a checkout needs. */
export function sessionFromOrder(record: Record<string, unknown>, reference: string): Record<string, unknown> | null {
  if (record.type !== 'order') return null;
  const amount = record.amount as { value?: unknown; currency?: unknown } | undefined;
  const customer = record.customer as Record<string, unknown> | undefined;
  if (!amount || typeof amount.value !== 'number' || amount.value < 1) return null;
  if (!customer?.name || !customer.email || !customer.phone || !record.billing_address) return null;
  const lines = Array.isArray(record.lines) && record.lines.length > 0 ? record.lines : null;
  return {
    amount,
    merchant_reference: reference,
    lines: lines ?? [{ name: 'Order', quantity: 1, unit_price: amount.value }],
    customer,
    billing_address: record.billing_address,
    ...(record.shipping_address ? { shipping_address: record.shipping_address } : {}),
    ...(record.device ? { device: record.device } : {}),
    ...(record.extra_merchant_data ? { extra_merchant_data: record.extra_merchant_data } : {}),
    ...(record.merchant_account ? { merchant_account: record.merchant_account } : {}),
  };
}

interface ReplayOptions {
  file: string;
  key: string;
  url: URL;
  rate: number;
  limit: number;
  seconds: number;
  quiet: boolean;
}

const localHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parseReplayArguments(argv: string[]): ReplayOptions | string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      rate: { type: 'string', default: '5' },
      limit: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '600' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) return 'give one FILE written by rearguard simulate';
  if (!values.key) return '--key is required: the API key of the merchant the orders are placed at';
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    return `--url ${values.url} is not a URL`;
  }
  // Load is generated only against this machine: never someone else's server by a typo.
  if (!localHosts.has(url.hostname) || !/^https?:$/.test(url.protocol))
    return `--url must be http://127.0.0.1, http://localhost or http://[::1] (got ${url.host})`;
  const number = (name: string, text: string, minimum: number, maximum: number) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < minimum || value > maximum)
      throw new Error(`--${name} must be a number from ${minimum} to ${maximum}`);
    return value;
  };
  try {
    return {
      file,
      key: values.key,
      url,
      rate: number('rate', values.rate, 0.1, 200),
      limit: Math.floor(number('limit', values.limit, 1, 100_000)),
      seconds: number('seconds', values.seconds, 1, 3600),
      quiet: values.quiet ?? false,
    };
  } catch (error) {
    return (error as Error).message;
  }
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function runReplayCommand(argv: string[], io: CommandOutput): Promise<number> {
  let options: ReplayOptions | string;
  try {
    options = parseReplayArguments(argv);
  } catch (error) {
    options = (error as Error).message;
  }
  if (typeof options === 'string') {
    io.stderr.write(`replay: ${options}\n\n${replayUsage}\n`);
    return 2;
  }
  const found = await stat(options.file).catch(() => null);
  if (!found?.isFile()) {
    io.stderr.write(`replay: no such file: ${options.file}\n`);
    return 2;
  }
  const { key, url, rate, limit, seconds, quiet } = options;
  const run = randomBytes(4).toString('hex');
  const counts: Record<string, number> = { approved: 0, step_up: 0, review: 0, declined: 0, failed: 0 };
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let sent = 0;
  let lastProgress = 0;
  const post = async (path: string, body: unknown, idempotencyKey: string) => {
    const response = await fetch(new URL(path, url), {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const lines = createInterface({ input: createReadStream(options.file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (sent >= limit || performance.now() >= deadline) break;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const reference = `replay-${run}-${sent + 1}`;
    const body = sessionFromOrder(record, reference);
    if (body === null) continue;
    // Steady pacing: order n leaves at n / rate seconds after the start, however long the previous one took.
    const due = started + (sent * 1000) / rate;
    if (due > performance.now()) await sleep(due - performance.now());
    sent += 1;
    try {
      const session = await post('/v1/sessions', body, `${reference}-session`);
      if (session.status !== 201) throw new Error(`session ${session.status}: ${JSON.stringify(session.body.error)}`);
      const decided = await post(`/v1/sessions/${String(session.body.id)}/authorize`, {}, `${reference}-authorize`);
      const outcome = String(decided.body.decision);
      if (decided.status !== 200 || !(outcome in counts)) throw new Error(`authorize ${decided.status}`);
      counts[outcome]! += 1;
    } catch (error) {
      counts.failed! += 1;
      if (counts.failed === 1) io.stderr.write(`replay: first failure: ${(error as Error).message}\n`);
    }
    if (!quiet && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      io.stderr.write(`replay ${sent}/${limit} orders | ${summary(counts)}\n`);
    }
  }
  lines.close();
  const elapsed = (performance.now() - started) / 1000;
  io.stdout.write(`replayed ${sent} orders in ${elapsed.toFixed(1)} s: ${summary(counts)}\n`);
  return counts.failed === sent && sent > 0 ? 1 : 0;
}

function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');
}
