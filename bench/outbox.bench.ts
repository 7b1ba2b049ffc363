// Outbox benchmark: how long a one-time code waits for the notifier while a merchant's webhook receivers hang.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { makeApplication } from '../src/app.ts';
import { seedDemo } from '../src/demo/demo.seed.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { enqueueWebhook } from '../src/webhooks/webhook.enqueue.ts';
import type { OutgoingMessage } from '../src/notify/notifier.ts';
import { quantile } from './stats.ts';
import { sha256 } from '../src/shared/hashing.ts';

export interface OutboxBenchOptions {
  /** Webhook messages queued for the silent receivers before the codes are requested. */
  readonly webhooks: number;
  readonly log: (line: string) => void;
}

const demoAddresses = [
  { email: 'anna@example.nl' },
  { phone: '+31612345678' },
  { email: 'bram.jansen@example.nl' },
  { phone: '+31623456789' },
  { email: 'chloe@example.com' },
  { phone: '+31634567890' },
];

export async function runOutboxBench(options: OutboxBenchOptions): Promise<Record<string, number>> {
  // Two receivers that accept the connection and never answer: each delivery runs into the full 10 s timeout.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const handedOver = new Map<string, number>();
  const recordingNotifier = {
    send: async (message: OutgoingMessage) => {
      if (message.kind === 'sign_in_code') handedOver.set(message.to, performance.now());
    },
  };
  const loaded = loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_TIMEOUT_MS: '10000' });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const application = await makeApplication(loaded.config, {
    database: await makePgliteDatabase(),
    notifiers: { email: recordingNotifier, sms: recordingNotifier },
  });
  try {
    const demo = await seedDemo(application);
    const merchant = await application.merchants.findByKeyHash(sha256(demo.merchantKey));
    if (!merchant) throw new Error('demo merchant missing');
    for (const path of ['/a', '/b']) {
      const response = await application.server.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${demo.merchantKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ url: `${silentUrl}${path}`, events: ['order.approved'] }),
      });
      if (response.statusCode !== 201) throw new Error(`webhook registration: ${response.body}`);
    }
    await application.database.transaction(async (tx) => {
      for (let index = 0; index < options.webhooks; index += 1) {
        await enqueueWebhook(tx, application.ids, {
          merchantId: merchant.id,
          event: 'order.approved',
          payload: { order_id: `ord_bench_${index}` },
          at: new Date(application.clock.now()),
        });
      }
    });
    application.outbox.start();
    // Let the webhook lane fill its slots with the silent receivers first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const waits: number[] = [];
    for (const address of demoAddresses) {
      const requested = performance.now();
      const response = await application.server.inject({
        method: 'POST',
        url: '/v1/me/sign-in',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(address),
      });
      if (response.statusCode !== 202) throw new Error(`sign-in: ${response.statusCode} ${response.body}`);
      const to = address.email ?? address.phone!;
      while (!handedOver.has(to) && performance.now() - requested < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      waits.push((handedOver.get(to) ?? Number.NaN) - requested);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [pending] = await application.database.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM outbox WHERE topic = 'webhook' AND status = 'pending'`,
    );
    options.log(
      `  ${waits.length} sign-in codes while ${options.webhooks * 2} webhooks to 2 silent receivers (10 s timeout) were queued`,
    );
    return {
      outbox_code_to_notifier_p50_ms: Math.round(quantile(waits, 0.5)),
      outbox_code_to_notifier_max_ms: Math.round(Math.max(...waits)),
      outbox_webhooks_still_pending: pending?.count ?? 0,
    };
  } finally {
    silent.closeAllConnections();
    silent.close();
    await application.close();
  }
}
