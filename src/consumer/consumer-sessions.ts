// Consumer sign-in sessions: issue an opaque token after a proof (code to an on-file channel, passkey), resolve it per request.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { sha256 } from '../shared/hashing.ts';
import type { SqlExecutor } from '../storage/database.ts';

import type { Consumer } from '../http/route.ts';

export const consumerCookieName = 'rg_consumer';
const sessionMilliseconds = 12 * 3_600_000;

export function makeConsumerSessions(dependencies: { database: SqlExecutor; clock: Clock; ids: Ids }) {
  const { database, clock, ids } = dependencies;
  return {
    /** Call only after the consumer proved to be the account holder; returns the token to hand out once. */
    async issue(
      accountId: string,
      method: 'otp_email' | 'otp_sms' | 'passkey' | 'link',
    ): Promise<{ token: string; expiresAt: Date }> {
      const token = `rgc_${randomBytes(32).toString('base64url')}`;
      const now = clock.now();
      const expiresAt = new Date(now + sessionMilliseconds);
      await database.query(
        `INSERT INTO consumer_sessions (id, account_id, token_hash, method, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [ids.next('cse'), accountId, sha256(token), method, new Date(now), expiresAt],
      );
      return { token, expiresAt };
    },
    async resolve(token: string): Promise<Consumer | null> {
      const [row] = await database.query<{ id: string; account_id: string }>(
        `SELECT id, account_id FROM consumer_sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2`,
        [sha256(token), new Date(clock.now())],
      );
      return row ? { accountId: row.account_id, sessionId: row.id } : null;
    },
    async revoke(sessionId: string): Promise<void> {
      await database.query('UPDATE consumer_sessions SET revoked_at = $2 WHERE id = $1', [
        sessionId,
        new Date(clock.now()),
      ]);
    },
  };
}

export type ConsumerSessions = ReturnType<typeof makeConsumerSessions>;
