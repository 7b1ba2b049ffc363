// Notices to a consumer about their invoices and claims, written to the outbox in the caller's transaction.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';

/**
 * Topic of consumer notices. The recipient is the account id: the notifier (issue 4) delivers to the
 * account's on-file channel, never to an address typed at a checkout.
 */
export const consumerNoticeTopic = 'consumer.notice';

export type ConsumerNoticeTemplate =
  | 'claim_received'
  | 'claim_upheld'
  | 'claim_rejected'
  | 'review_requested'
  | 'payment_reminder'
  | 'late_fee_added'
  | 'invoice_unpaid'
  | 'payment_received';

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
): Promise<string> {
  return enqueue(tx, ids, {
    topic: consumerNoticeTopic,
    recipient: notice.accountId,
    payload: { template: notice.template, text: notice.text, ...notice.data },
    at: notice.at,
  });
}
