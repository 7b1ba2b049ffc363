// Merchants' order management: capture on shipment, cancel, refunds and returns, expiry of uncaptured authorizations.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';
import type { Merchant } from '../http/route.ts';
import { lockInvoiceByOrder, type InvoiceRow } from '../invoicing/invoice.transitions.ts';
import { insertCaseEvent } from '../protection/protection.repository.ts';
import type { OrderCommand, OrderFigures } from './order.state-machine.ts';
import { figuresOf, plan, recordTransition } from './order.history.ts';
import { invoiceCapture, invoiceRefund } from './order.invoice.ts';
import { settleOrder } from './order.settlement.ts';
import { presentManagedOrder } from './orders.presenter.ts';
import * as repository from './orders.repository.ts';
import type { ManagedOrder } from './orders.repository.ts';
import type { CaptureInput, RefundInput } from './orders.schema.ts';
import type { PlacedOrder, PlacedOrderOutcome } from '../checkout/checkout.service.ts';
import { captureModes } from './capture-mode.cache.ts';

export interface OrdersDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly engine: RiskEngine;
  /** Days from a capture to its invoice's due date. */
  readonly invoiceDueDays: number;
  /** Days an authorization waits for capture before it expires and the consumer's exposure is released. */
  readonly authorizationDays: number;
}

const dayMilliseconds = 86_400_000;

type Outcome<T> = { readonly value: T; readonly events: HistoryEvent[] };

