// Announces an event to every endpoint of a merchant subscribed to it: one outbox message each, in the caller's transaction.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';
import { subscribedEndpoints } from './webhooks.repository.ts';
import { webhookTopic, type WebhookEvent } from './webhook.events.ts';

/** What travels in the outbox for one endpoint; the signed body is built from it at delivery time. */
export interface WebhookMessage {
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event: WebhookEvent;
  readonly created_at: string;
  readonly data: Record<string, unknown>;
}

/**
 * Call inside the transaction that makes the fact true, so the announcement commits with it or not at all.
 * Returns the event id (shared by every endpoint's copy, so receivers can de-duplicate) and the outbox ids.
 */
export async function enqueueWebhook(
  tx: SqlExecutor,
  ids: Ids,
  event: { merchantId: string | null; event: WebhookEvent; payload: Record<string, unknown>; at: Date },
): Promise<{ eventId: string; outboxIds: string[] }> {
  const eventId = ids.next('evt');
  if (event.merchantId === null) return { eventId, outboxIds: [] };
  const endpoints = await subscribedEndpoints(tx, event.merchantId, event.event);
  const outboxIds: string[] = [];
  for (const endpoint of endpoints) {
    const message: WebhookMessage = {
      endpoint_id: endpoint.id,
      event_id: eventId,
      event: event.event,
      created_at: event.at.toISOString(),
      data: event.payload,
    };
    outboxIds.push(
      await enqueue(tx, ids, {
        topic: webhookTopic,
        recipient: endpoint.id,
        payload: message as unknown as Record<string, unknown>,
        at: event.at,
      }),
    );
  }
  return { eventId, outboxIds };
}
