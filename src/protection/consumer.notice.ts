// Notices to a consumer about their invoices and claims: through the Notifier's outbox, to a channel on file for the account.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueueNotification, type OutgoingMessage } from '../notify/notifier.ts';

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
async function channelFor(tx: SqlExecutor, accountId: string) {
  const [channel] = await tx.query<{ kind: 'email' | 'phone'; value: string }>(
    `SELECT kind, value FROM channels WHERE account_id = $1
     ORDER BY verified_at IS NULL, kind = 'phone', created_at LIMIT 1`,
    [accountId],
  );
  return channel ?? null;
}

export async function enqueueConsumerNotice(
  tx: SqlExecutor,
  ids: Ids,
  notice: {
    accountId: string;
    template: ConsumerNoticeTemplate;
    text: string;
    data: Record<string, unknown>;
    at: Date;
  },
): Promise<string | null> {
  const channel = await channelFor(tx, notice.accountId);
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
