// "Was this you?": every approved order tells the account holder at once, with a one-click, signed "This was not me".
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { Ids } from '../shared/ids.ts';
import { linkSignatureLength, signToken } from '../stepup/otp.codes.ts';
import { purchaseValues } from '../stepup/challenge.message.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { chooseLanguage, type Language } from '../i18n/format.ts';
import { translatorFor } from '../i18n/translate.ts';
import { composeForChannel, type MessageTexts } from './message.compose.ts';
import { enqueueNotification } from './notifier.ts';
import { noticeChannelOf } from './on-file-channel.ts';

export interface OrderNoticeSecrets {
  readonly secret: string;
  readonly publicUrl: string;
}

export const noticeSignature = (secret: string, noticeId: string) => signToken(secret, 'order-notice', noticeId);

/** The link's token: the id and a short signature, so the "not me" link fits in one SMS with the message. */
export const noticeToken = (secret: string, noticeId: string) =>
  `${noticeId}.${noticeSignature(secret, noticeId).slice(0, linkSignatureLength)}`;

export const noticeLink = (secrets: OrderNoticeSecrets, noticeId: string) =>
  `${secrets.publicUrl}/v1/notices/${noticeToken(secrets.secret, noticeId)}`;

/** "Was this you?" by SMS or e-mail, in the reader's language: what happened, what to do, and the link. */
export function orderNoticeMessage(
  channel: 'sms' | 'email',
  language: Language,
  details: { input: SessionInput; merchant: string; link: string },
): MessageTexts {
  return composeForChannel(
    channel,
    translatorFor(language),
    language,
    {
      subject: 'order.notice.subject',
      sms: ['order.notice.sms', 'order.notice.smsShort'],
      paragraphs: ['order.notice.intro', 'order.notice.ifYou', 'order.notice.notYou', 'order.notice.warning'],
      link: { label: 'order.notice.link', url: details.link },
    },
    { ...purchaseValues(language, details.input, details.merchant), link: details.link },
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
    const channelKind = channel.kind === 'phone' ? 'sms' : 'email';
    const language = chooseLanguage(await context.accountLanguage(), input.device?.accept_language);
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: channelKind,
        to: channel.value,
        ...orderNoticeMessage(channelKind, language, {
          input,
          merchant: context.merchant.name,
          link: noticeLink(dependencies, noticeId),
        }),
        kind: 'order_notice',
      },
      context.at,
    );
    return {};
  };
}
