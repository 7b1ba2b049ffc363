// E-mail through an SMTP server (nodemailer): plain text always, HTML alongside when the message has it.
import nodemailer from 'nodemailer';
import type { Notifier } from './notifier.ts';

export function makeSmtpNotifier(options: { url: string; from: string }): Notifier & { close(): void } {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(message) {
      if (message.channel !== 'email') throw new Error(`the SMTP notifier sends e-mail, not ${message.channel}`);
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
      });
    },
    close: () => transport.close(),
  };
}
