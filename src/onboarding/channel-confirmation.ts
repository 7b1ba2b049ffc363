// Onboarding: a new customer's first approved purchase sends a code (a signed link) to the e-mail and phone they gave;
// following it verifies that channel, so later step-ups, notices and portal sign-in reach them.
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { sameHash, signToken } from '../stepup/otp.codes.ts';
import { chooseLanguage, formatMoney } from '../i18n/format.ts';
import { translate } from '../i18n/translate.ts';
import { smsText } from '../notify/message.compose.ts';
import { enqueueSecurityNotices } from '../consumer/security-notice.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import { channelSealedSql, channelSubjectJoinSql, type ChannelSealedColumns } from '../privacy/account-data.ts';

export interface OnboardingSecrets {
  readonly secret: string;
  readonly publicUrl: string;
}

const lifetimeMilliseconds = 7 * 86_400_000;
const idPattern = /^chc_[0-9a-z]{1,40}$/;

/** No code for the channel (parameter `channel`) still runs at the moment `at`: the condition a new code is sent under. */
const noCodeRunning = (channel: string, at: string) =>
  `NOT EXISTS (SELECT 1 FROM channel_confirmations p WHERE p.channel_id = ${channel} AND p.expires_at > ${at})`;

export const confirmationToken = (secret: string, confirmationId: string) =>
  `${confirmationId}.${signToken(secret, 'channel-confirmation', confirmationId)}`;

export const confirmationLink = (secrets: OnboardingSecrets, confirmationId: string) =>
  `${secrets.publicUrl}/v1/channel-confirmations/${confirmationToken(secrets.secret, confirmationId)}`;

/**
 * Runs after every approval; in practice it is the approval that opened the account whose channels were typed at this
 * checkout: on file, unverified. Whoever follows the link holds the channel; whether the account's identity was proven is kept
 * apart (a possession proof), so a channel verified here cannot by itself approve large orders later.
 */
export function makeChannelConfirmationHook(dependencies: OnboardingSecrets & { readonly ids: Ids }): DecisionHook {
  return async (tx, context) => {
    if (context.decision.outcome !== 'approved' || !context.accountId) return {};
    // Any channel on file still unverified (a new account's, or one imported without verification) gets one code,
    // and another only once the previous one expired: an approval is when the customer expects to hear from us.
    const channels = (await context.accountChannels())
      .filter((channel) => channel.verified_at === null && !channel.confirmation_pending)
      .sort((a, b) => a.kind.localeCompare(b.kind));
    const input = context.session.input;
    const language = chooseLanguage(await context.accountLanguage(), input.device?.accept_language);
    const write = (key: Parameters<typeof translate>[1], values: Parameters<typeof translate>[2]) =>
      translate(language, key, values);
    // The read above was made before this approval's turn to commit, so another approval of the account may have
    // sent a code since (two at once share one group's transaction): each code, and its message, is written only if
    // no code for that channel is still running when the write runs. The messages come first and test the very same
    // condition, so all of it goes in one statement on one snapshot: a message exactly when its code is written.
    const codes = channels.map((channel) => ({ channel, id: dependencies.ids.next('chc') }));
    for (const { channel, id } of codes)
      await enqueueNotification(
        tx,
        dependencies.ids,
        {
          channel: channel.kind === 'email' ? 'email' : 'sms',
          to: channel.value,
          subject: write('channel.confirm.subject', { kind: channel.kind }),
          // One text for both channels: by SMS it must stay within GSM-7 (no no-break spaces in the amount).
          text: smsText(write, ['channel.confirm.text'], {
            kind: channel.kind,
            amount: formatMoney(input.amount.value, input.amount.currency, language),
            merchant: context.merchant.name,
            link: confirmationLink(dependencies, id),
          }),
          kind: 'channel_confirmation',
        },
        context.at,
        { sql: noCodeRunning('$1', '$2::timestamptz'), params: [channel.id, context.at] },
      );
    for (const { channel, id } of codes)
      await tx.query(
        `INSERT INTO channel_confirmations (id, channel_id, account_id, created_at, expires_at)
         SELECT $1, $2, $3, $4::timestamptz, $5::timestamptz
         WHERE ${noCodeRunning('$2', '$4::timestamptz')}`,
        [id, channel.id, context.accountId, context.at, new Date(context.at.getTime() + lifetimeMilliseconds)],
      );
    return {};
  };
}

