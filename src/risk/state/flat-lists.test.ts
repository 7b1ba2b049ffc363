// Packing lists for the snapshot keeps every list, its order and the difference between empty and none.
import { describe, expect, it } from 'vitest';
import { flattenLists, unflattenLists } from './flat-lists.ts';

describe('flat lists', () => {
  it('round-trips lists, empty lists and missing ones', () => {
    const lists = [[1, 2.5, 3], undefined, [], [1.7e12, -4, 0]];
    const flat = flattenLists(lists);
    expect(Array.from(flat.lengths)).toEqual([3, -1, 0, 3]);
    expect(unflattenLists(flat)).toEqual(lists);
  });

  it('is a copy: changing a live list afterwards does not change the flat form', () => {
    const live = [[1, 2]];
    const flat = flattenLists(live);
    live[0]!.push(3);
    live[0]![0] = 9;
    expect(unflattenLists(flat)).toEqual([[1, 2]]);
  });

  it('takes only the first `count` lists (a table cut at its size)', () => {
    expect(unflattenLists(flattenLists([[1], [2], [3]], 2))).toEqual([[1], [2]]);
  });
});
