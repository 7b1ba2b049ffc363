// The subject cache stays bounded (least recently used out first) and forgets everything on an erasure.
import { describe, expect, it } from 'vitest';
import { makeSubjectCache } from './subject.cache.ts';

const subject = (id: string) => ({ id, dataKey: Buffer.alloc(32, id) });

describe('subject cache', () => {
  it('drops the least recently used entry beyond its capacity', () => {
    const cache = makeSubjectCache(2);
    cache.set('claim-a', subject('a'));
    cache.set('claim-b', subject('b'));
    expect(cache.get('claim-a')?.id).toBe('a'); // now b is the least recently used
    cache.set('claim-c', subject('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('claim-b')).toBeUndefined();
    expect(cache.get('claim-a')?.id).toBe('a');
    expect(cache.get('claim-c')?.id).toBe('c');
  });

  it('forgets one claim, and everything on clear', () => {
    const cache = makeSubjectCache();
    cache.set('claim-a', subject('a'));
    cache.set('claim-b', subject('b'));
    cache.forget('claim-a');
    expect(cache.get('claim-a')).toBeUndefined();
    expect(cache.get('claim-b')?.id).toBe('b');
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('claim-b')).toBeUndefined();
  });
});
