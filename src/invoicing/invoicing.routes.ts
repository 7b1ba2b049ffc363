// Invoicing routes: the payment processor reports payments; merchants read their payout ledger.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { defineRoute, type Merchant } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { sha256 } from '../shared/hashing.ts';
import { amountSchema } from '../checkout/session.schema.ts';
import { invoiceWithPaymentsSchema, paymentRecordedSchema, type PaymentsService } from './payments.service.ts';
import { payoutEntrySchema, payoutTotalsSchema, type PayoutsService } from './payouts.service.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';

const invoiceParams = z.object({ id: z.string().regex(/^inv_[0-9a-z]{1,40}$/) });

export const paymentInputSchema = z.object({
  amount: amountSchema,
  reference: z.string().trim().min(1).max(200).describe("The processor's payment id; one reference is one payment"),
  received_at: z.iso.datetime({ offset: true }).optional(),
});

const same = (given: string, expected: string) =>
  timingSafeEqual(Buffer.from(sha256(given)), Buffer.from(sha256(expected)));

/** The processor authenticates with its own key (or the admin key), so it never needs the admin API. */
export function processorGuard(keys: { processorKey: string | undefined; adminKey: string | undefined }) {
  return (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const key = match?.[1];
    const allowed = [keys.processorKey, keys.adminKey].filter((value): value is string => Boolean(value));
    if (!key || !allowed.some((expected) => same(key, expected))) {
      throw new ApiError(401, 'unauthorized', 'a valid payment processor key is required (Authorization: Bearer ...)');
    }
  };
}

export function invoicingRoutes(dependencies: {
  payments: PaymentsService;
  payouts: PayoutsService;
  requireProcessor: (request: FastifyRequest) => void;
}) {
  const { payments, payouts, requireProcessor } = dependencies;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/invoices/:id/payments',
      summary: 'Record a payment (payment processor key); idempotent by Idempotency-Key and by reference',
      tags: ['invoicing'],
      auth: 'none',
      idempotent: true,
      params: invoiceParams,
      body: paymentInputSchema,
      responses: {
        201: { description: 'Payment recorded', schema: paymentRecordedSchema },
        200: { description: 'This reference was already recorded', schema: paymentRecordedSchema },
      },
      guard: requireProcessor,
      guardScheme: 'processorKey',
      handler: async ({ params, body }) => payments.record(params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/invoices/:id',
      summary: 'Read an invoice with its payments (payment processor key)',
      tags: ['invoicing'],
      auth: 'none',
      params: invoiceParams,
      responses: { 200: { description: 'The invoice', schema: invoiceWithPaymentsSchema } },
      guard: requireProcessor,
      guardScheme: 'processorKey',
      handler: async ({ params }) => ({ status: 200, body: await payments.get(params.id) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/payouts',
      summary: 'The payout ledger: an entry per capture, paid whatever happens to the invoice; refunds reverse theirs',
      tags: ['invoicing'],
      auth: 'merchant',
      query: listQuery,
      responses: { 200: { description: 'Ledger entries, oldest first', schema: listEnvelope(payoutEntrySchema) } },
      handler: async ({ merchant, query }) => ({
        status: 200,
        body: await payouts.list(merchant as Merchant, query),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/payouts/totals',
      summary: 'What the payout ledger adds up to, per currency',
      tags: ['invoicing'],
      auth: 'merchant',
      responses: { 200: { description: 'Totals per currency', schema: payoutTotalsSchema } },
      handler: async ({ merchant }) => ({ status: 200, body: await payouts.totals(merchant as Merchant) }),
    }),
  ];
}
