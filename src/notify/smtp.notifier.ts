// E-mail through an SMTP server (nodemailer): plain text, so links and codes read the same in every mail client.
import nodemailer from 'nodemailer';
import type { Notifier } from './notifier.ts';

export function makeSmtpNotifier(options: { url: string; from: string }): Notifier & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      if (message.channel !== 'email') throw new Error(`the SMTP notifier sends e-mail, not ${message.channel}`);
      await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}
