// Alerts for the fraud desk (case SLA breached, review past its deadline, parcel redirect refused) leave the building:
// each `ops.alert` outbox message fans out into one notification per configured desk address (OPS_ALERT_TO).
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { enqueue, type OutboxHandler } from '../outbox/outbox.ts';
import { notificationTopic, type OutgoingMessage } from '../notify/notifier.ts';

/** A desk address: an e-mail box or a phone number in E.164, as configured. */
export interface OpsAlertRecipient {
  readonly channel: 'email' | 'sms';
  readonly to: string;
}

/** `desk@provider.nl, +31612345678` → recipients; anything else is named in the error. */
export function parseOpsAlertRecipients(value: string | undefined): OpsAlertRecipient[] | { invalid: string } {
  const parts = (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const recipients: OpsAlertRecipient[] = [];
  for (const part of parts) {
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(part)) recipients.push({ channel: 'email', to: part });
    else if (/^\+[1-9]\d{6,14}$/.test(part)) recipients.push({ channel: 'sms', to: part });
    else return { invalid: part };
  }
  return recipients;
}

interface AlertPayload {
  readonly kind?: unknown;
  readonly message?: unknown;
}

/**
 * The handler: one notification per recipient, each then delivered and retried on its own by the notification lane.
 * A retried alert fans out only to the recipients it has not reached yet, so nobody hears of one alert twice.
 * With no recipients configured the alert is only shown in the console.
 */
export function makeOpsAlertHandler(dependencies: {
  database: Database;
  ids: Ids;
  clock: Clock;
  recipients: readonly OpsAlertRecipient[];
}): OutboxHandler {
  const { database, ids, clock, recipients } = dependencies;
  return async (message) => {
    if (recipients.length === 0) return;
    const payload = message.payload as AlertPayload;
    const kind = typeof payload.kind === 'string' ? payload.kind : 'alert';
    const text = typeof payload.message === 'string' ? payload.message : kind;
    await database.transaction(async (tx) => {
      const reached = new Set(
        (
          await tx.query<{ recipient: string }>(
            `SELECT recipient FROM outbox WHERE topic = $1 AND payload->>'alert_id' = $2`,
            [notificationTopic, message.id],
          )
        ).map((row) => row.recipient),
      );
      for (const recipient of recipients) {
        if (reached.has(recipient.to)) continue;
        const notification: OutgoingMessage = {
          channel: recipient.channel,
          to: recipient.to,
          subject: `Rearguard alert: ${kind.replaceAll('_', ' ')}`,
          text: recipient.channel === 'sms' ? text.slice(0, 300) : `${text}\n\nOpen the console to acknowledge it.`,
          kind: 'ops_alert',
        };
        await enqueue(tx, ids, {
          topic: notificationTopic,
          recipient: recipient.to,
          payload: { ...notification, alert_id: message.id },
          at: new Date(clock.now()),
        });
      }
    });
  };
}
