// Which channel reaches the account holder: a verified one only (e-mail first, then phone).
import type { SqlExecutor } from '../storage/database.ts';
import {
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountData,
  type ChannelSealedColumns,
} from '../privacy/account-data.ts';

export interface ChannelForNotice {
  id: string;
  kind: 'email' | 'phone';
  value: string;
}

/**
 * Verified channels were on file before any purchase in question, so an attacker cannot have planted them. A channel
 * only typed at a checkout may be the attacker's (a ghost invoice with the victim's name and the attacker's e-mail):
 * a notice there warns the wrong person. Accounts without a verified channel are told by letter (onboarding/).
 */
export async function channelForNotice(
  db: SqlExecutor,
  accounts: AccountData,
  accountId: string,
): Promise<ChannelForNotice | null> {
  const [row] = await db.query<{ id: string; kind: 'email' | 'phone' } & ChannelSealedColumns>(
    `SELECT c.id, c.kind, ${channelSealedSql('c')} FROM channels c ${channelSubjectJoinSql('c')}
      WHERE c.account_id = $1 AND c.verified_at IS NOT NULL
     ORDER BY (c.kind <> 'email'), c.verified_at, c.created_at LIMIT 1`,
    [accountId],
  );
  const value = row ? accounts.channelValue(row) : null;
  return row && value !== null ? { id: row.id, kind: row.kind, value } : null;
}

/** The same choice over channels already read (the approval's hooks share one read of the account's channels). */
export function noticeChannelOf(
  channels: readonly {
    id: string;
    kind: 'email' | 'phone';
    value: string;
    verified_at: Date | null;
    created_at: Date;
  }[],
): ChannelForNotice | null {
  const verified = channels.filter((channel) => channel.verified_at !== null);
  verified.sort(
    (a, b) =>
      Number(a.kind !== 'email') - Number(b.kind !== 'email') ||
      a.verified_at!.getTime() - b.verified_at!.getTime() ||
      a.created_at.getTime() - b.created_at.getTime(),
  );
  const [first] = verified;
  return first ? { id: first.id, kind: first.kind, value: first.value } : null;
}
