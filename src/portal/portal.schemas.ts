// The shapes of the portal's lists under /v1/me: one zod schema per item, so OpenAPI documents what the portal reads.
import { z } from 'zod';
import { invoiceViewSchema, moneySchema } from '../invoicing/invoice.presenter.ts';

export const purchaseViewSchema = z.object({
  id: z.string(),
  merchant: z.string().nullable(),
  merchant_reference: z.string().nullable(),
  amount: moneySchema,
  status: z.string(),
  placed_at: z.string(),
  items: z.array(z.string()),
  delivery_address: z.string().nullable(),
  delivery: z.object({
    state: z.string(),
    updated_at: z.string().nullable(),
    shipments: z.array(z.object({ carrier: z.string(), tracking_number: z.string(), status: z.string() })),
  }),
  decision_id: z.string().nullable(),
  invoice: invoiceViewSchema.nullable(),
  claims: z.array(z.object({ kind: z.string(), status: z.string(), text: z.string() })),
});

export const decisionViewSchema = z.object({
  id: z.string(),
  outcome: z.string(),
  summary: z.string(),
  merchant: z.string().nullable(),
  amount: moneySchema,
  decided_at: z.string(),
  reasons: z.array(z.object({ code: z.string(), text: z.string() })),
});

export const deviceViewSchema = z.object({
  id: z.string(),
  user_agent: z.string().nullable(),
  last_ip: z.string().nullable(),
  first_seen: z.string(),
  last_seen: z.string(),
  uses: z.number().int(),
});

export const addressViewSchema = z.object({
  key: z.string(),
  text: z.string(),
  uses: z.array(z.string()),
  times: z.number().int(),
  last_used: z.string(),
});

export { invoiceViewSchema };

/** Cursors: the sort key of the last item, newest first with the id as tie-break. */
export const timeAndIdCursor = z.tuple([z.iso.datetime(), z.string().max(200)]);
