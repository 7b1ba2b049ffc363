// Imported orders keep their person as live orders do: sealed once in a session under the subject's key, on both
// databases, through the admin import route; the state rebuild opens them and an erasure makes them unreadable.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/app.ts';
import { runCli } from '../../src/cli/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseKinds } from '../databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication, postImport } from '../application.ts';
import { readHistory } from '../../src/storage/history.reader.ts';

const person = {
  name: 'Gerrit Kooiman',
  email: 'gerrit.kooiman@example.nl',
  phone: '+31622233344',
  date_of_birth: '1966-02-19',
  iban: 'NL91ABNA0417164300',
};
const home = { street: 'Oudegracht', house_number: '158', postal_code: '3511AZ', city: 'Utrecht', country: 'NL' };
const needles = [person.name, person.email, person.phone, person.date_of_birth, person.iban, home.street];

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'order',
  id,
  placed_at: '2025-03-01T12:00:00Z',
  merchant: 'Fiets Shop',
  merchant_reference: id,
  amount: { value: 23900, currency: 'EUR' },
  customer: person,
  billing_address: home,
  device: { id: 'dev-gerrit', ip: '203.0.113.44' },
  outcome: 'paid_on_time',
  ...extra,
});
const history = [
  order('gk-1'),
  order('gk-2', { placed_at: '2025-04-01T12:00:00Z' }),
  // Someone without an e-mail gets a subject of their own, never one shared by everyone without one.
  order('anon-1', { customer: { name: 'Zonder Mail' }, billing_address: undefined, device: undefined }),
]
  .map((line) => JSON.stringify(line))
  .join('\n');

/** Text, JSON and byte columns of the tables an import writes that hold one of the values. */
async function columnsHolding(app: TestApplication, values: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [table, column, type] of [
    ['orders', 'input', 'jsonb'],
    ['sessions', 'input', 'jsonb'],
    ['sessions', 'sealed_input', 'bytea'],
    ['accounts', 'name', 'text'],
  ] as const) {
    const condition =
      type === 'bytea' ? `position(convert_to(v, 'UTF8') in ${column}) > 0` : `strpos(${column}::text, v) > 0`;
    const [row] = await app.database.query<{ hits: number }>(
      `SELECT count(*)::int AS hits FROM ${table}, unnest($1::text[]) AS v WHERE ${condition}`,
      [values],
    );
    if ((row?.hits ?? 0) > 0) found.push(`${table}.${column}`);
  }
  return found;
}

