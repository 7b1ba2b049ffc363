// The webhook events a subscriber may choose, as one const tuple shared by validation, OpenAPI and the emitters.
export const webhookEvents = [
  'order.approved',
  'order.claimed',
  'order.hold_shipment',
  'order.lock_delivery_address',
  'case.resolved',
  'invoice.paused',
  'invoice.resumed',
  'invoice.paid',
  'invoice.written_off',
  // The order life-cycle (src/orders): one event per transition, and what carriers report about shipments.
  'order.captured',
  'order.partially_captured',
  'order.cancelled',
  'order.remainder_cancelled',
  'order.expired',
  'order.remainder_expired',
  'order.refunded',
  'order.partially_refunded',
  'order.closed',
  'shipment.in_transit',
  'shipment.delivered',
  'shipment.returned_to_sender',
  'shipment.redirect_refused',
] as const;

export type WebhookEvent = (typeof webhookEvents)[number];

/** The topic under which webhook deliveries travel through the outbox. */
export const webhookTopic = 'webhook';
