// SMS through an HTTP gateway: POST {to, text} as JSON with a bearer token; any non-2xx is retried by the outbox.
import type { Notifier } from './notifier.ts';

export function makeSmsGatewayNotifier(options: {
  url: string;
  token?: string | undefined;
  timeoutMilliseconds?: number;
}): Notifier {
  return {
    async send(message) {
      if (message.channel !== 'sms') throw new Error(`the SMS gateway sends SMS, not ${message.channel}`);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ to: message.to, text: message.text }),
        signal: AbortSignal.timeout(options.timeoutMilliseconds ?? 10_000),
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}
