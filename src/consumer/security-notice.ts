// Tells the account holder on every verified channel that a security setting changed, so a takeover is noticed.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { formatDateTime, type Language } from '../i18n/format.ts';
import { translate } from '../i18n/translate.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { languageOfAccount, smsText } from '../notify/message.compose.ts';

export type SecurityChange = 'passkey_added' | 'passkey_removed' | 'always_verify_on' | 'always_verify_off';

export function securityNoticeText(change: SecurityChange, at: Date, portalUrl: string, language: Language): string {
  return smsText((key, values) => translate(language, key, values), ['security.notice.text'], {
    change,
    when: formatDateTime(at, language),
    portal: portalUrl,
  });
}

/**
 * Queued in the caller's transaction: the notice commits with the change, to every verified channel on file, in the
 * account's language (the request that changed it may be the intruder's, so its browser language is not used).
 */
export async function enqueueSecurityNotices(
  tx: SqlExecutor,
  dependencies: { ids: Ids; clock: Clock; publicUrl: string },
  accountId: string,
  change: SecurityChange,
): Promise<number> {
  const channels = await tx.query<{ kind: 'email' | 'phone'; value: string }>(
    'SELECT kind, value FROM channels WHERE account_id = $1 AND verified_at IS NOT NULL ORDER BY created_at',
    [accountId],
  );
  const at = new Date(dependencies.clock.now());
  const language = await languageOfAccount(tx, accountId);
  const text = securityNoticeText(change, at, `${dependencies.publicUrl}/portal/`, language);
  for (const channel of channels) {
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: channel.kind === 'phone' ? 'sms' : 'email',
        to: channel.value,
        subject: translate(language, 'security.notice.subject'),
        text,
        kind: 'security_notice',
      },
      at,
    );
  }
  return channels.length;
}
