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
  'session.review_approved',
  'session.review_declined',
] as const;

export type WebhookEvent = (typeof webhookEvents)[number];

/** The topic under which webhook deliveries travel through the outbox. */
export const webhookTopic = 'webhook';
