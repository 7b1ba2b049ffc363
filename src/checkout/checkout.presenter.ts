// Turns stored rows into the public API's snake_case responses.
import { z } from 'zod';
import type { Decision } from '../risk/engine.ts';
import type { DecisionRow, OrderRow, SessionRow } from './checkout.repository.ts';
import { amountSchema, decisionOutcomes, reasonSchema, sessionStatuses } from './session.schema.ts';

export const orderViewSchema = z.object({
  id: z.string(),
  session_id: z.string().nullable(),
  status: z.string(),
  merchant_reference: z.string().nullable(),
  amount: amountSchema,
  placed_at: z.string(),
  invoice: z.object({ id: z.string(), status: z.string(), due_at: z.string() }).nullable(),
});

/** A step-up challenge, added to the authorize response by the step-up context (src/stepup). */
export const challengeViewSchema = z.object({
  id: z.string(),
  methods: z.array(z.object({ method: z.string(), target: z.string().nullable() })),
  expires_at: z.string(),
  client_token: z.string().describe("Lets the shopper's browser (the widget) act on this one challenge only"),
  widget_url: z.string(),
  sent: z.string().nullable().describe('The method a code was already sent by, if any'),
});

export const authorizationViewSchema = z.object({
  session_id: z.string(),
  decision_id: z.string(),
  decision: z.enum(decisionOutcomes),
  reasons: z.array(reasonSchema),
  order: z.object({ id: z.string(), invoice_id: z.string().nullable() }).optional(),
  delivery_requirements: z
    .array(z.string())
    .optional()
    .describe(
      'With an approved order: conditions the shop must pass to its carrier (no_redirect, no_pickup_point, id_check_on_delivery)',
    ),
  challenge: challengeViewSchema.optional(),
});

export const sessionViewSchema = z.object({
  id: z.string(),
  status: z.enum(sessionStatuses),
  merchant_reference: z.string(),
  amount: amountSchema,
  created_at: z.string(),
  decision: z.object({ id: z.string(), decision: z.enum(decisionOutcomes), reasons: z.array(reasonSchema) }).nullable(),
  order: z.object({ id: z.string() }).nullable(),
});

export type AuthorizationView = z.infer<typeof authorizationViewSchema>;

export function presentOrder(order: OrderRow): z.infer<typeof orderViewSchema> {
  return {
    id: order.id,
    session_id: order.session_id,
    status: order.status,
    merchant_reference: order.merchant_reference,
    amount: { value: order.amount, currency: order.currency },
    placed_at: order.placed_at.toISOString(),
    invoice:
      order.invoice_id && order.invoice_status && order.invoice_due_at
        ? { id: order.invoice_id, status: order.invoice_status, due_at: order.invoice_due_at.toISOString() }
        : null,
  };
}

export function presentAuthorization(
  sessionId: string,
  decisionId: string,
  decision: Pick<Decision, 'outcome' | 'reasons'>,
  order: OrderRow | null,
): AuthorizationView {
  return {
    session_id: sessionId,
    decision_id: decisionId,
    decision: decision.outcome,
    reasons: decision.reasons.map(({ code, message }) => ({ code, message })),
    ...(order
      ? {
          order: { id: order.id, invoice_id: order.invoice_id },
          delivery_requirements: order.delivery_requirements ?? [],
        }
      : {}),
  };
}

export function presentSession(
  session: Pick<SessionRow, 'id' | 'status' | 'created_at'> & {
    input: Pick<SessionRow['input'], 'merchant_reference' | 'amount'>;
  },
  decision: DecisionRow | null,
  order: OrderRow | null,
): z.infer<typeof sessionViewSchema> {
  return {
    id: session.id,
    status: session.status,
    merchant_reference: session.input.merchant_reference,
    amount: session.input.amount,
    created_at: session.created_at.toISOString(),
    decision: decision
      ? {
          id: decision.id,
          decision: decision.outcome,
          reasons: decision.reasons.map(({ code, message }) => ({ code, message })),
        }
      : null,
    order: order ? { id: order.id } : null,
  };
}
