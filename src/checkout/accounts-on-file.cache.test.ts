import { describe, expect, it } from 'vitest';
import type { AccountOnFileRead } from './accounts.repository.ts';
import { makeAccountsOnFileCache } from './accounts-on-file.cache.ts';

const onFile = (language: string): AccountOnFileRead => ({ channels: [], language });

/** A load that counts its reads and can be held open, to hear a change while a read is in flight. */
function loader() {
  const reads: string[] = [];
  let version = 0;
  let hold: Promise<void> | null = null;
  return {
    reads,
    change: () => (version += 1),
    holdNext() {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return release;
    },
    load: async (accountId: string) => {
      reads.push(accountId);
      const read = onFile(`${accountId}@${version}`);
      const held = hold;
      hold = null;
      if (held) await held;
      return read;
    },
  };
}

describe('accounts on file kept between approvals', () => {
  it('reads an account once, then serves it until a change names it', async () => {
    const source = loader();
    const cache = makeAccountsOnFileCache({ load: source.load, capacity: 10 });
    expect(cache.has('a')).toBe(false);
    expect((await cache.get('a')).language).toBe('a@0');
    expect(cache.has('a')).toBe(true);
    expect((await cache.get('a')).language).toBe('a@0');
    await cache.get('b');
    expect(source.reads).toEqual(['a', 'b']);
    source.change();
    cache.forget(['a']);
    expect((await cache.get('a')).language).toBe('a@1');
    expect((await cache.get('b')).language).toBe('b@0');
    expect(source.reads).toEqual(['a', 'b', 'a']);
    cache.forget();
    expect(cache.size).toBe(0);
    await cache.get('b');
    expect(source.reads).toEqual(['a', 'b', 'a', 'b']);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const source = loader();
    const cache = makeAccountsOnFileCache({ load: source.load, capacity: 2 });
    await cache.get('a');
    await cache.get('b');
    await cache.get('a'); // a is now the most recently used
    await cache.get('c'); // b goes
    expect(cache.size).toBe(2);
    source.reads.length = 0;
    await cache.get('a');
    await cache.get('c');
    await cache.get('b');
    expect(source.reads).toEqual(['b']);
  });

  it('does not keep a read that a change to its account overtook, named or not', async () => {
    for (const forget of [
      (cache: { forget(ids?: readonly string[]): void }) => cache.forget(['a']),
      (cache: { forget(): void }) => cache.forget(),
    ]) {
      const source = loader();
      const cache = makeAccountsOnFileCache({ load: source.load, capacity: 10 });
      const release = source.holdNext();
      const reading = cache.get('a');
      // The read saw the account before the change; the change is heard before the read returns.
      source.change();
      forget(cache);
      release();
      expect((await reading).language).toBe('a@0');
      expect(cache.size).toBe(0);
      expect((await cache.get('a')).language).toBe('a@1');
    }
  });

  it('a change to another account does not spoil a read in flight; a disabled cache keeps nothing', async () => {
    const source = loader();
    const cache = makeAccountsOnFileCache({ load: source.load, capacity: 10 });
    const release = source.holdNext();
    const reading = cache.get('a');
    cache.forget(['b']);
    release();
    await reading;
    expect(cache.size).toBe(1);
    cache.disable();
    expect(cache.size).toBe(0);
    await cache.get('a');
    await cache.get('a');
    expect(cache.size).toBe(0);
    expect(source.reads).toEqual(['a', 'a', 'a']);
    const none = makeAccountsOnFileCache({ load: source.load, capacity: 0 });
    await none.get('z');
    expect(none.size).toBe(0);
  });
});
