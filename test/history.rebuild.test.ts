// The online state is derived: rebuilt from the database on start, it gives the same features as the state
// that was kept up to date live (imports, live approvals, payments, preferences).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, sessionBody, testConfig, type TestApplication, postImport } from './application.ts';
import { makeApplication } from '../src/app.ts';
import { readHistory } from '../src/storage/history.reader.ts';
import type { HistoryEvent } from '../src/risk/engine.ts';
import { makeMemoryFeatureState } from '../src/risk/state/memory.feature-state.ts';

describe.each(databaseKinds)('online state rebuild on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('replays stored history in time order and reproduces the live state', async () => {
    const account = {
      type: 'account',
      id: 'ext-1',
      created_at: '2026-01-05T10:00:00Z',
      name: 'Anna de Vries',
      email: 'anna@example.nl',
      phone: '+31612345678',
      address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
    };
    const order = (id: string, placedAt: string, outcome: string) => ({
      type: 'order',
      id,
      placed_at: placedAt,
      account_id: 'ext-1',
      amount: { value: 5000, currency: 'EUR' },
      customer: { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' },
      billing_address: account.address,
      device: { id: 'dev-anna-1', ip: '203.0.113.7' },
      outcome,
      outcome_at: new Date(Date.parse(placedAt) + 9 * 86_400_000).toISOString(),
    });
    const ndjson = [
      account,
      order('h1', '2026-03-01T10:00:00Z', 'paid_on_time'),
      order('h2', '2026-05-01T10:00:00Z', 'paid_late'),
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const imported = await postImport(app.server, ndjson);
    expect(imported.json().imported).toBe(3);
    for (const reference of ['live-1', 'live-2']) {
      app.clock.advance(3_600_000);
      const session = (
        await app.request('POST', '/v1/sessions', {
          body: sessionBody({
            merchant_reference: reference,
            amount: { value: 4500, currency: 'EUR' },
            lines: [{ name: 'Shirt', quantity: 1, unit_price: 4500 }],
          }),
        })
      ).json();
      await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    }
    const [stored] = await app.database.query<{ id: string }>("SELECT id FROM accounts WHERE external_id = 'ext-1'");
    await app.database.query('UPDATE accounts SET always_verify = true, always_verify_at = $2 WHERE id = $1', [
      stored!.id,
      new Date(app.clock.now()),
    ]);
    await app.engine.record({ kind: 'preference', accountId: stored!.id, at: app.clock.now(), alwaysVerify: true });

    // Opened as a start opens them: imports and live orders keep their person sealed in their sessions.
    const openInput = app.personalData.open;
    const events: HistoryEvent[] = [];
    for await (const event of readHistory(app.database, { openInput })) events.push(event);
    const times = events.map((event) => event.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const kinds = new Set(events.map((event) => event.kind));
    expect([...kinds].sort()).toEqual(['account', 'channel', 'order', 'payment', 'preference']);

    // What a start reads (orders as their normalised keys, not their input) builds the very same state.
    const forState: HistoryEvent[] = [];
    for await (const event of readHistory(app.database, { openInput, forState: true })) forState.push(event);
    const shape = (event: HistoryEvent) => [event.kind === 'normalised_order' ? 'order' : event.kind, event.at];
    expect(forState.map(shape)).toEqual(events.map(shape));
    expect(forState.filter((event) => event.kind === 'normalised_order')).toHaveLength(4);
    const fromInput = makeMemoryFeatureState();
    const fromKeys = makeMemoryFeatureState();
    for (const event of events) fromInput.applySync(event);
    for (const event of forState) fromKeys.applySync(event);
    expect(fromKeys.exportData()).toEqual(fromInput.exportData());
    // Opened, not replayed as erased stand-ins: each sealed order's e-mail is its key again.
    const emailKeys = forState.flatMap((event) => (event.kind === 'normalised_order' ? [event.keys.emailKey] : []));
    expect(emailKeys).toEqual(Array(4).fill('anna@example.nl'));

    // A second server over the same database rebuilds its state from it and decides identically.
    const restarted = await makeApplication(testConfig(), {
      database: app.database,
      clock: app.clock,
      defaultModelPath: null, // as the live test application: the same ruleset-only scoring on both sides
    });
    expect(restarted.rebuiltEvents).toBe(events.length);
    app.clock.advance(60_000);
    const input = {
      sessionId: 'ses_probe',
      merchantId: app.merchant.id,
      merchantName: 'Test Shop',
      at: app.clock.now(),
      session: sessionBody({ merchant_reference: 'probe' }) as Parameters<typeof app.engine.decide>[0]['session'],
    };
    const live = await app.engine.decide(input);
    const rebuilt = await restarted.engine.decide(input);
    expect(rebuilt.features).toEqual(live.features);
    expect(rebuilt.outcome).toBe(live.outcome);
    expect(live.features.account_always_verify).toBe(true);
    await restarted.outbox.stop();
    await restarted.protection.stop();
    await restarted.server.close();
  });
});
