// An invoice paid in full closes its order when nothing more can be captured: called by payments and by refunds.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import { lockInvoiceByOrder } from '../invoicing/invoice.transitions.ts';
import { plan, recordTransition } from './order.history.ts';
import { findOrder } from './orders.repository.ts';

export async function settleOrder(tx: SqlExecutor, ids: Ids, orderId: string, at: Date): Promise<HistoryEvent[]> {
  const order = await findOrder(tx, orderId, { forUpdate: true });
  if (!order) return [];
  const planned = plan(order, { kind: 'settle' });
  // Still capturing, already closed or refunded: a payment changes nothing in the life-cycle.
  if (!planned.ok) return [];
  const invoice = await lockInvoiceByOrder(tx, orderId);
  const events = await recordTransition(tx, ids, {
    order,
    planned,
    invoice,
    actor: 'system:invoice_paid',
    details: { invoice_id: invoice?.id ?? null },
    at,
  });
  return events;
}
