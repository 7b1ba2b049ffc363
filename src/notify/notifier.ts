// The Notifier port: e-mail, SMS and letters to a consumer, always sent from the outbox so a message commits with its fact.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueue, type OutboxHandler } from '../outbox/outbox.ts';

export const notificationChannels = ['email', 'sms', 'letter'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/** A postal address as a print-and-mail service needs it. */
export interface PostalAddress {
  readonly name: string;
  readonly street: string;
  readonly house_number: string;
  readonly postal_code: string;
  readonly city: string;
  readonly country: string;
}

export interface OutgoingMessage {
  readonly channel: NotificationChannel;
  /** E-mail address, phone number, or for a letter the addressee and address on one line. */
  readonly to: string;
  /** Letters only: where the letter goes. */
  readonly address?: PostalAddress;
  readonly subject: string;
  readonly text: string;
  /** E-mail only: the same message as HTML (the text stays the plain-text part). */
  readonly html?: string;
  /** What the message is about (step_up_code, sign_in_code, order_notice), for the dev outbox page and metrics. */
  readonly kind: string;
}

export interface Notifier {
  /** Resolves once the message was handed over; throwing means the outbox tries again later. */
  send(message: OutgoingMessage): Promise<void>;
}

export const notificationTopic = 'notification';

export async function enqueueNotification(
  tx: SqlExecutor,
  ids: Ids,
  message: OutgoingMessage,
  at: Date,
  onlyIf?: Parameters<typeof enqueue>[3],
): Promise<string> {
  return enqueue(tx, ids, { topic: notificationTopic, recipient: message.to, payload: { ...message }, at }, onlyIf);
}

/** Messages whose text is a secret (a one-time code) that should not outlive its delivery. */
const secretKinds = new Set(['step_up_code', 'sign_in_code']);

/**
 * The outbox handler that hands each notification to the notifier configured for its channel. Once a real notifier
 * delivered a code, the code is removed from the stored message: the database then holds it only as a hash.
 */
export function makeNotificationHandler(
  notifiers: Readonly<Partial<Record<NotificationChannel, Notifier>>>,
  database?: SqlExecutor,
): OutboxHandler {
  return async (message) => {
    const payload = message.payload as unknown as OutgoingMessage;
    const notifier = notifiers[payload.channel] as Notifier | undefined;
    if (!notifier) throw new Error(`no notifier for channel ${String(payload.channel)}`);
    await notifier.send(payload);
    if (database && notifier !== outboxNotifier && secretKinds.has(payload.kind)) {
      await database.query(
        `UPDATE outbox SET payload = (payload - 'html') || '{"text":"(delivered; code removed)"}'::jsonb WHERE id = $1`,
        [message.id],
      );
    }
  };
}

/** Development: the message stays readable in the outbox (GET /v1/admin/outbox, /admin/outbox); nothing leaves. */
export const outboxNotifier: Notifier = { send: async () => {} };
