// Order-management routes: merchants capture, cancel, refund and read orders; carriers post tracking events.
import { tableChanged } from '../storage/table-cache.ts';
import { z } from 'zod';
import { managedOrderViewSchema } from './orders.presenter.ts';
import { defineRoute, type Merchant } from '../http/route.ts';
import { notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { signatureHeader } from '../webhooks/webhook.signature.ts';
import type { CarriersService } from './carriers.service.ts';
import { rawBodyOf } from './carrier.raw-body.ts';
import type { OrdersService } from './orders.service.ts';
import * as repository from './orders.repository.ts';
import {
  cancelInputSchema,
  captureInputSchema,
  captureModeInputSchema,
  carrierCodeSchema,
  carrierEventSchema,
  carrierInputSchema,
  orderParams,
  refundInputSchema,
} from './orders.schema.ts';

export const carrierEventsPath = '/v1/carriers/';

export function ordersRoutes(dependencies: { orders: OrdersService; carriers: CarriersService; database: Database }) {
  const { orders, carriers, database } = dependencies;
  const merchantOf = (merchant: Merchant | null) => merchant as Merchant;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/orders/:id',
      summary: 'An order with its state, captures, refunds, shipments, invoice and every transition',
      tags: ['orders'],
      auth: 'merchant',
      params: orderParams,
      responses: { 200: { description: 'The order', schema: managedOrderViewSchema } },
      handler: async ({ merchant, params }) => ({
        status: 200,
        body: await orders.get(merchantOf(merchant), params.id),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/orders/:id/captures',
      summary: 'Capture what was shipped (all or part, with carrier and tracking numbers): it is invoiced now',
      tags: ['orders'],
      auth: 'merchant',
      idempotent: true,
      params: orderParams,
      body: captureInputSchema,
      responses: {
        201: {
          description: 'Captured; the order as it is now',
          schema: z.object({ capture_id: z.string(), order: managedOrderViewSchema }),
        },
      },
      handler: async ({ merchant, params, body }) => ({
        status: 201,
        body: await orders.capture(merchantOf(merchant), params.id, body),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/orders/:id/cancel',
      summary: 'Cancel an order not (fully) captured: no invoice for the rest, the exposure is released',
      tags: ['orders'],
      auth: 'merchant',
      idempotent: true,
      params: orderParams,
      body: cancelInputSchema,
      responses: { 200: { description: 'Cancelled; the order as it is now', schema: managedOrderViewSchema } },
      handler: async ({ merchant, params, body }) => ({
        status: 200,
        body: await orders.cancel(merchantOf(merchant), params.id, body.reason),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/orders/:id/refunds',
      summary: 'Refund (a return): the invoice drops at once, money already paid goes back to the consumer',
      tags: ['orders'],
      auth: 'merchant',
      idempotent: true,
      params: orderParams,
      body: refundInputSchema,
      responses: {
        201: {
          description: 'Refunded; the order as it is now',
          schema: z.object({ refund_id: z.string(), order: managedOrderViewSchema }),
        },
      },
      handler: async ({ merchant, params, body }) => ({
        status: 201,
        body: await orders.refund(merchantOf(merchant), params.id, body),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/carriers',
      summary: 'Register a carrier; its signing key for tracking events is shown once',
      tags: ['orders', 'admin'],
      auth: 'admin',
      idempotent: true,
      body: carrierInputSchema,
      responses: {
        201: {
          description: 'Carrier registered',
          schema: z.object({ id: z.string(), code: z.string(), name: z.string(), signing_key: z.string() }),
        },
      },
      handler: async ({ body }) => ({ status: 201, body: await carriers.create(body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/merchants/:id/capture-mode',
      summary: 'Choose when a merchant’s orders are invoiced: at approval, or at each capture on shipment',
      tags: ['orders', 'admin'],
      auth: 'admin',
      params: z.object({ id: z.string().regex(/^mer_[0-9a-z]{1,40}$/) }),
      body: captureModeInputSchema,
      responses: {
        200: {
          description: 'The capture mode from now on (orders already placed keep theirs)',
          schema: z.object({ id: z.string(), capture_mode: z.string() }),
        },
      },
      handler: async ({ params, body }) => {
        const [found] = await database.query('SELECT id FROM merchants WHERE id = $1', [params.id]);
        if (!found) throw notFound('merchant');
        await repository.setCaptureMode(database, params.id, body.capture_mode);
        tableChanged('merchants');
        return { status: 200, body: { id: params.id, capture_mode: body.capture_mode } };
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${carrierEventsPath}:code/events`,
      summary:
        'A carrier’s tracking event (signed: Rearguard-Signature t=...,v1=HMAC-SHA256 of "t.body" with the carrier key); ' +
        'the answer tells the carrier whether a redirect is allowed',
      tags: ['orders', 'carriers'],
      auth: 'none',
      params: z.object({ code: carrierCodeSchema }),
      body: carrierEventSchema,
      responses: {
        200: {
          description: 'Accepted, or the redirect answer (redirect_allowed / redirect_refused with a reason)',
          schema: z.object({
            result: z.enum(['accepted', 'redirect_allowed', 'redirect_refused']),
            reason: z.string().optional(),
            shipment_status: z.string().optional(),
            duplicate: z.boolean(),
          }),
        },
      },
      handler: async ({ params, body, request }) => {
        const header = request.headers[signatureHeader.toLowerCase()];
        return carriers.receive(params.code, {
          rawBody: rawBodyOf(request),
          signature: typeof header === 'string' ? header : undefined,
          event: body,
        });
      },
    }),
  ];
}
