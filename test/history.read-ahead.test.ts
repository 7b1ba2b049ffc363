// A start's history sources keep the database busy: each asks for its next pages while the caller applies one.
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.ts';
import { historySources } from '../src/storage/history.reader.ts';

const pageSize = 10_000;

/** A database whose labels table holds `pages` full pages (and one short one), recording each page asked for. */
function labelsDatabase(pages: number) {
  const asked: number[] = [];
  const database = {
    kind: 'postgres',
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      if (!/FROM labels/.test(sql)) return [];
      // The keyset parameter is the previous page's last time: page n starts after (n * pageSize - 1).
      const page = params === undefined ? 0 : (Number(params[0]) + 1) / pageSize;
      asked.push(page);
      const size = page < pages ? pageSize : 1;
      return Array.from({ length: size }, (_, index) => {
        const at = page * pageSize + index;
        return { id: `l${at}`, at_us: at, order_id: `o${at}`, label: 'legit' } as Row;
      });
    },
  } as unknown as Database;
  return { asked, database };
}

describe('history read-ahead', () => {
  it('asks for the next two pages of a source before the caller has applied the first', async () => {
    const { asked, database } = labelsDatabase(4);
    const labels = historySources(database).at(-1)!();
    const first = await labels.next();
    expect(first.value).toHaveLength(pageSize);
    // While the caller applies the first page, the database is already reading the second and the third.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(asked).toEqual([0, 1, 2]);
    const rest: number[] = [];
    for await (const page of labels) rest.push(page.length);
    // Every page once, in order, and nothing asked for past the short last one.
    expect(rest).toEqual([pageSize, pageSize, pageSize, 1]);
    expect(asked).toEqual([0, 1, 2, 3, 4]);
  });
});
