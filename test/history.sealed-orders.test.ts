// A start opens sealed orders only where it must: a repeated person is not decrypted again, and the state is the same.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, type TestApplication, postImport, testConfig } from './application.ts';
import { startBackgroundOpener, type BackgroundOpener } from '../src/privacy/background-opener.ts';
import { makeOnlineStateService } from '../src/risk/state/online-state.service.ts';
import type { SealedInputColumns } from '../src/privacy/personal-data.ts';
import type { Database, SqlValue } from '../src/storage/database.ts';
import type { SubjectKeyCache } from '../src/privacy/subject-store.ts';
import type { HistoryEvent } from '../src/risk/engine.ts';
import { makeMemoryFeatureState } from '../src/risk/state/memory.feature-state.ts';
import { readHistory, type HistoryRange } from '../src/storage/history.reader.ts';

const home = { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' };
const customer = { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' };
const order = (id: string, month: number, extra: Record<string, unknown> = {}) => ({
  type: 'order',
  id,
  placed_at: `2026-0${month}-01T10:00:00Z`,
  account_id: 'ext-anna',
  amount: { value: 1000 * month, currency: 'EUR' },
  customer,
  billing_address: home,
  device: { id: 'dev-anna', ip: '203.0.113.7' },
  outcome: 'paid_on_time',
  ...extra,
});
const history = [
  { type: 'account', id: 'ext-anna', created_at: '2026-01-01T10:00:00Z', ...customer, address: home },
  order('a1', 2),
  order('a2', 3),
  order('a3', 4),
  // The same sorted name words, another surname (the last meaningful word): must be opened, not taken as a repeat.
  order('a4', 5, { customer: { ...customer, name: 'Vries Anna de' } }),
  // Another device: opened as well, with the subject's key already unwrapped in this read.
  order('a5', 6, { device: { id: 'dev-anna-2', ip: '203.0.113.7' } }),
  order('a6', 7, { device: { id: 'dev-anna-2', ip: '203.0.113.7' } }),
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe.each(databaseKinds)('sealed orders on a start (%s)', (kind) => {
  let app: TestApplication | undefined;

  /** A fresh application with the history above imported through the admin API. */
  async function startWithHistory(): Promise<TestApplication> {
    const started = (app = await makeTestApplication(kind));
    const imported = await postImport(started.server, history);
    expect(imported.json()).toMatchObject({ imported: 7, rejected: [] });
    return started;
  }
  afterEach(async () => app?.close());

  /** The real opener, counting the orders it opens and those whose subject key the read had already unwrapped. */
  function countingOpener(open: NonNullable<HistoryRange['openInput']>) {
    const counts = { opened: 0, keyFromCache: 0 };
    const openInput = (row: SealedInputColumns, cache?: SubjectKeyCache) => {
      const keyFromCache = row.subject_id !== null && cache?.get(row.subject_id) !== undefined;
      const opened = open(row, cache);
      // Accounts' and channels' sealed values go through the same opener: only session inputs (orders) are counted.
      if (typeof opened !== 'object' || !('customer' in opened)) return opened;
      counts.opened += 1;
      if (keyFromCache) counts.keyFromCache += 1;
      return opened;
    };
    return { counts, openInput };
  }

  async function read(range: HistoryRange, database: Database = app!.database): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    for await (const event of readHistory(database, range)) events.push(event);
    return events;
  }

  /** The database, counting the sealed order inputs it sends (rows with a `sealed_input`) and the rows it sends. */
  function countingDatabase() {
    const sent = { sealedInputs: 0 };
    const database: Database = {
      ...app!.database,
      async query<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
        const rows = await app!.database.query<Row>(sql, params);
        for (const row of rows) if ((row as { sealed_input?: unknown }).sealed_input != null) sent.sealedInputs += 1;
        return rows;
      },
    };
    return { sent, database };
  }

  it('decrypts only orders that differ from the previous one and builds the state every order opened builds', async () => {
    app = await startWithHistory();

    const everyOrderOpened = await read({ openInput: app.personalData.open });
    const { counts, openInput } = countingOpener(app.personalData.open);
    const { sent, database } = countingDatabase();
    const forStart = await read({ openInput, forState: true }, database);
    // a1 (the first), a4 (another surname) and a5 (another device) are opened, a4 and a5 with the key a1 unwrapped;
    // a2, a3 and a6 repeat their previous order and are not decrypted.
    expect(counts).toEqual({ opened: 3, keyFromCache: 2 });
    // Nor sent: the database sends the sealed inputs of the three orders opened, not of all six.
    expect(sent.sealedInputs).toBe(3);

    const orders = forStart.flatMap((event) => (event.kind === 'normalised_order' ? [event] : []));
    expect(orders.map((event) => event.keys.amount)).toEqual([2000, 3000, 4000, 5000, 6000, 7000]);
    expect(orders.map((event) => event.keys.emailKey)).toEqual(Array(6).fill(customer.email));
    expect(orders[3]!.keys.nameHash).toBe(orders[0]!.keys.nameHash);
    expect(orders[3]!.keys.surnameHash).not.toBe(orders[0]!.keys.surnameHash);
    expect(orders.map((event) => event.keys.deviceKey)).toEqual([
      ...Array(4).fill('dev-anna'),
      'dev-anna-2',
      'dev-anna-2',
    ]);
    const fromInputs = makeMemoryFeatureState();
    const fromStart = makeMemoryFeatureState();
    for (const event of everyOrderOpened) fromInputs.applySync(event);
    for (const event of forStart) fromStart.applySync(event);
    expect(fromStart.exportData()).toEqual(fromInputs.exportData());

    // A shredded key (an erasure shreds it, then deletes the orders): nothing is opened and no remembered person comes
    // back; every order is its person-free stand-in.
    await app.database.query(
      "UPDATE subjects SET wrapped_key = NULL WHERE id IN (SELECT subject_id FROM sessions WHERE status = 'imported')",
    );
    const afterShredding = countingOpener(app.personalData.open);
    const erasedKeys = (await read({ openInput: afterShredding.openInput, forState: true })).flatMap((event) =>
      event.kind === 'normalised_order' ? [event.keys] : [],
    );
    expect(afterShredding.counts.opened).toBe(0);
    expect(erasedKeys).toHaveLength(6);
    expect(JSON.stringify(erasedKeys)).not.toContain(customer.email);
    expect(JSON.stringify(erasedKeys)).not.toContain('dev-anna');
  });

  it('opens on the background thread what it would open on the event loop, and the same erased stand-ins', async () => {
    app = await startWithHistory();
    const privacy = testConfig().privacy;
    const onLoop = await read({ openInput: app.personalData.open, forState: true });
    // The event loop's opener counts what reaches it: with the thread, no order, account or channel does.
    const loop = countingOpener(app.personalData.open);
    let loopOpens = 0;
    const openInput: NonNullable<HistoryRange['openInput']> = (row, cache) => {
      loopOpens += 1;
      return loop.openInput(row, cache);
    };
    const background = await startBackgroundOpener(privacy);
    try {
      const onThread = await read({ openInput, forState: true, background });
      expect(onThread).toEqual(onLoop);
      expect(loopOpens).toBe(0);
      expect(onThread.some((event) => event.kind === 'account' && event.email === customer.email)).toBe(true);
    } finally {
      await background.close();
    }
    // Shredded keys: the thread answers "erased" and the orders and the account become their stand-ins, as on the loop.
    await app.database.query('UPDATE subjects SET wrapped_key = NULL');
    const erasedOnLoop = await read({ openInput: app.personalData.open, forState: true });
    const again = await startBackgroundOpener(privacy);
    try {
      const erasedOnThread = await read({ openInput, forState: true, background: again });
      expect(erasedOnThread).toEqual(erasedOnLoop);
      expect(JSON.stringify(erasedOnThread)).not.toContain(customer.email);
      expect(JSON.stringify(erasedOnThread)).not.toContain('dev-anna');
    } finally {
      await again.close();
    }
    // A closed thread fails a read rather than answering nothing.
    await expect(
      again.openValues([{ subject_id: 's', master_key_id: 'k', wrapped_key: null, sealed_input: null }]),
    ).rejects.toThrow(/closed/);
  });

  it('an order whose sealed input went between its page and its fetch is its stand-in on the thread too', async () => {
    app = await startWithHistory();
    // The database as it is when a4's session lost its sealed input after the page was read (an erasure's race):
    // the fetch then sends no sealed input and the kept copy, as its statement does for such a row.
    const [kept] = await app.database.query<{ id: string; input: unknown }>(
      "SELECT id, input - 'lines' AS input FROM orders WHERE amount = 5000",
    );
    expect(kept).toBeDefined();
    const racing: Database = {
      ...app.database,
      async query<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
        const rows = await app!.database.query<Row>(sql, params);
        if (!sql.includes('unnest($1::text[])')) return rows;
        return rows.map((row) => {
          const fetched = row as Row & { id: string };
          return fetched.id === kept!.id ? { ...fetched, sealed_input: null, input: kept!.input } : fetched;
        });
      },
    };
    const orderKeys = (events: HistoryEvent[]) =>
      events.flatMap((event) => (event.kind === 'normalised_order' ? [event.keys] : []));
    const onLoop = orderKeys(await read({ openInput: app.personalData.open, forState: true }, racing));
    const background = await startBackgroundOpener(testConfig().privacy);
    try {
      const onThread = orderKeys(await read({ openInput: app.personalData.open, forState: true, background }, racing));
      expect(onThread).toEqual(onLoop);
      expect(onThread).toHaveLength(6);
      // a4 (the fourth) is the stand-in: none of the person's e-mail; the others are opened or repeated as before.
      expect(onThread[3]!.emailKey).not.toBe(customer.email);
      expect(onThread[2]!.emailKey).toBe(customer.email);
    } finally {
      await background.close();
    }
  });

  it("a start's rebuild opens on the thread, and on the event loop when the thread cannot start", async () => {
    app = await startWithHistory();
    const privacy = testConfig().privacy;
    const started = async (startBackground: () => Promise<BackgroundOpener>) => {
      const state = makeMemoryFeatureState();
      const lines: string[] = [];
      const service = makeOnlineStateService({
        database: app!.database,
        state,
        record: async (event) => state.applySync(event),
        recordsIntoState: true,
        snapshotPath: null,
        masterKeys: [],
        openInput: app!.personalData.open,
        startBackgroundOpener: startBackground,
        log: (_details, message) => lines.push(message),
      });
      const figures = await service.start();
      return { state, lines, figures };
    };
    const threads: BackgroundOpener[] = [];
    const onThread = await started(async () => {
      const opener = await startBackgroundOpener(privacy);
      threads.push(opener);
      return opener;
    });
    const onLoop = await started(() => Promise.reject(new Error('no thread here')));
    expect(threads).toHaveLength(1);
    expect(onThread.figures.replayedEvents).toBeGreaterThan(7);
    expect(onLoop.figures.replayedEvents).toBe(onThread.figures.replayedEvents);
    expect(onLoop.state.exportData()).toEqual(onThread.state.exportData());
    expect(onLoop.lines).toContain('opening thread not started: the rebuild opens on the event loop');
    expect(onThread.lines).not.toContain('opening thread not started: the rebuild opens on the event loop');
    // The rebuild ended the thread it started: no unwrapped key outlives the read.
    await expect(
      threads[0]!.openValues([{ subject_id: 's', master_key_id: 'k', wrapped_key: null, sealed_input: null }]),
    ).rejects.toThrow(/closed/);
  });

  it('reads plain inputs (orders from before sealing) for the state as it reads their whole input', async () => {
    app = await startWithHistory();
    // Two orders of the same account whose input was never sealed: every field the state reads, and few of them.
    const [account] = await app.database.query<{ id: string }>('SELECT account_id AS id FROM orders LIMIT 1');
    const full = {
      amount: { value: 4321, currency: 'EUR' },
      merchant_reference: 'plain-full',
      lines: [],
      customer: {
        name: 'Bram Jansen',
        email: 'Bram.Jansen@Example.nl',
        phone: '06 1234 5678',
        iban: 'NL91ABNA0417164300',
      },
      billing_address: home,
      shipping_address: { ...home, street: 'Rokin', house_number: '12' },
      device: { id: ' dev-bram ', ip: '198.51.100.4' },
    };
    const sparse = {
      amount: { value: 99, currency: 'EUR' },
      merchant_reference: 'plain-sparse',
      lines: [],
      customer,
      billing_address: home,
    };
    for (const [id, input, month] of [
      ['plain-full', full, 8],
      ['plain-sparse', sparse, 9],
    ] as const)
      await app.database.query(
        `INSERT INTO orders (id, account_id, merchant_name, source, status, amount, currency, input, placed_at)
         VALUES ($1, $2, 'import', 'import', 'open', $3, 'EUR', $4::jsonb, $5)`,
        [id, account!.id, input.amount.value, JSON.stringify(input), `2026-0${month}-01T10:00:00Z`],
      );

    const everyInput = await read({ openInput: app.personalData.open });
    const forStart = await read({ openInput: app.personalData.open, forState: true });
    const keysOf = (id: string) =>
      forStart.flatMap((event) => (event.kind === 'normalised_order' && event.orderId === id ? [event.keys] : []))[0];
    expect(keysOf('plain-full')).toMatchObject({
      amount: 4321,
      emailKey: 'bram.jansen@example.nl',
      deviceKey: 'dev-bram',
      ip: '198.51.100.4',
      ibanKey: 'NL91ABNA0417164300',
    });
    expect(keysOf('plain-full')!.shippingKey).not.toBe(keysOf('plain-full')!.billingKey);
    expect(keysOf('plain-sparse')).toMatchObject({ amount: 99, deviceKey: null, ip: null, ibanKey: null });
    expect(keysOf('plain-sparse')!.shippingKey).toBe(keysOf('plain-sparse')!.billingKey);
    const fromInputs = makeMemoryFeatureState();
    const fromStart = makeMemoryFeatureState();
    for (const event of everyInput) fromInputs.applySync(event);
    for (const event of forStart) fromStart.applySync(event);
    expect(fromStart.exportData()).toEqual(fromInputs.exportData());
  });
});
