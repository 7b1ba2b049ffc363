// Sessions this process has just created, kept for their authorize: it need not read back and open what it wrote.
import type { SessionRow } from './checkout.repository.ts';

export interface CreatedSessionsOptions {
  /** Most sessions kept; the oldest go first (a shopper who never authorizes costs nothing for long). */
  readonly capacity: number;
  /** How long one is kept: an authorize later than this reads the session as any other would. */
  readonly keepMilliseconds: number;
  readonly now: () => number;
}

/**
 * Only what the creator knows for certain is kept: an open session, its input as validated, and its subject as it
 * sealed it. Each is taken once: an authorize that fails, or a second one, reads the stored session. What may have
 * changed since (another node decided it, an erasure deleted it or shredded its subject) is checked by the write
 * that claims the session, which then fails and the caller falls back to the stored session.
 */
export function makeCreatedSessions(options: CreatedSessionsOptions) {
  const sessions = new Map<string, { readonly row: SessionRow; readonly until: number }>();

  return {
    remember(row: SessionRow): void {
      if (options.capacity <= 0) return;
      // Map order is insertion order: the first key is the oldest session.
      while (sessions.size >= options.capacity) sessions.delete(sessions.keys().next().value!);
      sessions.set(row.id, { row, until: options.now() + options.keepMilliseconds });
    },
    /** The session if this process created it for this merchant lately (null otherwise); it is then forgotten. */
    take(merchantId: string, sessionId: string): SessionRow | null {
      const kept = sessions.get(sessionId);
      // Another merchant's request neither sees nor spends it.
      if (!kept || kept.row.merchant_id !== merchantId) return null;
      sessions.delete(sessionId);
      return kept.until < options.now() ? null : kept.row;
    },
    /** After an erasure (here or elsewhere): no input kept here outlives it, whoever it was about. */
    clear(): void {
      sessions.clear();
    },
  };
}

export type CreatedSessions = ReturnType<typeof makeCreatedSessions>;
