// Notices to a consumer about their invoices and claims: through the Notifier's outbox, to a channel on file for the account.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueueNotification, type OutgoingMessage } from '../notify/notifier.ts';
import {
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountData,
  type ChannelSealedColumns,
} from '../privacy/account-data.ts';

export type ConsumerNoticeTemplate =
  | 'claim_received'
  | 'claim_upheld'
  | 'claim_rejected'
  | 'payment_reminder'
  | 'late_fee_added'
  | 'invoice_unpaid'
  | 'payment_received';

const subjects: Record<ConsumerNoticeTemplate, string> = {
  claim_received: 'We received your report',
  claim_upheld: 'You do not have to pay',
  claim_rejected: 'The outcome of your report',
  payment_reminder: 'Payment reminder',
  late_fee_added: 'A late fee was added',
  invoice_unpaid: 'Your invoice is overdue',
  payment_received: 'Payment received',
};

/**
 * A verified channel first (e-mail before phone); an account made at a checkout has only the channels typed
 * there, which is still where its invoice belongs. Returns null when the account has no channel at all.
 */
async function channelFor(tx: SqlExecutor, accounts: AccountData, accountId: string) {
  const [channel] = await tx.query<{ kind: 'email' | 'phone' } & ChannelSealedColumns>(
    `SELECT c.kind, ${channelSealedSql('c')} FROM channels c ${channelSubjectJoinSql('c')} WHERE c.account_id = $1
     ORDER BY c.verified_at IS NULL, c.kind = 'phone', c.created_at LIMIT 1`,
    [accountId],
  );
  const value = channel ? accounts.channelValue(channel) : null;
  return channel && value !== null ? { kind: channel.kind, value } : null;
}

export async function enqueueConsumerNotice(
  tx: SqlExecutor,
  ids: Ids,
  accounts: AccountData,
  notice: {
    accountId: string;
    template: ConsumerNoticeTemplate;
    text: string;
    data: Record<string, unknown>;
    at: Date;
  },
): Promise<string | null> {
  const channel = await channelFor(tx, accounts, notice.accountId);
  if (!channel) return null;
  const message: OutgoingMessage & { account_id: string; data: Record<string, unknown> } = {
    channel: channel.kind === 'email' ? 'email' : 'sms',
    to: channel.value,
    subject: subjects[notice.template],
    text: notice.text,
    kind: notice.template,
    // Kept with the message so support and the portal can find an account's notices without its addresses.
    account_id: notice.accountId,
    data: notice.data,
  };
  return enqueueNotification(tx, ids, message, notice.at);
}
