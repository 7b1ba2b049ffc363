// What an approval's messages need of a returning customer's account (its channels opened, their open codes, its
// language), kept in memory from one approval to the next instead of read before each: the read was one of the two
// statements of a returning customer's approval. Every change to those rows, committed by any process, names the
// accounts it touched (migration 198, NOTIFY on `rearguard_changes` as `accounts_on_file:<ids>`), and their entries go;
// a new code is the exception (the approval's statement itself tests whether one is running).
import type { AccountOnFileRead } from './accounts.repository.ts';
import { makeLru } from '../shared/lru.ts';

export interface AccountsOnFileCache {
  /** The account as kept, else as read now (and kept, unless a change to it was heard while it was being read). */
  get(accountId: string): Promise<AccountOnFileRead>;
  /** Whether the account is kept now (a `get` would not read it). */
  has(accountId: string): boolean;
  /** A change committed: the named accounts' entries go; without names (a gap in the notifications, an erasure)
   * every entry goes. */
  forget(accountIds?: readonly string[]): void;
  /** Stop keeping anything (changes cannot be heard: an entry could outlive what it copies). */
  disable(): void;
  readonly size: number;
}

/**
 * At most `capacity` accounts, the least recently used dropped first: the opened channel values held stay bounded.
 * An entry is a copy that the statements it feeds re-check where it matters (a code is sent only if none is running,
 * at the write; an erased person's channels are gone from the database and from here at once).
 */
export function makeAccountsOnFileCache(options: {
  readonly load: (accountId: string) => Promise<AccountOnFileRead>;
  readonly capacity?: number;
}): AccountsOnFileCache {
  const capacity = options.capacity ?? 10_000;
  const entries = makeLru<AccountOnFileRead>(capacity);
  // Reads in flight per account: a change heard meanwhile marks them, so what they read (maybe before the change)
  // is returned to their caller but not kept.
  const reading = new Map<string, Set<{ stale: boolean }>>();
  let enabled = capacity > 0;

  const markReads = (accountId: string) => {
    for (const read of reading.get(accountId) ?? []) read.stale = true;
  };

  return {
    async get(accountId) {
      const kept = entries.get(accountId);
      if (kept) return kept;
      const read = { stale: false };
      const reads = reading.get(accountId) ?? new Set();
      reading.set(accountId, reads.add(read));
      try {
        const value = await options.load(accountId);
        if (!read.stale && enabled) entries.set(accountId, value);
        return value;
      } finally {
        reads.delete(read);
        if (reads.size === 0) reading.delete(accountId);
      }
    },
    has: (accountId) => entries.has(accountId),
    forget(accountIds) {
      if (accountIds === undefined) {
        entries.clear();
        for (const accountId of reading.keys()) markReads(accountId);
        return;
      }
      for (const accountId of accountIds) {
        entries.delete(accountId);
        markReads(accountId);
      }
    },
    disable() {
      enabled = false;
      this.forget();
    },
    get size() {
      return entries.size;
    },
  };
}
