// Webhook endpoint use cases for merchants: register (secret shown once), list, delete, read the delivery log.
import { tableChanged } from '../storage/table-cache.ts';
import { toPage } from '../http/list-envelope.ts';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import { urlAllowed } from './webhook.url-policy.ts';
import type { Database } from '../storage/database.ts';
import type { Merchant } from '../http/route.ts';
import * as repository from './webhooks.repository.ts';
import type { WebhookEvent } from './webhook.events.ts';

export function presentEndpoint(row: repository.EndpointRow) {
  return { id: row.id, url: row.url, events: row.events, created_at: row.created_at.toISOString() };
}

export function presentDelivery(row: repository.DeliveryRow) {
  return {
    id: row.id,
    event_id: row.event_id,
    event: row.event,
    attempt: row.attempt,
    succeeded: row.error === null,
    status_code: row.status_code,
    error: row.error,
    duration_ms: row.duration_ms,
    attempted_at: row.attempted_at.toISOString(),
  };
}

export function makeWebhooksService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  allowPrivateUrls: boolean;
}) {
  const { database, clock, ids } = dependencies;

  async function register(merchant: Merchant, input: { url: string; events: readonly WebhookEvent[] }) {
    if (!urlAllowed(input.url, dependencies.allowPrivateUrls)) {
      throw new ApiError(
        400,
        'webhook_url_not_allowed',
        'url: must be a public host, not a private or local address',
        'url',
      );
    }
    const row = {
      id: ids.next('whk'),
      merchant_id: merchant.id,
      url: input.url,
      events: [...new Set(input.events)],
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
      created_at: new Date(clock.now()),
    };
    await repository.insertEndpoint(database, row);
    tableChanged('webhook_endpoints');
    // The only time the secret leaves the server: the merchant stores it to verify signatures.
    return { ...presentEndpoint({ ...row, deleted_at: null }), secret: row.secret };
  }

  async function list(merchant: Merchant, page: { limit: number; after: readonly [string, string] | null }) {
    const rows = await repository.listEndpoints(database, merchant.id, page);
    return toPage(rows, page.limit, (row) => [row.created_at.toISOString(), row.id], presentEndpoint);
  }

  async function remove(merchant: Merchant, id: string) {
    if (!(await repository.deleteEndpoint(database, merchant.id, id, new Date(clock.now())))) {
      throw notFound('webhook endpoint');
    }
    tableChanged('webhook_endpoints');
  }

  async function deliveries(merchant: Merchant, id: string, page: { limit: number; after: readonly [number] | null }) {
    const endpoint = await repository.findEndpoint(database, merchant.id, id);
    if (!endpoint) throw notFound('webhook endpoint');
    const rows = await repository.listDeliveries(database, endpoint.id, page);
    return toPage(rows, page.limit, (row) => [Number(row.seq)], presentDelivery);
  }

  return { register, list, remove, deliveries };
}

export type WebhooksService = ReturnType<typeof makeWebhooksService>;
