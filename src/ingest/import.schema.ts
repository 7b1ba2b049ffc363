// Schemas of the history import format (NDJSON, one record per line).
import { z } from 'zod';
import {
  addressSchema,
  amountSchema,
  birthDateSchema,
  customerSchema,
  deviceSchema,
  extraMerchantDataSchema,
  merchantAccountSchema,
  lineSchema,
} from '../checkout/session.schema.ts';

/** History lies between 1970 and 2100; year 0000 and the like would be refused by the database or skew features. */
const timestamp = z.iso.datetime({ offset: true }).refine((value) => {
  const at = Date.parse(value);
  return at >= Date.UTC(1970, 0, 1) && at < Date.UTC(2101, 0, 1);
}, 'a time between 1970 and 2100');

export const importAccountSchema = z.object({
  type: z.literal('account'),
  id: z.string().trim().min(1).max(200),
  created_at: timestamp,
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(254).optional(),
  phone: customerSchema.shape.phone.optional(),
  date_of_birth: birthDateSchema.optional(),
  address: addressSchema.optional(),
  /**
   * When the provider verified the channel (a code, a login); null: on file but never verified. Left out, a channel
   * counts as verified only when the account has paid history and no order confirmed as third-party fraud.
   */
  email_verified_at: timestamp.nullable().optional(),
  phone_verified_at: timestamp.nullable().optional(),
});

export const orderOutcomes = ['paid_on_time', 'paid_late', 'unpaid', 'fraud_confirmed', 'open'] as const;
export type OrderOutcome = (typeof orderOutcomes)[number];

export const fraudKinds = ['fraud_third_party', 'fraud_first_party'] as const;

/** Imported orders may leave most fields out: a provider's past is rarely complete. */
export const importOrderSchema = z.object({
  type: z.literal('order'),
  id: z.string().trim().min(1).max(200).optional(),
  placed_at: timestamp,
  account_id: z.string().trim().min(1).max(200).optional(),
  merchant: z.string().trim().min(1).max(200).optional(),
  merchant_reference: z.string().trim().min(1).max(200).optional(),
  amount: amountSchema,
  lines: z.array(lineSchema).max(200).optional(),
  customer: customerSchema.partial().optional(),
  billing_address: addressSchema.optional(),
  shipping_address: addressSchema.optional(),
  device: deviceSchema.optional(),
  extra_merchant_data: extraMerchantDataSchema.optional(),
  merchant_account: merchantAccountSchema.optional(),
  outcome: z.enum(orderOutcomes),
  outcome_at: timestamp.optional(),
  /** Which fraud it was, when known (only meaningful with outcome fraud_confirmed). */
  fraud_kind: z.enum(fraudKinds).optional(),
  /** Free-text typology (e.g. identity_misuse, ghost_invoice) for per-typology evaluation. */
  typology: z.string().max(60).optional(),
});

export const importRecordSchema = z.discriminatedUnion('type', [importAccountSchema, importOrderSchema]);

export type ImportAccount = z.infer<typeof importAccountSchema>;
export type ImportOrder = z.infer<typeof importOrderSchema>;
export type ImportRecord = z.infer<typeof importRecordSchema>;