describe.each(databaseKinds)('imported orders sealed under their subject (%s)', (kind) => {
  let app: TestApplication | undefined;
  afterEach(async () => app?.close());

  async function importHistory() {
    const imported = await postImport(app!.server, history);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ imported: 3, rejected: [] });
  }

  it('keeps only the person-free copy in orders.input and the input once, as ciphertext, in its session', async () => {
    app = await makeTestApplication(kind);
    await importHistory();
    // Accounts and channels are sealed too (migration 190): no column holds a value in plain. The scan's own power to
    // find a planted value is shown by test/privacy/personal-data.storage.test.ts.
    expect(await columnsHolding(app, needles)).toEqual([]);
    const orders = await app.database.query<{
      external_id: string;
      input: Record<string, unknown>;
      session_input: Record<string, unknown>;
      subject_id: string;
      merchant_id: string | null;
      status: string;
    }>(
      `SELECT o.external_id, o.input, s.input AS session_input, s.subject_id, s.merchant_id, s.status
         FROM orders o JOIN sessions s ON s.id = o.session_id ORDER BY o.external_id`,
    );
    expect(orders.map((row) => row.external_id)).toEqual(['anon-1', 'gk-1', 'gk-2']);
    for (const row of orders) {
      expect(row.input).toEqual(row.session_input);
      expect(row).toMatchObject({ merchant_id: null, status: 'imported', subject_id: expect.stringMatching(/^sub_/) });
    }
    expect(orders[1]!.input).toMatchObject({
      merchant_reference: 'gk-1',
      amount: { value: 23900, currency: 'EUR' },
      pseudonyms: { email: expect.stringMatching(/^p_email_/), device: expect.stringMatching(/^p_device_/) },
    });
    // One subject (one key) per person: both of Gerrit's orders share it; the person without an e-mail has another.
    expect(orders[1]!.subject_id).toBe(orders[2]!.subject_id);
    expect(orders[0]!.subject_id).not.toBe(orders[1]!.subject_id);

    // A later checkout with the same e-mail is the same person: it finds the same subject, as checkout does.
    const session = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ customer: { name: person.name, email: person.email, phone: person.phone } }),
    });
    expect(session.statusCode).toBe(201);
    const [live] = await app.database.query<{ subject_id: string }>('SELECT subject_id FROM sessions WHERE id = $1', [
      session.json().id,
    ]);
    expect(live!.subject_id).toBe(orders[1]!.subject_id);
  });

  it('the state rebuild opens imported orders like live ones; after erasure they replay as the stand-in', async () => {
    app = await makeTestApplication(kind);
    await importHistory();
    const replayed = async () => {
      const found: unknown[] = [];
      for await (const event of readHistory(app!.database, { openInput: app!.personalData.open }))
        if (event.kind === 'order') found.push(event.session);
      return found;
    };
    expect(await replayed()).toContainEqual(
      expect.objectContaining({
        merchant_reference: 'gk-1',
        customer: expect.objectContaining({ email: person.email, date_of_birth: person.date_of_birth }),
        billing_address: home,
      }),
    );
    // The start path (state fields only) reads the same opened values: Gerrit's e-mail is a feature key again.
    const emailKeys: (string | null)[] = [];
    for await (const event of readHistory(app.database, { openInput: app.personalData.open, forState: true }))
      if (event.kind === 'normalised_order') emailKeys.push(event.keys.emailKey);
    expect(emailKeys).toContain(person.email);

    const erasure = await app.request('POST', '/v1/admin/erasure-requests', {
      key: adminKey,
      body: { reference: 'letter-gk', email: person.email },
    });
    expect(erasure.statusCode, erasure.body).toBe(201);
    expect(await app.erasure.scheduler.tick()).toMatchObject({ erasure_requests: 1 });
    const text = JSON.stringify(await replayed());
    for (const needle of needles) expect(text).not.toContain(needle);
    const [left] = await app.database.query<{ live: number }>(
      `SELECT count(*)::int AS live FROM sessions s JOIN subjects k ON k.id = s.subject_id
        WHERE s.status = 'imported' AND k.wrapped_key IS NOT NULL`,
    );
    // Only the person without an e-mail keeps a live key.
    expect(left!.live).toBe(1);
  });
});

describe('rearguard import (the command line, embedded database)', () => {
  it('seals the imported orders as the admin route does', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rearguard-import-sealing-'));
    try {
      const file = join(directory, 'history.ndjson');
      await writeFile(file, `${history}\n`);
      const env = {
        DATA_DIR: join(directory, 'data'),
        MASTER_KEYS: `cli:${randomBytes(32).toString('base64')}`,
        LOG_LEVEL: 'silent',
      };
      const stdout: string[] = [];
      const io = {
        stdout: { write: (text: string) => stdout.push(text) } as unknown as NodeJS.WritableStream,
        stderr: { write: () => true } as unknown as NodeJS.WritableStream,
        env,
      };
      expect(await runCli(['import', file], io)).toBe(0);
      expect(JSON.parse(stdout.join(''))).toMatchObject({ imported: 3, rejected: 0 });
      const loaded = loadConfig(env);
      if (!loaded.ok) throw new Error(loaded.errors.join());
      const database = await openDatabase(loaded.config);
      try {
        const [stored] = await database.query<{ orders: number; sealed: number; plain: number }>(
          `SELECT count(*)::int AS orders, count(s.sealed_input)::int AS sealed,
                  count(*) FILTER (WHERE strpos(o.input::text, $1) > 0
                    OR position(convert_to($1, 'UTF8') in s.sealed_input) > 0)::int AS plain
             FROM orders o LEFT JOIN sessions s ON s.id = o.session_id`,
          [person.email],
        );
        expect(stored).toEqual({ orders: 3, sealed: 3, plain: 0 });
      } finally {
        await database.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    // A fresh embedded database migrates from scratch, twice (the command, then the check): slow on a loaded machine.
  }, 180_000);
});
