// Schemas of the order-management contract: captures, cancels, refunds and carrier events (validation and OpenAPI).
import { z } from 'zod';
import { amountSchema, lineSchema } from '../checkout/session.schema.ts';
import { captureModes } from './orders.repository.ts';

export const orderParams = z.object({ id: z.string().regex(/^ord_[0-9a-z]{1,40}$/, 'an order id such as ord_...') });

export const carrierCodeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a carrier code such as postnl');

const trackingNumberSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{4,60}$/, 'a tracking number of 4 to 60 letters, digits or dashes');

export const captureInputSchema = z.object({
  amount: amountSchema
    .optional()
    .describe('What was shipped and is invoiced now; the whole remaining authorization if omitted'),
  lines: z.array(lineSchema).max(500).optional(),
  carrier: carrierCodeSchema.optional(),
  tracking_numbers: z
    .array(trackingNumberSchema)
    .max(20)
    .refine((numbers) => new Set(numbers).size === numbers.length, 'tracking numbers must be distinct')
    .optional(),
});
export type CaptureInput = z.infer<typeof captureInputSchema>;

export const cancelInputSchema = z.object({
  reason: z.string().trim().min(1).max(500).optional(),
});

export const refundInputSchema = z.object({
  amount: amountSchema,
  lines: z.array(lineSchema).max(500).optional(),
  reason: z.enum(['return', 'goodwill', 'price_adjustment', 'other']).optional(),
});
export type RefundInput = z.infer<typeof refundInputSchema>;

export const carrierEventKinds = ['in_transit', 'delivered', 'redirect_requested', 'returned_to_sender'] as const;
export type CarrierEventKind = (typeof carrierEventKinds)[number];

export const carrierEventSchema = z.object({
  event_id: z.string().trim().min(1).max(200).describe("The carrier's own id of this event; a retry sends it again"),
  tracking_number: trackingNumberSchema,
  kind: z.enum(carrierEventKinds),
  occurred_at: z.iso.datetime({ offset: true }).optional(),
  redirect: z
    .object({ kind: z.enum(['address', 'pickup_point', 'neighbour']), postal_code: z.string().max(20).optional() })
    .optional(),
});
export type CarrierEventInput = z.infer<typeof carrierEventSchema>;

export const carrierInputSchema = z.object({
  code: carrierCodeSchema,
  name: z.string().trim().min(1).max(200),
});

export const captureModeInputSchema = z.object({ capture_mode: z.enum(captureModes) });
