// Storage of webhook endpoints and the delivery log; plain SQL, no business logic.
import { keysetSql } from '../http/list-envelope.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { makeTableCache } from '../storage/table-cache.ts';

export interface EndpointRow {
  id: string;
  merchant_id: string;
  url: string;
  events: string[];
  secret: string;
  created_at: Date;
  deleted_at: Date | null;
}

export interface DeliveryRow {
  seq: number;
  id: string;
  endpoint_id: string;
  outbox_id: string;
  event_id: string;
  event: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: Date;
}

export async function insertEndpoint(db: SqlExecutor, row: Omit<EndpointRow, 'deleted_at'>): Promise<void> {
  await db.query(
    `INSERT INTO webhook_endpoints (id, merchant_id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [row.id, row.merchant_id, row.url, JSON.stringify(row.events), row.secret, row.created_at],
  );
}

export async function listEndpoints(
  db: SqlExecutor,
  merchantId: string,
  page: { limit: number; after: readonly [string, string] | null },
): Promise<EndpointRow[]> {
  const keyset = keysetSql({ columns: ['created_at', 'id'], direction: 'asc' }, page, 2);
  return db.query<EndpointRow>(
    `SELECT * FROM webhook_endpoints WHERE merchant_id = $1 AND deleted_at IS NULL AND ${keyset.where} ${keyset.orderBy}`,
    [merchantId, ...keyset.params],
  );
}

export async function findEndpoint(db: SqlExecutor, merchantId: string, id: string): Promise<EndpointRow | null> {
  const [row] = await db.query<EndpointRow>(
    `SELECT * FROM webhook_endpoints WHERE merchant_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [merchantId, id],
  );
  return row ?? null;
}

export async function findEndpointById(db: SqlExecutor, id: string): Promise<EndpointRow | null> {
  const [row] = await db.query<EndpointRow>(`SELECT * FROM webhook_endpoints WHERE id = $1`, [id]);
  return row ?? null;
}

// Every approval announces itself to the merchant's endpoints: they are read once per change, not per approval.
const liveEndpoints = makeTableCache('webhook_endpoints', (db, merchantId) =>
  db.query<EndpointRow>(
    `SELECT id, merchant_id, url, events, secret, created_at, deleted_at FROM webhook_endpoints
     WHERE merchant_id = $1 AND deleted_at IS NULL ORDER BY id`,
    [merchantId],
  ),
);

export async function subscribedEndpoints(db: SqlExecutor, merchantId: string, event: string): Promise<EndpointRow[]> {
  const endpoints = await liveEndpoints.get(db, merchantId);
  return endpoints.filter((endpoint) => endpoint.events.includes(event));
}

export async function deleteEndpoint(db: SqlExecutor, merchantId: string, id: string, at: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_endpoints SET deleted_at = $3 WHERE merchant_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
    [merchantId, id, at],
  );
  return rows.length > 0;
}

export async function insertDelivery(db: SqlExecutor, row: Omit<DeliveryRow, 'seq'>): Promise<void> {
  await db.query(
    `INSERT INTO webhook_deliveries (id, endpoint_id, outbox_id, event_id, event, attempt, status_code, error, duration_ms, attempted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      row.id,
      row.endpoint_id,
      row.outbox_id,
      row.event_id,
      row.event,
      row.attempt,
      row.status_code,
      row.error,
      row.duration_ms,
      row.attempted_at,
    ],
  );
}

export async function listDeliveries(
  db: SqlExecutor,
  endpointId: string,
  page: { limit: number; after: readonly [number] | null },
): Promise<DeliveryRow[]> {
  const keyset = keysetSql({ columns: ['seq'], direction: 'desc' }, page, 2);
  return db.query<DeliveryRow>(
    `SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND ${keyset.where} ${keyset.orderBy}`,
    [endpointId, ...keyset.params],
  );
}
