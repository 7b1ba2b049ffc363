// Which channel reaches the account holder: verified ones first (e-mail, then phone), else what is on file.
import type { SqlExecutor } from '../storage/database.ts';

export interface ChannelForNotice {
  id: string;
  kind: 'email' | 'phone';
  value: string;
}

/**
 * Verified channels were on file before any purchase in question, so an attacker cannot have planted them; a new
 * customer has only the channels typed at the first checkout, which still reach them if it really was them.
 */
export async function channelForNotice(db: SqlExecutor, accountId: string): Promise<ChannelForNotice | null> {
  const rows = await db.query<ChannelForNotice>(
    `SELECT id, kind, value FROM channels WHERE account_id = $1
     ORDER BY (verified_at IS NULL), (kind <> 'email'), verified_at, created_at LIMIT 1`,
    [accountId],
  );
  return rows[0] ?? null;
}
