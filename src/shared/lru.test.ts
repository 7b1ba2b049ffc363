import { describe, expect, it } from 'vitest';
import { makeLru } from './lru.ts';

describe('a least-recently-used map', () => {
  it('drops the least recently used past its capacity; a get counts as a use, has does not', () => {
    const lru = makeLru<number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recently used
    expect(lru.has('b')).toBe(true); // not a use: b stays the least recently used
    lru.set('c', 3);
    expect([lru.has('a'), lru.has('b'), lru.has('c')]).toEqual([true, false, true]);
    lru.set('a', 4); // a write is a use too
    lru.set('d', 5);
    expect([lru.get('a'), lru.has('c'), lru.get('d'), lru.size]).toEqual([4, false, 5, 2]);
    lru.delete('a');
    expect(lru.size).toBe(1);
    lru.clear();
    expect(lru.size).toBe(0);
    const none = makeLru<number>(0);
    none.set('a', 1);
    expect(none.size).toBe(0);
  });
});
