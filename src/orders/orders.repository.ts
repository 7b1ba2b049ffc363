// Storage of the order life-cycle: orders' figures, captures, refunds, shipments, carriers and the history. SQL only.
import type { SqlExecutor } from '../storage/database.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import type { OrderState } from './order.state-machine.ts';

export const captureModes = ['on_approval', 'on_shipment'] as const;
export type CaptureMode = (typeof captureModes)[number];

export interface ManagedOrder {
  id: string;
  session_id: string | null;
  merchant_id: string | null;
  account_id: string;
  merchant_reference: string | null;
  amount: number;
  currency: string;
  /** The buyer-protection status (approved, claimed, fraud_confirmed, claim_upheld): not the life-cycle state. */
  status: string;
  state: OrderState;
  captured_amount: number;
  refunded_amount: number;
  authorization_expires_at: Date | null;
  delivery_requirements: string[];
  input: SessionInput;
  placed_at: Date;
}

const orderColumns = `id, session_id, merchant_id, account_id, merchant_reference, amount, currency, status, state,
  COALESCE(captured_amount, amount) AS captured_amount, refunded_amount, authorization_expires_at,
  delivery_requirements, input, placed_at`;

/** BIGINT columns arrive as strings from node-postgres and as numbers from PGlite. */
const normalise = (row: ManagedOrder): ManagedOrder => ({
  ...row,
  amount: Number(row.amount),
  captured_amount: Number(row.captured_amount),
  refunded_amount: Number(row.refunded_amount),
  delivery_requirements: Array.isArray(row.delivery_requirements) ? row.delivery_requirements : [],
});

export async function findOrder(
  db: SqlExecutor,
  orderId: string,
  options: { merchantId?: string; forUpdate?: boolean } = {},
): Promise<ManagedOrder | null> {
  const [row] = await db.query<ManagedOrder>(
    `SELECT ${orderColumns} FROM orders WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2)${
      options.forUpdate ? ' FOR UPDATE' : ''
    }`,
    [orderId, options.merchantId ?? null],
  );
  return row ? normalise(row) : null;
}

export async function updateFigures(
  db: SqlExecutor,
  orderId: string,
  figures: { state: OrderState; captured: number; refunded: number; expiresAt?: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE orders SET state = $2, captured_amount = $3, refunded_amount = $4,
       authorization_expires_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE authorization_expires_at END
     WHERE id = $1`,
    [
      orderId,
      figures.state,
      figures.captured,
      figures.refunded,
      figures.expiresAt !== undefined,
      figures.expiresAt ?? null,
    ],
  );
}

export async function captureModeOf(db: SqlExecutor, merchantId: string): Promise<CaptureMode> {
  const [row] = await db.query<{ capture_mode: CaptureMode }>('SELECT capture_mode FROM merchants WHERE id = $1', [
    merchantId,
  ]);
  return row?.capture_mode ?? 'on_approval';
}

export async function setCaptureMode(db: SqlExecutor, merchantId: string, mode: CaptureMode): Promise<void> {
  await db.query('UPDATE merchants SET capture_mode = $2 WHERE id = $1', [merchantId, mode]);
}

export interface CaptureRow {
  id: string;
  order_id: string;
  amount: number;
  currency: string;
  lines: unknown[];
  carrier: string | null;
  tracking_numbers: string[];
  created_at: Date;
}

export async function insertCapture(db: SqlExecutor, row: CaptureRow): Promise<void> {
  await db.query(
    `INSERT INTO order_captures (id, order_id, amount, currency, lines, carrier, tracking_numbers, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      row.order_id,
      row.amount,
      row.currency,
      JSON.stringify(row.lines),
      row.carrier,
      JSON.stringify(row.tracking_numbers),
      row.created_at,
    ],
  );
}

export const capturesOf = async (db: SqlExecutor, orderId: string) =>
  (await db.query<CaptureRow>('SELECT * FROM order_captures WHERE order_id = $1 ORDER BY seq', [orderId])).map(
    (row) => ({ ...row, amount: Number(row.amount) }),
  );

export interface RefundRow {
  id: string;
  order_id: string;
  amount: number;
  currency: string;
  lines: unknown[];
  reason: string;
  refunded_to_consumer: number;
  created_at: Date;
}

export async function insertRefund(db: SqlExecutor, row: RefundRow): Promise<void> {
  await db.query(
    `INSERT INTO order_refunds (id, order_id, amount, currency, lines, reason, refunded_to_consumer, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      row.order_id,
      row.amount,
      row.currency,
      JSON.stringify(row.lines),
      row.reason,
      row.refunded_to_consumer,
      row.created_at,
    ],
  );
}

export const refundsOf = async (db: SqlExecutor, orderId: string) =>
  (await db.query<RefundRow>('SELECT * FROM order_refunds WHERE order_id = $1 ORDER BY seq', [orderId])).map((row) => ({
    ...row,
    amount: Number(row.amount),
    refunded_to_consumer: Number(row.refunded_to_consumer),
  }));

export const shipmentStatuses = ['shipped', 'in_transit', 'delivered', 'returned_to_sender'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

export interface ShipmentRow {
  id: string;
  order_id: string;
  capture_id: string;
  carrier: string;
  tracking_number: string;
  status: ShipmentStatus;
  created_at: Date;
  updated_at: Date;
}

/** Inserts a shipment unless that carrier's tracking number is known already; returns whether it was new. */
export async function insertShipment(db: SqlExecutor, row: Omit<ShipmentRow, 'updated_at'>): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO shipments (id, order_id, capture_id, carrier, tracking_number, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (carrier, tracking_number) DO NOTHING RETURNING id`,
    [row.id, row.order_id, row.capture_id, row.carrier, row.tracking_number, row.status, row.created_at],
  );
  return inserted.length > 0;
}

