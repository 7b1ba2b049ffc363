// Sliding-window counters: exact totals per window, and bounded, amortised growth for hot entities.
import { describe, expect, it } from 'vitest';
import { appendRecent, windowTotals, type RecentList } from './window.counter.ts';

const minute = 60_000;
const day = 86_400_000;

describe('window counter', () => {
  it('counts each window exactly, excluding the decision instant itself', () => {
    let list: RecentList | undefined;
    const now = 100 * day;
    for (const [ago, amount] of [
      [40 * day, 1],
      [10 * day, 10],
      [2 * day, 100],
      [30 * minute, 1000],
    ] as const)
      list = appendRecent(list, now - ago, amount);
    list = appendRecent(list, now, 5); // an order at the same instant is not history yet
    expect(windowTotals(list, now)).toEqual({
      '1h': { count: 1, amount: 1000 },
      '24h': { count: 1, amount: 1000 },
      '7d': { count: 2, amount: 1100 },
      '30d': { count: 3, amount: 1110 },
    });
  });

  it('keeps a hot entity (an order a minute for 90 days) bounded and exact', () => {
    let list: RecentList | undefined;
    const orders = 90 * 24 * 60;
    for (let index = 0; index < orders; index++) list = appendRecent(list, index * minute, 1);
    const at = orders * minute;
    const totals = windowTotals(list, at);
    expect(totals['1h'].count).toBe(60);
    expect(totals['24h'].count).toBe(24 * 60);
    expect(totals['30d'].count).toBe(30 * 24 * 60);
    // Stale entries are dropped lazily: never more than twice the live ones (three numbers per entry).
    expect(list!.length / 3).toBeLessThanOrEqual(2 * 30 * 24 * 60 + 1);
  });
});
