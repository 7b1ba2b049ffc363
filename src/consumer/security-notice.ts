// Tells the account holder on every verified channel that a security setting changed, so a takeover is noticed.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueueNotification } from '../notify/notifier.ts';

export type SecurityChange = 'passkey_added' | 'passkey_removed' | 'always_verify_on' | 'always_verify_off';

const changeTexts: Record<SecurityChange, string> = {
  passkey_added: 'A passkey was added to your Rearguard account',
  passkey_removed: 'A passkey was removed from your Rearguard account',
  always_verify_on: '"Always verify my purchases" was switched on for your Rearguard account',
  always_verify_off: '"Always verify my purchases" was switched off for your Rearguard account',
};

export function securityNoticeText(change: SecurityChange, at: Date, portalUrl: string): string {
  const when = at.toISOString().slice(0, 16).replace('T', ' ');
  return `${changeTexts[change]} on ${when} UTC. Not you? Sign in at ${portalUrl} and undo it, and tell us.`;
}

/** Queued in the caller's transaction: the notice commits with the change, to every verified channel on file. */
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
  const text = securityNoticeText(change, at, `${dependencies.publicUrl}/portal/`);
  for (const channel of channels) {
    await enqueueNotification(
      tx,
      dependencies.ids,
      {
        channel: channel.kind === 'phone' ? 'sms' : 'email',
        to: channel.value,
        subject: 'A security setting of your account changed',
        text,
        kind: 'security_notice',
      },
      at,
    );
  }
  return channels.length;
}
