// Carriers and their tracking events: each carrier signs its events with its own key; a redirect of a parcel on an
// order under claim or with delivery conditions is refused in the answer and raises an alert for the monitoring desk.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import { isUniqueViolation, type Database, type SqlExecutor } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { verifySignature } from '../webhooks/webhook.signature.ts';
import { opsAlertTopic } from '../protection/case.sla.ts';
import type { CarrierEventInput } from './orders.schema.ts';
import * as repository from './orders.repository.ts';
import type { ManagedOrder, ShipmentRow, ShipmentStatus } from './orders.repository.ts';

export type CarrierAnswer =
  | { readonly result: 'accepted'; readonly shipment_status: ShipmentStatus }
  | { readonly result: 'redirect_allowed' }
  | { readonly result: 'redirect_refused'; readonly reason: 'order_under_claim' | 'delivery_conditions' };

/** Statuses a shipment can no longer leave: a later "in transit" must not undo "delivered". */
const finalStatuses: readonly ShipmentStatus[] = ['delivered', 'returned_to_sender'];

/** Pure: whether a parcel of this order may be redirected, and why not. */
export function redirectRefusal(
  order: Pick<ManagedOrder, 'status' | 'delivery_requirements'>,
  openClaims: number,
): 'order_under_claim' | 'delivery_conditions' | null {
  if (openClaims > 0 || ['claimed', 'fraud_confirmed', 'claim_upheld'].includes(order.status)) {
    return 'order_under_claim';
  }
  // Conditions are set at approval because the risk called for them; any redirect could defeat them.
  if (order.delivery_requirements.length > 0) return 'delivery_conditions';
  return null;
}

export function makeCarriersService(dependencies: { database: Database; clock: Clock; ids: Ids }) {
  const { database, clock, ids } = dependencies;

  async function create(input: { code: string; name: string }) {
    const carrier = {
      id: ids.next('car'),
      code: input.code,
      name: input.name,
      secret: `rg_carrier_${randomBytes(24).toString('base64url')}`,
      created_at: new Date(clock.now()),
    };
    try {
      await repository.insertCarrier(database, carrier);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError(409, 'carrier_exists', 'a carrier with this code exists', 'code');
      throw error;
    }
    // The signing key is shown once; the carrier signs every event with it.
    return { id: carrier.id, code: carrier.code, name: carrier.name, signing_key: carrier.secret };
  }

  /** Authenticates a carrier's delivery by its signature over the raw body, then applies the event once. */
  async function receive(
    code: string,
    delivery: { rawBody: string | undefined; signature: string | undefined; event: CarrierEventInput },
  ) {
    const carrier = await repository.findCarrierByCode(database, code);
    const check =
      carrier && delivery.rawBody !== undefined
        ? verifySignature(carrier.secret, delivery.signature, delivery.rawBody, clock.now())
        : null;
    // An unknown carrier and a bad signature look the same: no hint which carrier codes exist.
    if (!carrier || !check?.ok) {
      throw new ApiError(
        401,
        'invalid_signature',
        'a valid Rearguard-Signature by a registered carrier is required',
        'Rearguard-Signature',
      );
    }
    return apply(carrier, delivery.event);
  }

  async function apply(carrier: repository.CarrierRow, event: CarrierEventInput) {
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      const seen = await repository.findCarrierEvent(tx, carrier.id, event.event_id);
      if (seen) return { status: 200, body: { ...seen.answer, duplicate: true } };
      const shipment = await repository.findShipmentByTracking(tx, carrier.code, event.tracking_number);
      if (!shipment) {
        throw new ApiError(
          404,
          'unknown_tracking_number',
          'no shipment of this carrier has that tracking number',
          'tracking_number',
        );
      }
      const order = (await repository.findOrder(tx, shipment.order_id, { forUpdate: true }))!;
      const answer = await answerEvent(tx, carrier, event, shipment, order, at);
      const stored = await repository.insertCarrierEvent(tx, {
        id: ids.next('cev'),
        carrier_id: carrier.id,
        event_id: event.event_id,
        shipment_id: shipment.id,
        kind: event.kind,
        answer,
        occurred_at: event.occurred_at ? new Date(event.occurred_at) : at,
        received_at: at,
      });
      // A concurrent delivery of the same event won the race: roll back ours, the carrier's retry gets the answer.
      if (!stored) throw new ApiError(409, 'event_in_progress', 'this event is being processed; retry', 'event_id');
      return { status: 200, body: { ...answer, duplicate: false } };
    });
  }

  async function answerEvent(
    tx: SqlExecutor,
    carrier: repository.CarrierRow,
    event: CarrierEventInput,
    shipment: ShipmentRow,
    order: ManagedOrder,
    at: Date,
  ): Promise<CarrierAnswer> {
    const details = {
      shipment_id: shipment.id,
      carrier: carrier.code,
      tracking_number: shipment.tracking_number,
      carrier_event_id: event.event_id,
      occurred_at: event.occurred_at ?? at.toISOString(),
    };
    const history = (name: string, extra: Record<string, unknown> = {}) =>
      repository.insertOrderEvent(tx, {
        id: ids.next('oev'),
        order_id: order.id,
        event: name,
        from_state: order.state,
        to_state: order.state,
        actor: `carrier:${carrier.code}`,
        details: { ...details, ...extra },
        exposure: null,
        at,
      });
    if (event.kind === 'redirect_requested') {
      const claims = await repository.openClaimsOf(tx, order.id);
      const refusal = redirectRefusal(order, claims.length);
      if (refusal === null) {
        await history('shipment_redirect_allowed', { redirect: event.redirect ?? null });
        return { result: 'redirect_allowed' };
      }
      await history('shipment_redirect_refused', { reason: refusal, redirect: event.redirect ?? null });
      await raiseRedirectAlert(tx, shipment, order, refusal, at);
      await enqueueWebhook(tx, ids, {
        merchantId: order.merchant_id,
        event: 'shipment.redirect_refused',
        payload: { order_id: order.id, ...details, reason: refusal },
        at,
      });
      return { result: 'redirect_refused', reason: refusal };
    }
    const status: ShipmentStatus = event.kind;
    const next = finalStatuses.includes(shipment.status) ? shipment.status : status;
    if (next !== shipment.status) await repository.updateShipmentStatus(tx, shipment.id, next, at);
    await history(`shipment_${event.kind}`);
    await enqueueWebhook(tx, ids, {
      merchantId: order.merchant_id,
      event: `shipment.${event.kind}`,
      payload: { order_id: order.id, merchant_reference: order.merchant_reference, ...details, status: next },
      at,
    });
    return { result: 'accepted', shipment_status: next };
  }

  /** Reuses the monitoring desk's alerts (as for case SLA breaches): one per shipment, also sent through the outbox. */
  async function raiseRedirectAlert(
    tx: SqlExecutor,
    shipment: ShipmentRow,
    order: ManagedOrder,
    reason: string,
    at: Date,
  ) {
    const message = `redirect of ${shipment.carrier} parcel ${shipment.tracking_number} (order ${order.id}) refused: ${reason.replaceAll('_', ' ')}`;
    await tx.query(
      `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ($1, 'redirect_refused', $2, $3, $4)
       ON CONFLICT (kind, subject_id) DO NOTHING`,
      [ids.next('alr'), shipment.id, message, at],
    );
    await enqueue(tx, ids, {
      topic: opsAlertTopic,
      recipient: null,
      payload: { kind: 'redirect_refused', order_id: order.id, shipment_id: shipment.id, reason, message },
      at,
    });
  }

  return { create, receive };
}

export type CarriersService = ReturnType<typeof makeCarriersService>;
