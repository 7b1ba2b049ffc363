// How a managed order is shown to its merchant: figures, captures, refunds, shipments and every transition.
import { z } from 'zod';
import { invoiceViewSchema, moneySchema, presentInvoice } from '../invoicing/invoice.presenter.ts';
import { normalise, type InvoiceRow } from '../invoicing/invoice.transitions.ts';
import { capturable } from './order.state-machine.ts';
import { figuresOf } from './order.history.ts';
import type { CaptureRow, ManagedOrder, OrderEventRow, RefundRow, ShipmentRow } from './orders.repository.ts';

export const shipmentViewSchema = z.object({
  id: z.string(),
  capture_id: z.string(),
  carrier: z.string(),
  tracking_number: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The response schema; presentManagedOrder is typed by it, so the two cannot drift apart. */
export const managedOrderViewSchema = z.object({
  id: z.string(),
  session_id: z.string().nullable(),
  merchant_reference: z.string().nullable(),
  state: z.string(),
  status: z.string(),
  amount: moneySchema,
  placed_at: z.string(),
  authorization_expires_at: z.string().nullable(),
  delivery_requirements: z.array(z.string()),
  authorized: moneySchema,
  captured: moneySchema,
  refunded: moneySchema,
  capturable: moneySchema,
  invoice: invoiceViewSchema.nullable(),
  captures: z.array(
    z.object({
      id: z.string(),
      amount: moneySchema,
      lines: z.array(z.unknown()),
      carrier: z.string().nullable(),
      tracking_numbers: z.array(z.string()),
      created_at: z.string(),
    }),
  ),
  refunds: z.array(
    z.object({
      id: z.string(),
      amount: moneySchema,
      lines: z.array(z.unknown()),
      reason: z.string(),
      refunded_to_consumer: moneySchema,
      created_at: z.string(),
    }),
  ),
  shipments: z.array(shipmentViewSchema),
  history: z.array(
    z.object({
      event: z.string(),
      from_state: z.string(),
      to_state: z.string(),
      actor: z.string(),
      details: z.record(z.string(), z.unknown()),
      at: z.string(),
    }),
  ),
});

export type ManagedOrderView = z.infer<typeof managedOrderViewSchema>;

export const presentShipment = (row: ShipmentRow): z.infer<typeof shipmentViewSchema> => ({
  id: row.id,
  capture_id: row.capture_id,
  carrier: row.carrier,
  tracking_number: row.tracking_number,
  status: row.status,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

export function presentManagedOrder(view: {
  order: ManagedOrder;
  captures: CaptureRow[];
  refunds: RefundRow[];
  shipments: ShipmentRow[];
  history: OrderEventRow[];
  invoice: InvoiceRow | null;
}): ManagedOrderView {
  const { order } = view;
  const money = (value: number) => ({ value, currency: order.currency });
  return {
    id: order.id,
    session_id: order.session_id,
    merchant_reference: order.merchant_reference,
    /** The life-cycle state (order.state-machine.ts). */
    state: order.state,
    /** Buyer protection's view: approved, claimed, fraud_confirmed or claim_upheld. */
    status: order.status,
    amount: money(order.amount),
    placed_at: order.placed_at.toISOString(),
    authorization_expires_at: order.authorization_expires_at?.toISOString() ?? null,
    delivery_requirements: order.delivery_requirements,
    authorized: money(order.amount),
    captured: money(order.captured_amount),
    refunded: money(order.refunded_amount),
    capturable: money(capturable(figuresOf(order))),
    invoice: view.invoice ? presentInvoice(normalise(view.invoice)) : null,
    captures: view.captures.map((row) => ({
      id: row.id,
      amount: money(Number(row.amount)),
      lines: row.lines,
      carrier: row.carrier,
      tracking_numbers: row.tracking_numbers,
      created_at: row.created_at.toISOString(),
    })),
    refunds: view.refunds.map((row) => ({
      id: row.id,
      amount: money(Number(row.amount)),
      lines: row.lines,
      reason: row.reason,
      refunded_to_consumer: money(Number(row.refunded_to_consumer)),
      created_at: row.created_at.toISOString(),
    })),
    shipments: view.shipments.map(presentShipment),
    history: view.history.map((row) => ({
      event: row.event,
      from_state: row.from_state,
      to_state: row.to_state,
      actor: row.actor,
      details: row.details,
      at: row.at.toISOString(),
    })),
  };
}
