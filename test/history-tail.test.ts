// Two server instances on one PostgreSQL: facts committed through one reach the other's decisions within 100 ms.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApplication } from '../src/app.ts';
import { makePostgresDatabase } from '../src/storage/postgres.database.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { historyMark } from '../src/storage/history.reader.ts';
import { makeScheduler } from '../src/protection/protection.scheduler.ts';
import { makeHistoryTail } from '../src/risk/state/history-tail.service.ts';
import type { HistoryEvent } from '../src/risk/engine.ts';
import { adminKey, sessionBody, testConfig } from './application.ts';
import { postgresUrl } from './databases.ts';

if (!postgresUrl) console.log('history tail tests skipped: DATABASE_URL is not set (the tail is PostgreSQL only)');

type Application = Awaited<ReturnType<typeof makeApplication>>;

describe.skipIf(!postgresUrl)('history tail across two instances', () => {
  const schema = `rg_tail_${randomBytes(5).toString('hex')}`;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
  let first: Application;
  let second: Application;
  let merchantKey = '';
  let merchantId = '';

  async function instance(): Promise<Application> {
    const database = await makePostgresDatabase({ url: postgresUrl!, schema, poolSize: 4 });
    return makeApplication(testConfig(), { database, clock, defaultModelPath: null });
  }

  beforeAll(async () => {
    first = await instance();
    second = await instance();
    const merchant = await first.merchants.create('Tail Shop');
    merchantKey = merchant.api_key;
    merchantId = merchant.id;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  async function order(application: Application, reference: string, device: string, ip = '203.0.113.9') {
    const headers = { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json' };
    const body = sessionBody({
      merchant_reference: reference,
      amount: { value: 2500, currency: 'EUR' },
      lines: [{ name: 'Book', quantity: 1, unit_price: 2500 }],
      device: { id: device, ip, user_agent: 'Mozilla/5.0' },
    });
    const session = await application.server.inject({ method: 'POST', url: '/v1/sessions', headers, payload: body });
    const decided = await application.server.inject({
      method: 'POST',
      url: `/v1/sessions/${session.json().id}/authorize`,
      headers: { authorization: headers.authorization },
    });
    return decided.json() as { decision: string; order?: { id: string } };
  }

  function probe(application: Application, device: string) {
    return application.engine.decide({
      sessionId: 'ses_probe',
      merchantId,
      merchantName: 'Tail Shop',
      // A second after the last fact: the state answers for what happened strictly before `at`.
      at: clock.now() + 1_000,
      session: sessionBody({
        merchant_reference: 'probe',
        device: { id: device, ip: '203.0.113.9', user_agent: 'Mozilla/5.0' },
      }) as Parameters<Application['engine']['decide']>[0]['session'],
    });
  }

  it('shows orders placed through one instance in the other instance’s next decision within 100 ms', async () => {
    const device = `dev-tail-${randomBytes(3).toString('hex')}`;
    const latencies: number[] = [];
    for (let index = 1; index <= 3; index++) {
      clock.advance(60_000);
      const decided = await order(first, `tail-${index}`, device);
      expect(decided.order).toBeDefined();
      const acknowledged = performance.now();
      let seen = -1;
      while (performance.now() - acknowledged < 2_000) {
        if ((await probe(second, device)).features.velocity_device_orders_1h === index) {
          seen = performance.now() - acknowledged;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(seen);
    }
    console.log(
      `history tail: order through A visible in B's decisions after ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms`,
    );
    // The target is 100 ms. On a machine loaded past twice its cores (a shared CI box) the target is printed but only
    // a bound of one second is held; otherwise the median must make it and every one must arrive inside a second.
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const latency of latencies) {
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(1_000);
    }
    if (loadavg()[0]! < 2 * availableParallelism()) expect(sorted[1]).toBeLessThan(100);
    else
      console.log(
        `history tail: load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores, 100 ms target not asserted`,
      );
  });

  it('applies a fact whose number is lower than one already read, when its transaction commits later', async () => {
    const device = `dev-late-${randomBytes(3).toString('hex')}`;
    const [account] = await first.database.query<{ id: string }>('SELECT id FROM accounts LIMIT 1');
    // A transaction draws a history number and holds it open while a later number commits and is read.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = first.database.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO orders (id, account_id, merchant_name, source, status, amount, currency, input, placed_at)
         SELECT 'ord_late_' || $1, $2, 'Tail Shop', 'live', status, amount, currency,
                -- A plain input, as an imported order has (live orders seal theirs in the session).
                jsonb_build_object('amount', input->'amount', 'merchant_reference', 'late', 'lines', input->'lines',
                  'customer', jsonb_build_object('name', 'Late Tail', 'email', 'late@example.nl', 'phone', '+31600000001'),
                  'billing_address', jsonb_build_object('street', 'Damrak', 'house_number', '1',
                    'postal_code', '1012LG', 'city', 'Amsterdam', 'country', 'NL'),
                  'device', jsonb_build_object('id', $1::text, 'ip', '203.0.113.9')), $3
         FROM orders LIMIT 1`,
        [device, account!.id, new Date(clock.now())],
      );
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(1_000);
    await order(first, 'after-the-slow-one', `dev-other-${device}`);
    await second.historyTail!.catchUp();
    const lowWater = second.historyTail!.figures().lowWater;
    expect(lowWater).toBeLessThan(await historyMark(second.database));
    release();
    await slow;
    const committed = performance.now();
    let seen = false;
    while (performance.now() - committed < 1_000 && !seen) {
      seen = (await probe(second, device)).features.velocity_device_orders_1h === 1;
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen).toBe(true);
  });

  it('settles its mark past a long transaction in another database, and skips the wake-ups of its own commits', async () => {
    // A writing transaction left open in another database on the same server (an import, another application).
    const elsewhere = new pg.Client({ connectionString: new URL('/postgres', postgresUrl).toString() });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const skippedBefore = first.historyTail!.figures().ownWakeUpsSkipped;
      const roundsBefore = second.historyTail!.figures().rounds;
      // Hours later: the account's earlier orders in this suite no longer count as a burst.
      clock.advance(3 * 3_600_000);
      // A connection of its own: the suite's shared one has placed orders enough to be asked for a step-up.
      const device = `dev-long-${randomBytes(3).toString('hex')}`;
      const decided = await order(first, 'beside-a-long-transaction', device, '198.51.100.23');
      expect(decided.order).toBeDefined();
      const mark = await historyMark(first.database);
      // Settling takes two rounds after the facts' transactions end; other tests on this database may hold it briefly.
      const deadline = performance.now() + 5_000;
      while (second.historyTail!.figures().lowWater < mark && performance.now() < deadline) {
        await second.historyTail!.catchUp();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(second.historyTail!.figures().lowWater).toBeGreaterThanOrEqual(mark);
      // The order's notification woke the other instance and was recognised by the one that committed it.
      await expect
        .poll(() => first.historyTail!.figures().ownWakeUpsSkipped, { timeout: 1_000 })
        .toBeGreaterThan(skippedBefore);
      expect(second.historyTail!.figures().rounds).toBeGreaterThan(roundsBefore);
    } finally {
      await elsewhere.query('ROLLBACK').catch(() => undefined);
      await elsewhere.end();
    }
  });

  it('follows a ruleset activated and a list entry added through the other instance', async () => {
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const version = `tail-${randomBytes(3).toString('hex')}`;
    const created = await first.server.inject({
      method: 'POST',
      url: '/v1/admin/rulesets',
      headers: { ...admin, 'idempotency-key': version },
      payload: { ruleset: { ...first.rulesets.current(), version }, activate: true },
    });
    expect(created.statusCode).toBe(201);
    await expect.poll(() => second.rulesets.current().version, { timeout: 100, interval: 2 }).toBe(version);

    const device = `dev-blocked-${randomBytes(3).toString('hex')}`;
    expect((await probe(second, device)).outcome).not.toBe('declined');
    const listed = await first.server.inject({
      method: 'POST',
      url: '/v1/admin/lists',
      headers: { ...admin, 'idempotency-key': device },
      payload: { list: 'block', kind: 'device', value: device, reason: 'scale-out test' },
    });
    expect(listed.statusCode).toBe(201);
    await expect
      .poll(async () => (await probe(second, device)).outcome, { timeout: 100, interval: 2 })
      .toBe('declined');
  });

  it('holds the staff sign-in limit across both instances (the counters live in PostgreSQL, not in a process)', async () => {
    // 60 per 15 minutes per address: alternate instances; the 61st attempt is refused by whichever one gets it.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 61; attempt++) {
      const application = attempt % 2 === 0 ? first : second;
      const response = await application.server.inject({
        method: 'POST',
        url: '/v1/ops/sign-in/options',
        remoteAddress: '198.51.100.77',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });

  /** Rounds until the tail's low-water mark passes every number handed out so far. */
  async function settle(application: Application) {
    const mark = await historyMark(application.database);
    const deadline = performance.now() + 5_000;
    while (application.historyTail!.figures().lowWater < mark && performance.now() < deadline) {
      await application.historyTail!.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(application.historyTail!.figures().lowWater).toBeGreaterThanOrEqual(mark);
  }

  it('reads back none of its own facts in its rounds, and the other instance’s facts all', async () => {
    clock.advance(3 * 3_600_000);
    await Promise.all([settle(first), settle(second)]);
    const before = [first, second].map((application) => application.historyTail!.figures().applied);
    const device = `dev-own-${randomBytes(3).toString('hex')}`;
    const decided = await order(first, 'own-facts', device, '198.51.100.41');
    expect(decided.order).toBeDefined();
    await Promise.all([settle(first), settle(second)]);
    // Its own checkout it recorded when it committed; the rounds that moved its mark past it read none of it.
    expect(first.historyTail!.figures().applied).toBe(before[0]);
    expect((await probe(first, device)).features.velocity_device_orders_1h).toBe(1);
    expect(second.historyTail!.figures().applied).toBeGreaterThan(before[1]!);
    expect((await probe(second, device)).features.velocity_device_orders_1h).toBe(1);

    // A row first wrote, changed through the other instance: a fact of the other instance's, so first reads it.
    await second.database.query(
      'UPDATE accounts SET always_verify = true, always_verify_at = $2 WHERE id = (SELECT account_id FROM orders WHERE id = $1)',
      [decided.order!.id, new Date(clock.now())],
    );
    await settle(first);
    expect(first.historyTail!.figures().applied).toBeGreaterThan(before[0]!);
  });

  it('reads its own facts back once after a connection failure, which may have hidden a commit it never recorded', async () => {
    // A tail of first's writer that records into a list, and facts first writes but never records: commits whose
    // answer was lost on the way back.
    let failures = 0;
    const recorded: HistoryEvent[] = [];
    const tail = makeHistoryTail({
      database: { ...first.database, connectionFailures: () => failures },
      record: async (event) => void recorded.push(event),
      pollMilliseconds: 60_000,
      log: () => undefined,
    });
    const unrecordedLabel = async () => {
      const id = `lbl_lost_${randomBytes(4).toString('hex')}`;
      await first.database.query(
        `INSERT INTO labels (id, order_id, label, known_at) SELECT $1, id, 'legit', $2 FROM orders LIMIT 1`,
        [id, new Date(clock.now())],
      );
      const [row] = await first.database.query<{ order_id: string }>('SELECT order_id FROM labels WHERE id = $1', [id]);
      return row!.order_id;
    };
    const recordedLabelOf = (orderId: string) =>
      recorded.some((event) => event.kind === 'label' && event.orderId === orderId);
    await tail.start(await historyMark(first.database));
    try {
      const lost = await unrecordedLabel();
      const mark = await historyMark(first.database);
      while (tail.figures().lowWater < mark) await tail.catchUp();
      expect(recordedLabelOf(lost)).toBe(false);
      failures += 1;
      await tail.catchUp();
      expect(recordedLabelOf(lost)).toBe(true);
      expect(tail.figures().ownRereads).toBe(1);
      // Once: the next rounds leave its own facts out again.
      recorded.length = 0;
      await unrecordedLabel();
      await tail.catchUp();
      expect(recorded).toEqual([]);
    } finally {
      await tail.stop();
    }
  });

  it('runs no poll rounds while subscribed and only its own facts come, yet reads back after a connection failure', async () => {
    let failures = 0;
    let heard: (payload: string | null) => void = () => {};
    const tail = makeHistoryTail({
      database: {
        ...first.database,
        connectionFailures: () => failures,
        listen: (channel, onNotify) => {
          heard = onNotify;
          return first.database.listen!(channel, onNotify);
        },
      },
      record: async () => undefined,
      pollMilliseconds: 20,
      log: () => undefined,
    });
    const ownLabel = () =>
      first.database.query(
        `INSERT INTO labels (id, order_id, label, known_at) SELECT $1, id, 'legit', $2 FROM orders LIMIT 1`,
        [`lbl_own_${randomBytes(4).toString('hex')}`, new Date(clock.now())],
      );
    const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
    await order(first, 'tail-poll', 'device-tail-poll'); // an order for the labels to name
    await tail.start(await historyMark(first.database));
    try {
      const rounds = tail.figures().rounds;
      // The mark keeps moving with this process's own commits: a poll every 20 ms used to answer each with a round.
      for (let step = 0; step < 10; step += 1) {
        await ownLabel();
        await pause(30);
      }
      expect(tail.figures().rounds).toBe(rounds);
      failures += 1;
      const since = performance.now();
      while (tail.figures().ownRereads === 0 && performance.now() - since < 2_000) await pause(10);
      expect(tail.figures().ownRereads).toBe(1);
      // The listener lost its connection (commits meanwhile went unheard): the poll runs rounds again.
      const roundsBeforeGap = tail.figures().rounds;
      heard(null);
      for (let step = 0; step < 10; step += 1) {
        await ownLabel();
        await pause(30);
      }
      expect(tail.figures().rounds).toBeGreaterThanOrEqual(roundsBeforeGap + 3);
    } finally {
      await tail.stop();
    }
  });

  it('runs a scheduled task in one instance at a time', async () => {
    let running = 0;
    let overlapped = false;
    const slowTask = {
      name: `slow-${randomBytes(3).toString('hex')}`,
      async run() {
        running += 1;
        if (running > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 200));
        running -= 1;
        return 1;
      },
    };
    const schedulers = [first, second].map((application) =>
      makeScheduler({ tasks: [slowTask], database: application.database }),
    );
    const counts = await Promise.all(schedulers.map((scheduler) => scheduler.tick()));
    expect(overlapped).toBe(false);
    expect(counts.map((count) => count[slowTask.name]).sort()).toEqual([0, 1]);
  });
});
