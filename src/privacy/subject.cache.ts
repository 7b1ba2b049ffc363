// The subjects of recent claims (e-mail pseudonym -> subject and its open data key), so a returning shopper's session is
// sealed and inserted in one statement instead of looking the subject up first.
import type { OpenSubject } from './subject-store.ts';

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
  const entries = new Map<string, OpenSubject>();
  return {
    get(claimPseudonym) {
      const subject = entries.get(claimPseudonym);
      if (subject) {
        // Map order is insertion order: re-inserting marks it as the most recently used.
        entries.delete(claimPseudonym);
        entries.set(claimPseudonym, subject);
      }
      return subject;
    },
    set(claimPseudonym, subject) {
      entries.delete(claimPseudonym);
      entries.set(claimPseudonym, subject);
      if (entries.size > capacity) entries.delete(entries.keys().next().value!);
    },
    forget: (claimPseudonym) => void entries.delete(claimPseudonym),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
