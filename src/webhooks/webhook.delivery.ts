// The outbox handler for webhooks: signs the body, POSTs it, logs the attempt; a failure throws so the outbox retries.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { OutboxHandler } from '../outbox/outbox.ts';
import { findEndpointById, insertDelivery } from './webhooks.repository.ts';
import { signatureHeader, signatureHeaderValue } from './webhook.signature.ts';
import type { WebhookMessage } from './webhook.enqueue.ts';
import { resolvesToPublic } from './webhook.url-policy.ts';

export interface WebhookDeliveryDependencies {
  readonly database: SqlExecutor;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly timeoutMilliseconds: number;
  readonly allowPrivateUrls: boolean;
  /** Injected so tests (and a future egress proxy) can supply their own; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
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
  const send = dependencies.fetch ?? fetch;
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
      if (!(await resolvesToPublic(endpoint.url, dependencies.allowPrivateUrls))) {
        throw new Error('the endpoint resolves to a private address');
      }
      const response = await send(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Rearguard-Webhooks/1',
          [signatureHeader]: signatureHeaderValue(endpoint.secret, timestampSeconds, body),
          'Rearguard-Event': message.event,
          'Rearguard-Event-Id': message.event_id,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(dependencies.timeoutMilliseconds),
      });
      statusCode = response.status;
      // Drain the body so the connection is released; its content is not ours to keep.
      await response.arrayBuffer().catch(() => undefined);
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
