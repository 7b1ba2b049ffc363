// Letters through a print-and-mail service: POST {to, address, subject, text} as JSON with a bearer token; the
// service prints and posts it. Any non-2xx is retried by the outbox.
import type { Notifier } from './notifier.ts';

export function makeLetterServiceNotifier(options: {
  url: string;
  token?: string | undefined;
  timeoutMilliseconds?: number;
}): Notifier {
  return {
    async send(message) {
      if (message.channel !== 'letter' || message.address === undefined)
        throw new Error(`the print-and-mail service sends letters with an address, not ${message.channel}`);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({
          to: message.to,
          address: message.address,
          subject: message.subject,
          text: message.text,
          kind: message.kind,
        }),
        signal: AbortSignal.timeout(options.timeoutMilliseconds ?? 10_000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`print-and-mail service answered ${response.status}`);
    },
  };
}