export function makeOrdersService(dependencies: OrdersDependencies) {
  const { database, clock, ids, engine } = dependencies;

  /** Runs one change of an order in a transaction; the engine learns of it only once committed. */
  async function change<T>(work: (tx: SqlExecutor, at: Date) => Promise<Outcome<T>>): Promise<T> {
    const at = new Date(clock.now());
    const outcome = await database.transaction((tx) => work(tx, at));
    for (const event of outcome.events) await engine.record(event);
    return outcome.value;
  }

  async function lockOwned(tx: SqlExecutor, merchant: Merchant, orderId: string): Promise<ManagedOrder> {
    const order = await repository.findOrder(tx, orderId, { merchantId: merchant.id, forUpdate: true });
    if (!order) throw notFound('order');
    return order;
  }

  function planOrThrow(order: ManagedOrder, command: OrderCommand) {
    const planned = plan(order, command);
    if (!planned.ok) throw new ApiError(planned.error.status, planned.error.code, planned.error.message);
    return planned;
  }

  /** Goods must not ship on an order the consumer disowned or that was confirmed as fraud. */
  async function refuseDisputed(tx: SqlExecutor, order: ManagedOrder) {
    if (order.status === 'fraud_confirmed' || order.status === 'claim_upheld') {
      throw new ApiError(409, 'order_written_off', 'this order was written off after a buyer-protection case');
    }
    const claims = await repository.openClaimsOf(tx, order.id);
    if (claims.some((claim) => claim.kind === 'not_mine')) {
      throw new ApiError(409, 'order_under_claim', 'the account holder reported this order as not theirs; do not ship');
    }
  }

  /** The shared capture path: the API's captures and the automatic one of "on_approval" merchants. */
  async function captureLocked(
    tx: SqlExecutor,
    order: ManagedOrder,
    input: CaptureInput,
    actor: string,
    at: Date,
    options: {
      /**
       * The order is being placed in this transaction and not yet written: called with the figures the state machine
       * gives it after this capture, before any other write, so the order is inserted once in its final state.
       */
      readonly enter?: (after: OrderFigures) => Promise<void>;
    } = {},
  ): Promise<{ captureId: string; invoiceId: string; events: HistoryEvent[] }> {
    if (input.amount && input.amount.currency !== order.currency) {
      throw new ApiError(422, 'currency_mismatch', `the order is in ${order.currency}`, 'amount.currency');
    }
    const amount = input.amount?.value ?? order.amount - order.captured_amount;
    const planned = planOrThrow(order, { kind: 'capture', amount });
    const trackingNumbers = input.tracking_numbers ?? [];
    const carrier = input.carrier ?? null;
    if (trackingNumbers.length > 0 && carrier === null) {
      throw new ApiError(422, 'carrier_required', 'name the carrier of the tracking numbers', 'carrier');
    }
    await options.enter?.(planned.after);
    const captureId = ids.next('cap');
    await repository.insertCapture(tx, {
      id: captureId,
      order_id: order.id,
      amount,
      currency: order.currency,
      lines: input.lines ?? [],
      carrier,
      tracking_numbers: trackingNumbers,
      created_at: at,
    });
    for (const trackingNumber of trackingNumbers) {
      const created = await repository.insertShipment(tx, {
        id: ids.next('shp'),
        order_id: order.id,
        capture_id: captureId,
        carrier: carrier!,
        tracking_number: trackingNumber,
        status: 'shipped',
        created_at: at,
      });
      if (!created) {
        throw new ApiError(
          409,
          'tracking_number_in_use',
          `${carrier} tracking number ${trackingNumber} belongs to another shipment`,
          'tracking_numbers',
        );
      }
    }
    const invoice = await invoiceCapture(tx, ids, order, amount, at, dependencies.invoiceDueDays, {
      freshOrder: options.enter !== undefined,
    });
    if (order.merchant_id) {
      await repository.insertPayoutEntry(tx, {
        id: ids.next('pyo'),
        merchant_id: order.merchant_id,
        order_id: order.id,
        amount,
        currency: order.currency,
        kind: 'capture',
        reference_id: captureId,
        at,
      });
    }
    const events = await recordTransition(tx, ids, {
      order,
      planned,
      invoice,
      actor,
      figuresWritten: options.enter !== undefined,
      details: {
        capture_id: captureId,
        amount: { value: amount, currency: order.currency },
        carrier,
        tracking_numbers: trackingNumbers,
        invoice_id: invoice.id,
        invoice_due_at: invoice.due_at.toISOString(),
      },
      at,
    });
    return { captureId, invoiceId: invoice.id, events };
  }

  async function capture(merchant: Merchant, orderId: string, input: CaptureInput) {
    const captureId = await change(async (tx, at) => {
      const order = await lockOwned(tx, merchant, orderId);
      await refuseDisputed(tx, order);
      const captured = await captureLocked(tx, order, input, `merchant:${merchant.id}`, at);
      return { value: captured.captureId, events: captured.events };
    });
    return { capture_id: captureId, order: await get(merchant, orderId) };
  }

  async function cancel(merchant: Merchant, orderId: string, reason: string | undefined) {
    await change(async (tx, at) => {
      const order = await lockOwned(tx, merchant, orderId);
      const planned = planOrThrow(order, { kind: 'cancel' });
      const invoice = await lockInvoiceByOrder(tx, order.id);
      const events = await recordTransition(tx, ids, {
        order,
        planned,
        invoice,
        actor: `merchant:${merchant.id}`,
        details: {
          reason: reason ?? null,
          released: { value: order.amount - order.captured_amount, currency: order.currency },
        },
        at,
      });
      return { value: null, events };
    });
    return get(merchant, orderId);
  }

  async function refund(merchant: Merchant, orderId: string, input: RefundInput) {
    const refundId = await change(async (tx, at) => {
      const order = await lockOwned(tx, merchant, orderId);
      if (input.amount.currency !== order.currency) {
        throw new ApiError(422, 'currency_mismatch', `the order is in ${order.currency}`, 'amount.currency');
      }
      const planned = planOrThrow(order, { kind: 'refund', amount: input.amount.value });
      // A refund is the merchant's confirmation of a return the consumer reported: that claim is settled by it.
      const returnClaim = (await repository.openClaimsOf(tx, order.id)).find((claim) => claim.kind === 'returned');
      const { invoice, toConsumer } = await invoiceRefund(tx, ids, order.id, input.amount.value, at, {
        resume: returnClaim !== undefined,
      });
      if (returnClaim) await closeReturnClaim(tx, order, returnClaim.id, at);
      const refundId = ids.next('rfd');
      await repository.insertRefund(tx, {
        id: refundId,
        order_id: order.id,
        amount: input.amount.value,
        currency: order.currency,
        lines: input.lines ?? [],
        reason: input.reason ?? 'return',
        refunded_to_consumer: toConsumer,
        created_at: at,
      });
      if (order.merchant_id) {
        await repository.insertPayoutEntry(tx, {
          id: ids.next('pyo'),
          merchant_id: order.merchant_id,
          order_id: order.id,
          amount: -input.amount.value,
          currency: order.currency,
          kind: 'refund',
          reference_id: refundId,
          at,
        });
      }
      const events = await recordTransition(tx, ids, {
        order,
        planned,
        invoice,
        actor: `merchant:${merchant.id}`,
        details: {
          refund_id: refundId,
          amount: input.amount,
          reason: input.reason ?? 'return',
          refunded_to_consumer: { value: toConsumer, currency: order.currency },
          return_claim_id: returnClaim?.id ?? null,
        },
        at,
      });
      // What is left was paid already: the order is settled.
      if (invoice.status === 'paid') events.push(...(await settleOrder(tx, ids, order.id, at)));
      return { value: refundId, events };
    });
    return { refund_id: refundId, order: await get(merchant, orderId) };
  }

  /** The consumer's "I returned it" is answered: claim upheld, case resolved, the order no longer under claim. */
  async function closeReturnClaim(tx: SqlExecutor, order: ManagedOrder, claimId: string, at: Date) {
    await tx.query(`UPDATE claims SET status = 'upheld', resolved_at = $2 WHERE id = $1`, [claimId, at]);
    const cases = await tx.query<{ id: string }>(
      `UPDATE cases SET status = 'resolved', resolution = 'claim_upheld', resolution_note = $2, resolved_at = $3,
         first_responded_at = COALESCE(first_responded_at, $3)
       WHERE claim_id = $1 AND status = 'open' RETURNING id`,
      [claimId, 'the merchant confirmed the return with a refund', at],
    );
    for (const row of cases) {
      await insertCaseEvent(tx, {
        id: ids.next('aud'),
        case_id: row.id,
        actor: order.merchant_id ? `merchant:${order.merchant_id}` : 'merchant',
        action: 'resolved',
        details: { outcome: 'claim_upheld', note: 'the merchant confirmed the return with a refund' },
        at,
      });
    }
    const others = await repository.openClaimsOf(tx, order.id);
    if (others.length === 0) await tx.query(`UPDATE orders SET status = 'approved' WHERE id = $1`, [order.id]);
  }

  /**
   * Called in the decision's transaction for every approved order, which checkout hands over not yet written:
   * "on_approval" merchants capture the whole order at once (today's invoice at approval); "on_shipment" merchants
   * get an authorization that waits. The order is inserted once, in the state the state machine gives it, so an
   * approval needs no second write batch to update the row it has just inserted.
   */
  async function placeApproved(tx: SqlExecutor, placed: PlacedOrder, at: Date): Promise<PlacedOrderOutcome> {
    if (!placed.merchant_id) {
      await placed.insert(null);
      return { events: [], invoiceId: null };
    }
    // Read before the order's writes are queued (warm: no read at all), so it does not split their batch.
    const mode = await captureModes.of(tx, placed.merchant_id);
    const expiresAt = new Date(at.getTime() + dependencies.authorizationDays * dayMilliseconds);
    const authorized: ManagedOrder = {
      ...placed,
      state: 'authorized',
      captured_amount: 0,
      refunded_amount: 0,
      authorization_expires_at: null,
    };
    const enter = async (figures: OrderFigures, authorizationExpiresAt: Date | null) => {
      const { state, captured, refunded } = figures;
      await placed.insert({ state, captured, refunded, expiresAt: authorizationExpiresAt });
      await repository.insertOrderEvent(tx, {
        id: ids.next('oev'),
        order_id: placed.id,
        event: 'authorized',
        from_state: 'authorized',
        to_state: 'authorized',
        actor: 'system',
        details: {
          amount: { value: placed.amount, currency: placed.currency },
          capture_mode: mode,
          expires_at: mode === 'on_shipment' ? expiresAt.toISOString() : null,
        },
        exposure: null,
        at,
      });
    };
    if (mode === 'on_approval') {
      // A captured order's authorization has ended: no expiry (as the capture's transition would set).
      const captured = await captureLocked(tx, authorized, {}, 'system:capture_on_approval', at, {
        enter: (after) => enter(after, null),
      });
      return { events: captured.events, invoiceId: captured.invoiceId };
    }
    await enter(figuresOf(authorized), expiresAt);
    return { events: [], invoiceId: null };
  }

  /** Scheduler task: authorizations never captured expire, and the consumer's exposure is released. */
  async function expireAuthorizations(): Promise<number> {
    const candidates = await repository.expiredAuthorizations(database, new Date(clock.now()));
    let expired = 0;
    for (const candidate of candidates) {
      const done = await change(async (tx, at) => {
        const order = await repository.findOrder(tx, candidate.id, { forUpdate: true });
        // Re-read under the lock: a capture a moment ago wins over the expiry.
        if (!order || !order.authorization_expires_at || order.authorization_expires_at > at) {
          return { value: false, events: [] };
        }
        const planned = plan(order, { kind: 'expire' });
        if (!planned.ok) return { value: false, events: [] };
        const invoice = await lockInvoiceByOrder(tx, order.id);
        const events = await recordTransition(tx, ids, {
          order,
          planned,
          invoice,
          actor: 'system:authorization_expiry',
          details: { released: { value: order.amount - order.captured_amount, currency: order.currency } },
          at,
        });
        return { value: true, events };
      });
      if (done) expired += 1;
    }
    return expired;
  }

  async function get(merchant: Merchant, orderId: string) {
    const order = await repository.findOrder(database, orderId, { merchantId: merchant.id });
    if (!order) throw notFound('order');
    const [captures, refunds, shipments, history, invoiceRows] = await Promise.all([
      repository.capturesOf(database, order.id),
      repository.refundsOf(database, order.id),
      repository.shipmentsOf(database, order.id),
      repository.orderEventsOf(database, order.id),
      database.query<InvoiceRow>('SELECT * FROM invoices WHERE order_id = $1', [order.id]),
    ]);
    return presentManagedOrder({ order, captures, refunds, shipments, history, invoice: invoiceRows[0] ?? null });
  }

  return { capture, cancel, refund, get, placeApproved, expireAuthorizations };
}

export type OrdersService = ReturnType<typeof makeOrdersService>;