export const shipmentsOf = (db: SqlExecutor, orderId: string) =>
  db.query<ShipmentRow>('SELECT * FROM shipments WHERE order_id = $1 ORDER BY seq', [orderId]);

export const shipmentsOfOrders = (db: SqlExecutor, orderIds: readonly string[]) =>
  db.query<ShipmentRow>('SELECT * FROM shipments WHERE order_id = ANY($1::text[]) ORDER BY seq', [orderIds]);

export async function findShipmentByTracking(
  db: SqlExecutor,
  carrier: string,
  trackingNumber: string,
): Promise<ShipmentRow | null> {
  const [row] = await db.query<ShipmentRow>(
    'SELECT * FROM shipments WHERE carrier = $1 AND tracking_number = $2 FOR UPDATE',
    [carrier, trackingNumber],
  );
  return row ?? null;
}

export async function updateShipmentStatus(db: SqlExecutor, id: string, status: ShipmentStatus, at: Date) {
  await db.query('UPDATE shipments SET status = $2, updated_at = $3 WHERE id = $1', [id, status, at]);
}

export interface OrderEventRow {
  id: string;
  order_id: string;
  event: string;
  from_state: string;
  to_state: string;
  actor: string;
  details: Record<string, unknown>;
  exposure: number | null;
  at: Date;
}

export async function insertOrderEvent(db: SqlExecutor, row: OrderEventRow): Promise<void> {
  await db.query(
    `INSERT INTO order_events (id, order_id, event, from_state, to_state, actor, details, exposure, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      row.id,
      row.order_id,
      row.event,
      row.from_state,
      row.to_state,
      row.actor,
      JSON.stringify(row.details),
      row.exposure,
      row.at,
    ],
  );
}

export const orderEventsOf = async (db: SqlExecutor, orderId: string) =>
  (await db.query<OrderEventRow>('SELECT * FROM order_events WHERE order_id = $1 ORDER BY seq', [orderId])).map(
    (row) => ({ ...row, exposure: row.exposure === null ? null : Number(row.exposure) }),
  );

export async function insertPayoutEntry(
  db: SqlExecutor,
  row: {
    id: string;
    merchant_id: string;
    order_id: string;
    amount: number;
    currency: string;
    kind: 'capture' | 'refund';
    reference_id: string;
    at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO payout_entries (id, merchant_id, order_id, amount, currency, kind, reference_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.id, row.merchant_id, row.order_id, row.amount, row.currency, row.kind, row.reference_id, row.at],
  );
}

/** Orders whose authorization ran out before it was captured in full. */
export const expiredAuthorizations = (db: SqlExecutor, now: Date) =>
  db.query<{ id: string }>(
    `SELECT id FROM orders WHERE state IN ('authorized', 'partially_captured') AND authorization_expires_at <= $1
     ORDER BY authorization_expires_at, id LIMIT 500`,
    [now],
  );

export interface CarrierRow {
  id: string;
  code: string;
  name: string;
  secret: string;
  created_at: Date;
}

export async function insertCarrier(db: SqlExecutor, row: CarrierRow): Promise<void> {
  await db.query('INSERT INTO carriers (id, code, name, secret, created_at) VALUES ($1, $2, $3, $4, $5)', [
    row.id,
    row.code,
    row.name,
    row.secret,
    row.created_at,
  ]);
}

export async function findCarrierByCode(db: SqlExecutor, code: string): Promise<CarrierRow | null> {
  const [row] = await db.query<CarrierRow>('SELECT * FROM carriers WHERE code = $1', [code]);
  return row ?? null;
}

export async function findCarrierEvent(db: SqlExecutor, carrierId: string, eventId: string) {
  const [row] = await db.query<{ answer: Record<string, unknown> }>(
    'SELECT answer FROM carrier_events WHERE carrier_id = $1 AND event_id = $2',
    [carrierId, eventId],
  );
  return row ?? null;
}

export async function insertCarrierEvent(
  db: SqlExecutor,
  row: {
    id: string;
    carrier_id: string;
    event_id: string;
    shipment_id: string;
    kind: string;
    answer: Record<string, unknown>;
    occurred_at: Date;
    received_at: Date;
  },
): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO carrier_events (id, carrier_id, event_id, shipment_id, kind, answer, occurred_at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (carrier_id, event_id) DO NOTHING RETURNING id`,
    [
      row.id,
      row.carrier_id,
      row.event_id,
      row.shipment_id,
      row.kind,
      JSON.stringify(row.answer),
      row.occurred_at,
      row.received_at,
    ],
  );
  return inserted.length > 0;
}

export const openClaimsOf = (db: SqlExecutor, orderId: string) =>
  db.query<{ id: string; kind: string }>(`SELECT id, kind FROM claims WHERE order_id = $1 AND status = 'open'`, [
    orderId,
  ]);
