import { describe, expect, it } from 'vitest';
import { expectedLoss, rankQueue } from './work-queue.ranking.ts';

const now = Date.parse('2026-11-02T10:00:00Z');
const hours = (count: number) => now + count * 3_600_000;

describe('rankQueue', () => {
  it.each([
    {
      name: 'larger expected loss first when nothing is urgent',
      items: [
        { id: 'small', score: 0.9, amount: 10_000, dueAt: hours(2) },
        { id: 'large', score: 0.5, amount: 90_000, dueAt: hours(3) },
      ],
      order: ['large', 'small'],
    },
    {
      name: 'an item about to ship jumps ahead of a larger loss',
      items: [
        { id: 'large', score: 0.9, amount: 90_000, dueAt: hours(2) },
        { id: 'shipping', score: 0.1, amount: 5_000, dueAt: hours(0.25) },
      ],
      order: ['shipping', 'large'],
    },
    {
      name: 'urgent items among themselves by deadline, overdue first',
      items: [
        { id: 'soon', score: 0.9, amount: 90_000, dueAt: hours(0.4) },
        { id: 'overdue', score: 0.1, amount: 100, dueAt: hours(-1) },
      ],
      order: ['overdue', 'soon'],
    },
    {
      name: 'equal expected loss: the earlier deadline first; no score counts as no loss',
      items: [
        { id: 'unscored', score: null, amount: 90_000, dueAt: hours(1) },
        { id: 'later', score: 0.5, amount: 20_000, dueAt: hours(5) },
        { id: 'earlier', score: 0.5, amount: 20_000, dueAt: hours(4) },
      ],
      order: ['earlier', 'later', 'unscored'],
    },
  ])('$name', ({ items, order }) => {
    expect(rankQueue(items, now).map((item) => item.id)).toEqual(order);
  });

  it('computes expected loss as score times amount in minor units', () => {
    expect(expectedLoss({ score: 0.25, amount: 12_345, dueAt: now })).toBe(3086);
    expect(expectedLoss({ score: null, amount: 12_345, dueAt: now })).toBe(0);
  });
});
