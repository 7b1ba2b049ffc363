// The outbox handler for webhooks: signs the body, POSTs it, logs the attempt; a failure throws so the outbox retries.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { OutboxHandler } from '../outbox/outbox.ts';
import { findEndpointById, insertDelivery } from './webhooks.repository.ts';
import { signatureHeader, signatureHeaderValue } from './webhook.signature.ts';
import type { WebhookMessage } from './webhook.enqueue.ts';
import { postWebhook, type WebhookTransport } from './webhook.transport.ts';

export interface WebhookDeliveryDependencies {
  readonly database: SqlExecutor;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly timeoutMilliseconds: number;
  readonly allowPrivateUrls: boolean;
  /** Injected so a future egress proxy can supply its own; defaults to a pinned-address POST. */
  readonly transport?: WebhookTransport;
}

/** The JSON body a receiver gets; the signature covers exactly these bytes. */
export function webhookBody(message: WebhookMessage): string {
  return JSON.stringify({
    id: message.event_id,
    type: message.event,
    created_at: message.created_at,
    data: message.data,
  });
}

export function makeWebhookDeliveryHandler(dependencies: WebhookDeliveryDependencies): OutboxHandler {
  const { database, clock, ids } = dependencies;
  const send = dependencies.transport ?? postWebhook;
  return async (outboxMessage) => {
    const message = outboxMessage.payload as unknown as WebhookMessage;
    const endpoint = await findEndpointById(database, message.endpoint_id);
    // A deleted endpoint no longer wants the event: the message is done, not failed.
    if (!endpoint || endpoint.deleted_at !== null) return;
    const body = webhookBody(message);
    const timestampSeconds = Math.floor(clock.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const response = await send({
        url: endpoint.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Rearguard-Webhooks/1',
          [signatureHeader]: signatureHeaderValue(endpoint.secret, timestampSeconds, body),
          'Rearguard-Event': message.event,
          'Rearguard-Event-Id': message.event_id,
        },
        body,
        timeoutMilliseconds: dependencies.timeoutMilliseconds,
        allowPrivateUrls: dependencies.allowPrivateUrls,
      });
      statusCode = response.status;
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
    } catch (failure) {
      error = String((failure as Error)?.message ?? failure).slice(0, 300);
    }
    await insertDelivery(database, {
      id: ids.next('whd'),
      endpoint_id: endpoint.id,
      outbox_id: outboxMessage.id,
      event_id: message.event_id,
      event: message.event,
      attempt: outboxMessage.attempts + 1,
      status_code: statusCode,
      error,
      duration_ms: Math.round(performance.now() - started),
      attempted_at: new Date(clock.now()),
    });
    if (error !== null) throw new Error(error);
  };
}
