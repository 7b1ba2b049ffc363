// Three real server processes under load on one PostgreSQL; one is killed (SIGKILL) mid-load. Every acknowledged
// decision and order is in the database, and no webhook or message goes out twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionBody } from './application.ts';
import {
  clusterAdminKey,
  createClusterDatabase,
  demoMerchantKey,
  randomPort,
  startServerProcess,
  stopServerProcess,
  type ServerProcess,
} from './cluster.helpers.ts';
import { postgresUrl } from './databases.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

if (!postgresUrl)
  console.log('scale-out kill test skipped: DATABASE_URL is not set (several processes need PostgreSQL)');

const checkouts = 90;
const day = 86_400_000;
/** Each customer has a home of their own: many accounts at one address would itself look like fraud. */
const addressOf = (index: number) => ({
  street: 'Damrak',
  house_number: String(index + 1),
  postal_code: '1012LG',
  city: 'Amsterdam',
  country: 'NL',
});
/** Their own IP too. */
const ipOf = (index: number) => `203.0.${113 + Math.floor(index / 200)}.${(index % 200) + 1}`;
const customer = (index: number) => ({
  name: `Klant ${index}`,
  email: `klant${index}@example.nl`,
  phone: `+316${String(20_000_000 + index)}`,
});

function history(): string {
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
  const lines: object[] = [];
  for (let index = 0; index < checkouts; index++) {
    lines.push({
      type: 'account',
      id: `kill-${index}`,
      created_at: at(400),
      ...customer(index),
      address: addressOf(index),
      email_verified_at: at(400),
      phone_verified_at: at(400),
    });
  }
  for (const daysAgo of [300, 200, 100]) {
    for (let index = 0; index < checkouts; index++) {
      lines.push({
        type: 'order',
        id: `kill-history-${daysAgo}-${index}`,
        placed_at: at(daysAgo),
        account_id: `kill-${index}`,
        amount: { value: 4_000, currency: 'EUR' },
        customer: customer(index),
        billing_address: addressOf(index),
        shipping_address: addressOf(index),
        device: { id: `dev-kill-${index}`, ip: ipOf(index), user_agent: 'Mozilla/5.0' },
        outcome: 'paid_on_time',
        outcome_at: at(daysAgo - 10),
      });
    }
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

describe.skipIf(!postgresUrl)('killing one of three processes under load', () => {
  let database: Awaited<ReturnType<typeof createClusterDatabase>>;
  let client: pg.Client;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const servers: ServerProcess[] = [];
  const merchant = { authorization: `Bearer ${demoMerchantKey}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    database = await createClusterDatabase(postgresUrl!);
    receiver = await startWebhookReceiver();
    const port = randomPort();
    const environment = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' };
    servers.push(await startServerProcess(database.url, port, environment));
    servers.push(
      ...(await Promise.all([
        startServerProcess(database.url, port + 1, environment),
        startServerProcess(database.url, port + 2, environment),
      ])),
    );
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const registered = await fetch(`${servers[0]!.base}/v1/webhooks`, {
      method: 'POST',
      headers: { ...merchant, 'idempotency-key': 'kill-test-webhook' },
      body: JSON.stringify({ url: receiver.url, events: ['order.approved'] }),
    });
    expect(registered.status).toBe(201);
    // Returning customers with paid history on the device they buy from, so their checkouts are approved.
    const imported = await fetch(`${servers[0]!.base}/v1/admin/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clusterAdminKey}`, 'content-type': 'application/x-ndjson' },
      body: history(),
    });
    expect(imported.status).toBe(200);
  }, 300_000);
  afterAll(async () => {
    await client?.end();
    await Promise.all(servers.map(stopServerProcess));
    await receiver?.close();
    await database?.drop();
  }, 60_000);

  /** One customer's checkout through `server`; the acknowledged decision, or null when the server did not answer. */
  async function checkout(server: ServerProcess, index: number) {
    const amount = 1_500 + index;
    const body = sessionBody({
      merchant_reference: `kill-${index}`,
      amount: { value: amount, currency: 'EUR' },
      lines: [{ name: 'Socks', quantity: 1, unit_price: amount, category: 'fashion' }],
      customer: customer(index),
      billing_address: addressOf(index),
      shipping_address: addressOf(index),
      device: { id: `dev-kill-${index}`, ip: ipOf(index), user_agent: 'Mozilla/5.0' },
    });
    try {
      const created = await fetch(`${server.base}/v1/sessions`, {
        method: 'POST',
        headers: { ...merchant, 'idempotency-key': `kill-session-${index}` },
        body: JSON.stringify(body),
      });
      if (created.status !== 201) return null;
      const session = (await created.json()) as { id: string };
      const authorized = await fetch(`${server.base}/v1/sessions/${session.id}/authorize`, {
        method: 'POST',
        headers: { authorization: merchant.authorization, 'idempotency-key': `kill-authorize-${index}` },
      });
      if (authorized.status !== 200) return null;
      const answer = (await authorized.json()) as { decision: string; order?: { id: string } };
      return { sessionId: session.id, ...answer };
    } catch {
      return null; // the connection broke: nothing was acknowledged
    }
  }

  it('loses no acknowledged order, delivers every webhook, and resends only what the killed process had in flight', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const acknowledged: NonNullable<Awaited<ReturnType<typeof checkout>>>[] = [];
    let next = 0;
    let killed = false;
    let killedAt = 0;
    // Four clients round-robin over the three processes; the third process dies a third of the way in.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < checkouts) {
          const index = next++;
          if (index === Math.floor(checkouts / 3) && !killed) {
            killed = true;
            killedAt = Date.now();
            c.child.kill('SIGKILL');
          }
          const server = [a, b, c][index % 3]!;
          const decided = await checkout(server, index);
          if (decided) acknowledged.push(decided);
        }
      }),
    );
    expect(killed).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(checkouts / 2);
    console.log(`kill test: ${acknowledged.length} of ${checkouts} checkouts acknowledged (one process killed)`);

    // Every acknowledged decision is stored with its outcome, and every acknowledged order exists.
    const { rows: decisions } = await client.query<{ session_id: string; outcome: string }>(
      'SELECT session_id, outcome FROM decisions WHERE session_id = ANY($1::text[])',
      [acknowledged.map((decided) => decided.sessionId)],
    );
    const stored = new Map(decisions.map((row) => [row.session_id, row.outcome]));
    for (const decided of acknowledged) expect(stored.get(decided.sessionId)).toBe(decided.decision);
    const orderIds = acknowledged.flatMap((decided) => (decided.order ? [decided.order.id] : []));
    const outcomes: Record<string, number> = {};
    for (const decided of acknowledged) outcomes[decided.decision] = (outcomes[decided.decision] ?? 0) + 1;
    console.log(`kill test: outcomes ${JSON.stringify(outcomes)}`);
    expect(orderIds.length).toBeGreaterThan(0);
    const { rows: orders } = await client.query<{ id: string }>('SELECT id FROM orders WHERE id = ANY($1::text[])', [
      orderIds,
    ]);
    expect(orders.length).toBe(orderIds.length);

    // The outbox is drained by the survivors; a lease the dead process held expires and is taken over (60 s).
    const pending = async () =>
      Number(
        (await client.query<{ count: string }>("SELECT count(*) FROM outbox WHERE status = 'pending'")).rows[0]!.count,
      );
    await expect.poll(pending, { timeout: 120_000, interval: 500 }).toBe(0);

    // One webhook row per approved order, and the receiver heard each event once.
    const { rows: webhookRows } = await client.query<{ event_id: string }>(
      "SELECT payload->>'event_id' AS event_id FROM outbox WHERE topic = 'webhook'",
    );
    const eventIds = webhookRows.map((row) => row.event_id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const heard = receiver.received.map((webhook) => String(webhook.headers['rearguard-event-id']));
    const heardTwice = heard.filter((id, index) => heard.indexOf(id) !== index);
    console.log(
      `kill test: ${heard.length} webhooks heard for ${eventIds.length} events; repeated: ${heardTwice.length}`,
    );
    // No live process ever delivers what another holds. The one resend a crash allows: a webhook the killed process
    // handed to the receiver but died before marking delivered. Nobody can know whether the receiver got it, so a
    // survivor sends it again once the dead process's lease ends, with the same event id (receivers deduplicate by
    // Rearguard-Event-Id). Each repeat must be exactly that: heard first before the kill, again a lease later, and
    // no more of them than one process delivers at once.
    for (const id of new Set(heardTwice)) {
      const times = receiver.received
        .filter((webhook) => webhook.headers['rearguard-event-id'] === id)
        .map((webhook) => webhook.at);
      expect(times.length, `event ${id} heard ${times.length} times`).toBe(2);
      expect(times[0]!, `event ${id} first heard after the kill`).toBeLessThanOrEqual(killedAt + 1_000);
      expect(times[1]! - times[0]!, `event ${id} resent before a lease could end`).toBeGreaterThanOrEqual(30_000);
    }
    expect(heardTwice.length).toBeLessThanOrEqual(16); // one lane delivers at most 16 at once (src/outbox/outbox.ts)
    expect(new Set(heard)).toEqual(new Set(eventIds));
    // Messages ("was this you?") exist once per approved order, whichever process wrote them.
    const { rows: messages } = await client.query<{ recipient: string; count: string }>(
      "SELECT recipient, payload->>'kind' AS kind, count(*) FROM outbox WHERE topic <> 'webhook' GROUP BY 1, 2 HAVING count(*) > 1",
    );
    expect(messages).toEqual([]);
  }, 400_000);
});
