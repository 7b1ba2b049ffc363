// Tells the account holder on every verified channel that their account's security changed, so a takeover is noticed.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { formatDateTime, type Language } from '../i18n/format.ts';
import { translatorFor } from '../i18n/translate.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { composeForChannel, languageOfAccount, type MessageTexts } from '../notify/message.compose.ts';
import { securityReportLink } from './security-report.service.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import { channelSealedSql, channelSubjectJoinSql, type ChannelSealedColumns } from '../privacy/account-data.ts';

export const securityChanges = [
  'new_sign_in',
  'channel_verified',
  'passkey_added',
  'passkey_removed',
  'always_verify_on',
  'always_verify_off',
] as const;
export type SecurityChange = (typeof securityChanges)[number];

/** The notice by SMS (one segment where it fits) or e-mail (HTML + text): what changed, when, and the "not me" link. */
export function securityNoticeMessage(
  channel: 'sms' | 'email',
  language: Language,
  notice: { readonly change: SecurityChange; readonly at: Date; readonly link: string },
): MessageTexts {
  return composeForChannel(
    channel,
    translatorFor(language),
    language,
    {
      subject: 'security.notice.subject',
      sms: ['security.notice.text', 'security.notice.textUndated', 'security.notice.textShort'],
      paragraphs: ['security.notice.intro', 'security.notice.ifYou', 'security.notice.notYou'],
      link: { label: 'security.notice.link', url: notice.link },
    },
    { change: notice.change, when: formatDateTime(notice.at, language), link: notice.link },
  );
}

/**
 * Queued in the caller's transaction: the notice commits with the change, to every verified channel on file, in the
 * account's language (the request that changed it may be the intruder's, so its browser language is not used).
 */
export async function enqueueSecurityNotices(
  tx: SqlExecutor,
  dependencies: { ids: Ids; clock: Clock; publicUrl: string; secret: string; personalData: PersonalData },
  accountId: string,
  change: SecurityChange,
): Promise<number> {
  const sealed = await tx.query<{ kind: 'email' | 'phone' } & ChannelSealedColumns>(
    `SELECT c.kind, ${channelSealedSql('c')} FROM channels c ${channelSubjectJoinSql('c')}
      WHERE c.account_id = $1 AND c.verified_at IS NOT NULL ORDER BY c.created_at`,
    [accountId],
  );
  const channels = sealed.flatMap((channel) => {
    const value = dependencies.personalData.accounts.channelValue(channel);
    return value === null ? [] : [{ kind: channel.kind, value }];
  });
  const at = new Date(dependencies.clock.now());
  const language = await languageOfAccount(tx, accountId);
  const link = securityReportLink(dependencies.publicUrl, dependencies.secret, accountId);
  for (const channel of channels) {
    const kind = channel.kind === 'phone' ? 'sms' : 'email';
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: kind,
        to: channel.value,
        ...securityNoticeMessage(kind, language, { change, at, link }),
        kind: 'security_notice',
      },
      at,
    );
  }
  return channels.length;
}
