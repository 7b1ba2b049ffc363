// Coalesced statements: a lone request goes at once, those queued behind it share the next, a bad item fails alone.
import { describe, expect, it } from 'vitest';
import { makeCoalescedStatements } from '../../src/storage/coalesced-statements.ts';

describe('coalesced statements', () => {
  it('sends the first alone and the ones asked meanwhile together, each answered with its own result', async () => {
    const batches: number[][] = [];
    const double = makeCoalescedStatements<number, number>({
      maxItems: 3,
      runMany: async (items) => {
        batches.push([...items]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((item) => item * 2);
      },
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((item) => double(item)));
    expect(results).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('runs the items of a failed batch one by one, so only the bad one fails', async () => {
    const runMany = async (items: readonly number[]) => {
      if (items.includes(13)) throw new Error('a bad row');
      return items.map(String);
    };
    const text = makeCoalescedStatements<number, string>({
      maxItems: 8,
      runMany,
      runOne: async (item) => (await runMany([item]))[0]!,
    });
    const settled = await Promise.allSettled([1, 2, 13, 4].map((item) => text(item)));
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))).toEqual(['1', '2', '4']);
    // Without a way to run one alone, the whole batch fails with it.
    const strict = makeCoalescedStatements<number, string>({ maxItems: 8, runMany });
    const all = await Promise.allSettled([1, 2, 13].map((item) => strict(item)));
    expect(all.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  });
});
