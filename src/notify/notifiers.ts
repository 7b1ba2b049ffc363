// Chooses the notifier per channel from the config: the outbox for development; SMTP, an SMS gateway and a
// print-and-mail service in production.
import type { Config } from '../config.ts';
import { outboxNotifier, type NotificationChannel, type Notifier } from './notifier.ts';
import { makeSmtpNotifier } from './smtp.notifier.ts';
import { makeSmsGatewayNotifier } from './sms-gateway.notifier.ts';
import { makeLetterServiceNotifier } from './letter-service.notifier.ts';

export function makeNotifiers(config: Config['notifier']): Record<NotificationChannel, Notifier> {
  return {
    email:
      config.email === 'smtp' && config.smtpUrl
        ? makeSmtpNotifier({ url: config.smtpUrl, from: config.mailFrom })
        : outboxNotifier,
    sms:
      config.sms === 'http' && config.smsGatewayUrl
        ? makeSmsGatewayNotifier({ url: config.smsGatewayUrl, token: config.smsGatewayToken })
        : outboxNotifier,
    letter:
      config.letter === 'http' && config.letterServiceUrl
        ? makeLetterServiceNotifier({ url: config.letterServiceUrl, token: config.letterServiceToken })
        : outboxNotifier,
  };
}
