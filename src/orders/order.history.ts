// Records one transition of an order: its new figures, a history row, the merchant's webhook and the consumer's exposure.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { InvoiceRow } from '../invoicing/invoice.transitions.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import type { WebhookEvent } from '../webhooks/webhook.events.ts';
import {
  capturable,
  transition,
  type OrderCommand,
  type OrderEventName,
  type OrderFigures,
  type TransitionError,
} from './order.state-machine.ts';
import { outstanding } from '../invoicing/invoice.transitions.ts';
import * as repository from './orders.repository.ts';
import type { ManagedOrder } from './orders.repository.ts';

export const figuresOf = (order: ManagedOrder): OrderFigures => ({
  state: order.state,
  authorized: order.amount,
  captured: order.captured_amount,
  refunded: order.refunded_amount,
});

/** What the consumer may still owe on the order: the open authorization plus the invoice's outstanding amount. */
export const exposureOf = (figures: OrderFigures, invoice: InvoiceRow | null) =>
  capturable(figures) + (invoice ? outstanding(invoice) : 0);

export type Planned =
  | { readonly ok: true; readonly event: OrderEventName; readonly before: OrderFigures; readonly after: OrderFigures }
  | { readonly ok: false; readonly error: TransitionError };

export function plan(order: ManagedOrder, command: OrderCommand): Planned {
  const before = figuresOf(order);
  const result = transition(before, command);
  return result.ok ? { ok: true, event: result.event, before, after: result.figures } : result;
}

/**
 * Writes a planned transition in the caller's transaction (the order row must be locked, or be inserted by it). Returns the history
 * event for the risk engine, to be applied once the transaction has committed.
 */
export async function recordTransition(
  tx: SqlExecutor,
  ids: Ids,
  transitioned: {
    order: ManagedOrder;
    planned: Extract<Planned, { ok: true }>;
    invoice: InvoiceRow | null;
    actor: string;
    details: Record<string, unknown>;
    at: Date;
    /** The order row was inserted in this transaction already holding `planned.after`: nothing to update. */
    figuresWritten?: boolean;
  },
): Promise<HistoryEvent[]> {
  const { order, planned, invoice, at } = transitioned;
  const { after } = planned;
  const ended = !['authorized', 'partially_captured'].includes(after.state);
  if (!transitioned.figuresWritten) {
    await repository.updateFigures(tx, order.id, {
      state: after.state,
      captured: after.captured,
      refunded: after.refunded,
      ...(ended ? { expiresAt: null } : {}),
    });
  }
  // Only releases change what the consumer may owe: a capture moves authorization into the invoice, and a payment
  // that settles the invoice is a history event of its own.
  const exposure = exposureChanging.includes(planned.event) ? exposureOf(after, invoice) : null;
  await repository.insertOrderEvent(tx, {
    id: ids.next('oev'),
    order_id: order.id,
    event: planned.event,
    from_state: planned.before.state,
    to_state: after.state,
    actor: transitioned.actor,
    details: transitioned.details,
    exposure,
    at,
  });
  await enqueueWebhook(tx, ids, {
    merchantId: order.merchant_id,
    event: `order.${planned.event}` as WebhookEvent,
    payload: {
      order_id: order.id,
      merchant_reference: order.merchant_reference,
      state: after.state,
      previous_state: planned.before.state,
      authorized: { value: after.authorized, currency: order.currency },
      captured: { value: after.captured, currency: order.currency },
      refunded: { value: after.refunded, currency: order.currency },
      ...transitioned.details,
    },
    at,
  });
  return exposure === null ? [] : [{ kind: 'exposure', orderId: order.id, at: at.getTime(), amount: exposure }];
}

const exposureChanging: readonly OrderEventName[] = [
  'cancelled',
  'remainder_cancelled',
  'expired',
  'remainder_expired',
  'refunded',
  'partially_refunded',
];
