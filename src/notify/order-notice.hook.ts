// "Was this you?": every approved order tells the account holder at once, with a one-click, signed "This was not me".
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { Ids } from '../shared/ids.ts';
import { signToken } from '../stepup/otp.codes.ts';
import { deliveryAddressOf, formatAddress, formatAmount } from '../stepup/challenge.message.ts';
import { enqueueNotification } from './notifier.ts';
import { noticeChannelOf } from './on-file-channel.ts';

export interface OrderNoticeSecrets {
  readonly secret: string;
  readonly publicUrl: string;
}

export const noticeToken = (secret: string, noticeId: string) =>
  `${noticeId}.${signToken(secret, 'order-notice', noticeId)}`;

export const noticeLink = (secrets: OrderNoticeSecrets, noticeId: string) =>
  `${secrets.publicUrl}/v1/notices/${noticeToken(secrets.secret, noticeId)}`;

export function orderNoticeText(details: { amount: string; merchant: string; delivery: string; link: string }): string {
  return (
    `Was this you? An order of ${details.amount} at ${details.merchant} was just placed in your name, ` +
    `delivery to ${details.delivery}. You pay nothing for an order you did not place. ` +
    `This was not me: ${details.link}`
  );
}

export function makeOrderNoticeHook(dependencies: OrderNoticeSecrets & { readonly ids: Ids }): DecisionHook {
  return async (tx, context) => {
    if (context.decision.outcome !== 'approved' || !context.orderId || !context.accountId) return {};
    const channel = noticeChannelOf(await context.accountChannels());
    if (!channel) return {};
    const noticeId = dependencies.ids.next('ntc');
    await tx.query(
      'INSERT INTO order_notices (id, order_id, account_id, channel_id, created_at) VALUES ($1, $2, $3, $4, $5)',
      [noticeId, context.orderId, context.accountId, channel.id, context.at],
    );
    const input = context.session.input;
    const text = orderNoticeText({
      amount: formatAmount(input.amount.value, input.amount.currency),
      merchant: context.merchant.name,
      delivery: formatAddress(deliveryAddressOf(input)),
      link: noticeLink(dependencies, noticeId),
    });
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: channel.kind === 'phone' ? 'sms' : 'email',
        to: channel.value,
        subject: `Was this you? Your order at ${context.merchant.name}`,
        text,
        kind: 'order_notice',
      },
      context.at,
    );
    return {};
  };
}
