// The subjects of recent claims (e-mail pseudonym -> subject and its open data key), so a returning shopper's session is
// sealed and inserted in one statement instead of looking the subject up first.
import type { OpenSubject } from './subject-store.ts';
import { makeLru } from '../shared/lru.ts';

export interface SubjectCache {
  get(claimPseudonym: string): OpenSubject | undefined;
  set(claimPseudonym: string, subject: OpenSubject): void;
  /** Drops one claim's entry (its subject was found shredded). */
  forget(claimPseudonym: string): void;
  /** Drops every entry: after an erasure (here or on another node) no shredded subject's key stays in memory. */
  clear(): void;
  readonly size: number;
}

/**
 * At most `capacity` entries, the least recently used dropped first, so the open data keys held stay bounded. An entry
 * is only a hint: the session insert it serves checks in the same statement that the subject is still live.
 */
export function makeSubjectCache(capacity = 10_000): SubjectCache {
  const entries = makeLru<OpenSubject>(capacity);
  return {
    get: (claimPseudonym) => entries.get(claimPseudonym),
    set: (claimPseudonym, subject) => entries.set(claimPseudonym, subject),
    forget: (claimPseudonym) => entries.delete(claimPseudonym),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
