// The shapes of the portal's lists under /v1/me: one zod schema per item, so OpenAPI documents what the portal reads.
import { z } from 'zod';
import { invoiceViewSchema as invoiceSchema, moneySchema } from '../invoicing/invoice.presenter.ts';
import { paymentInstructionsSchema } from './payment.instructions.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

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
  invoice: invoiceSchema.nullable(),
  claims: z.array(
    z.object({
      kind: z.string(),
      status: z.string(),
      text: z.string(),
      created_at: z.string(),
      resolved_at: z.string().nullable(),
    }),
  ),
});

export const decisionViewSchema = z.object({
  id: z.string(),
  outcome: z.string(),
  summary: z.string(),
  merchant: z.string().nullable(),
  amount: moneySchema,
  decided_at: z.string(),
  reasons: z.array(
    z.object({
      code: z.string(),
      text: z.string(),
      /** For a step-up, review or decline: what would have changed the outcome, in plain words. */
      what_would_change: z.string().nullable(),
    }),
  ),
  /** Whether the consumer may ask for a human review of it (step-up, review, declined). */
  reviewable: z.boolean(),
  review: z
    .object({
      status: z.enum(['open', 'resolved']),
      message: z.string().nullable(),
      requested_at: z.string(),
      /** When a person will have answered it at the latest (REVIEW_REQUEST_SLA_HOURS after the request). */
      answer_due_at: z.string().nullable(),
      answered_at: z.string().nullable(),
      /** The answer once given: the decision was changed, or it stands. */
      answer: z.enum(['decision_changed', 'decision_stands']).nullable(),
    })
    .nullable(),
});

export const deviceViewSchema = z.object({
  id: z.string(),
  /** As people know it: "iPhone, Safari", "Windows, Chrome". */
  name: z.string().nullable(),
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

/** An invoice in the portal: the shop it is from and how to pay it (null when nothing is owed). */
export const invoiceViewSchema = invoiceSchema.extend({
  merchant: z.string().nullable(),
  payment: paymentInstructionsSchema.nullable(),
});

/** Cursors: the sort key of the last item, newest first with the id as tie-break. */
export const timeAndIdCursor = z.tuple([cursorInstantSchema, z.string().max(200)]);