export type ConfirmationView =
  | { readonly kind: 'invalid' | 'expired' }
  | { readonly kind: 'open' | 'confirmed'; readonly channel: 'email' | 'phone' };

export function makeChannelConfirmationService(dependencies: {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly publicUrl: string;
  readonly secret: string;
  readonly engine: { record(event: HistoryEvent): Promise<void> };
  readonly personalData: PersonalData;
}) {
  const { database, clock, secret } = dependencies;

  /** The signature is checked before the database is asked: forged links cost nothing and reveal nothing. */
  function idOf(token: string): string | null {
    const id = token.split('.')[0] ?? '';
    return idPattern.test(id) && sameHash(token, confirmationToken(secret, id)) ? id : null;
  }

  interface Row {
    channel_id: string;
    account_id: string;
    kind: 'email' | 'phone';
    channel_created_at: Date;
    expires_at: Date;
    confirmed_at: Date | null;
  }
  const select = `SELECT c.channel_id, c.account_id, ch.kind, ${channelSealedSql('ch')},
      ch.created_at AS channel_created_at, c.expires_at, c.confirmed_at
    FROM channel_confirmations c JOIN channels ch ON ch.id = c.channel_id ${channelSubjectJoinSql('ch')} WHERE c.id = $1`;

  async function show(token: string): Promise<ConfirmationView> {
    const id = idOf(token);
    const [row] = id ? await database.query<Row>(select, [id]) : [];
    if (!row) return { kind: 'invalid' };
    if (row.confirmed_at) return { kind: 'confirmed', channel: row.kind };
    if (row.expires_at.getTime() <= clock.now()) return { kind: 'expired' };
    return { kind: 'open', channel: row.kind };
  }

  /** Once: the row lock and confirmed_at make a double click verify nothing twice. */
  async function confirm(token: string): Promise<ConfirmationView> {
    const id = idOf(token);
    if (!id) return { kind: 'invalid' };
    const outcome = await database.transaction(async (tx) => {
      const [row] = await tx.query<Row & ChannelSealedColumns>(`${select} FOR UPDATE OF c`, [id]);
      if (!row) return { view: { kind: 'invalid' } as const, event: null };
      if (row.confirmed_at) return { view: { kind: 'confirmed', channel: row.kind } as const, event: null };
      const at = new Date(clock.now());
      if (row.expires_at <= at) return { view: { kind: 'expired' } as const, event: null };
      await tx.query('UPDATE channel_confirmations SET confirmed_at = $2 WHERE id = $1', [id, at]);
      await tx.query('UPDATE channels SET verified_at = $2 WHERE id = $1 AND verified_at IS NULL', [
        row.channel_id,
        at,
      ]);
      // Every verified channel hears of the new one (itself included): a takeover often starts by adding a channel.
      await enqueueSecurityNotices(tx, dependencies, row.account_id, 'channel_verified');
      const value = dependencies.personalData.accounts.channelValue(row);
      const event: HistoryEvent | null =
        value === null
          ? null
          : {
              kind: 'channel',
              accountId: row.account_id,
              channelId: row.channel_id,
              channel: row.kind,
              value,
              verifiedAt: at.getTime(),
              at: row.channel_created_at.getTime(),
            };
      return { view: { kind: 'confirmed', channel: row.kind } as const, event };
    });
    // Online state follows the database: the committed verification is now a fact.
    if (outcome.event) await dependencies.engine.record(outcome.event);
    return outcome.view;
  }

  return { show, confirm };
}

export type ChannelConfirmationService = ReturnType<typeof makeChannelConfirmationService>;
