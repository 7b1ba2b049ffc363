// History import under hostile input: every bad line is reported and skipped, no line can abort its batch, a
// line is capped in length, and IMPORT_LIMIT_BYTES stops an HTTP import that runs over.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication, postImport } from '../application.ts';
import { databaseKinds, makeTestDatabase } from '../databases.ts';
import { splitLines } from '../../src/ingest/import.parser.ts';
import type { Database } from '../../src/storage/database.ts';

const account = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'account',
  id,
  created_at: '2025-01-02T09:00:00Z',
  name: 'Anna de Vries',
  email: `${id}@example.nl`,
  ...extra,
});
const order = (id: string, accountId: string, extra: Record<string, unknown> = {}) => ({
  type: 'order',
  id,
  placed_at: '2025-02-01T12:00:00Z',
  account_id: accountId,
  amount: { value: 12900, currency: 'EUR' },
  outcome: 'paid_on_time',
  ...extra,
});
const ndjson = (records: readonly unknown[]) => records.map((record) => JSON.stringify(record)).join('\n');

/** A database that refuses (as PostgreSQL would, SQLSTATE 22008) any statement carrying the marker text. */
function refusing(database: Database, marker: string): Database {
  const refuse = (params: readonly unknown[] | undefined) => {
    if (JSON.stringify(params ?? []).includes(marker)) {
      throw Object.assign(new Error('date/time field value out of range'), { code: '22008' });
    }
  };
  return {
    ...database,
    query: async (text, params) => (refuse(params), database.query(text, params)),
    transaction: (work) =>
      database.transaction((tx) =>
        work({ ...tx, query: async (text, params) => (refuse(params), tx.query(text, params)), exec: tx.exec }),
      ),
  };
}

describe.each(databaseKinds)('import of hostile lines (%s)', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind, {}, { IMPORT_LIMIT_BYTES: '4096' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('reports NUL, surrogates, year 0000 and impossible dates line by line and imports the rest of the batch', async () => {
    const text = [
      JSON.stringify(account('a-1')),
      JSON.stringify(account('a-2', { date_of_birth: '0000-01-01' })),
      JSON.stringify(account('a-3', { name: 'Anna\u0000' })),
      '{"type":"account","id":"a-4\\ud800","created_at":"2025-01-02T09:00:00Z"}',
      JSON.stringify(order('o-1', 'a-1', { placed_at: '0000-01-01T00:00:00Z' })),
      JSON.stringify(order('o-2', 'a-1', { outcome_at: '2025-02-30T00:00:00Z' })),
      JSON.stringify(order('o-3', 'a-1')),
    ].join('\n');
    const result = await app.importer.importText(text);
    expect(result.imported).toBe(2);
    expect(result.rejected.map((rejection) => [rejection.line, rejection.error.split(':')[0]])).toEqual([
      [2, 'invalid_record'],
      [3, 'invalid_characters'],
      [4, 'invalid_characters'],
      [5, 'invalid_record'],
      [6, 'invalid_record'],
    ]);
    expect(result.rejected[0]!.error).toContain('date_of_birth');
    const orders = await app.database.query<{ external_id: string }>(
      "SELECT external_id FROM orders WHERE external_id LIKE 'o-%'",
    );
    expect(orders).toEqual([{ external_id: 'o-3' }]);
  });

  it('skips a line longer than the cap without reading it whole, and keeps the lines after it', async () => {
    const huge = `{"type":"account","id":"${'x'.repeat(32 * 1024 * 1024)}"}`;
    async function* chunks() {
      yield `${JSON.stringify(account('long-before'))}\n`;
      for (let offset = 0; offset < huge.length; offset += 65_536) yield huge.slice(offset, offset + 65_536);
      yield `\n${JSON.stringify(account('long-after'))}\n`;
    }
    const started = performance.now();
    const result = await app.importer.importStream(chunks());
    const seconds = (performance.now() - started) / 1000;
    expect(result.imported).toBe(2);
    expect(result.rejected).toEqual([{ line: 2, error: expect.stringMatching(/^line_too_long/) }]);
    // Not a speed target (see bench/import.bench.ts), only proof that the line is never parsed: 6.8 s before.
    expect(seconds).toBeLessThan(5);
  });

  it('keeps a character split across two chunks whole and refuses bytes that are not UTF-8', async () => {
    const line = Buffer.from(`${JSON.stringify(account('utf8-1', { name: 'Zoë Ørsted' }))}\n`);
    const split = line.indexOf(Buffer.from('ë')) + 1;
    const entries = [];
    for await (const entry of splitLines([
      line.subarray(0, split),
      line.subarray(split),
    ] as unknown as Iterable<string>))
      entries.push(entry);
    expect(entries).toEqual([{ line: 1, text: line.toString('utf8').trimEnd() }]);
    const bad = [];
    for await (const entry of splitLines([Buffer.from([0x7b, 0xed, 0xa0, 0x80, 0x7d])] as unknown as Iterable<string>))
      bad.push(entry);
    expect(bad).toEqual([{ line: 1, error: expect.stringMatching(/^invalid_characters/) }]);
  });

  it('answers an HTTP import over IMPORT_LIMIT_BYTES with 413, declared or streamed', async () => {
    const records = Array.from({ length: 60 }, (_, index) => account(`limit-${index}`));
    const declared = await postImport(app.server, ndjson(records));
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toMatchObject({ error: { code: 'import_too_large', imported: 0 } });

    const streamed = await postImport(
      app.server,
      Readable.from(records.map((record) => `${JSON.stringify(record)}\n`)),
    );
    expect(streamed.statusCode).toBe(413);
    const error = streamed.json().error;
    expect(error).toMatchObject({ code: 'import_too_large', stopped: { reason: 'import_too_large' } });
    // What was read before the limit is imported and said so; nothing after it was read.
    const [stored] = await app.database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM accounts WHERE external_id LIKE 'limit-%'",
    );
    expect(stored!.count).toBe(error.imported);
    expect(error.imported).toBeLessThan(60);
  });

  it('imports the complete lines read before the byte limit and reads nothing after it', async () => {
    let served = 0;
    async function* chunks() {
      for (let index = 0; index < 60; index++) {
        served += 1;
        yield `${JSON.stringify(account(`stream-${index}`))}\n`;
      }
    }
    const result = await app.importer.importStream(chunks(), undefined, { maxTotalBytes: 2000 });
    expect(result.stopped).toMatchObject({ reason: 'import_too_large', limit_bytes: 2000 });
    expect(result.imported).toBeGreaterThan(5);
    expect(result.imported).toBe(result.stopped!.line);
    expect(served).toBe(result.imported + 1);
    const [stored] = await app.database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM accounts WHERE external_id LIKE 'stream-%'",
    );
    expect(stored!.count).toBe(result.imported);
  });
});

describe('a line the database refuses', () => {
  it('is reported alone; the other lines of its batch are imported', async () => {
    const database = await makeTestDatabase('pglite');
    const app = await makeTestApplication('pglite', { database: refusing(database, 'poison-') });
    try {
      const result = await app.importer.importText(
        ndjson([account('fine-1'), account('poison-1'), account('fine-2'), order('fine-o', 'fine-2')]),
      );
      expect(result.imported).toBe(3);
      expect(result.rejected).toEqual([
        { line: 2, error: expect.stringMatching(/^invalid_record: the database refused/) },
      ]);
    } finally {
      await app.close();
    }
  });
});
