// Schemas of the merchant-facing checkout contract: the one source for validation, types and OpenAPI.
import { z } from 'zod';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');

export const amountSchema = z.object({
  value: z.number().int().min(1).max(100_000_000).describe('Amount in minor units (cents)'),
  currency: currencySchema,
});

export const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as NL');

export const addressSchema = z.object({
  street: z.string().trim().min(1).max(200),
  house_number: z.string().trim().min(1).max(20),
  postal_code: z.string().trim().min(1).max(20),
  city: z.string().trim().min(1).max(100),
  country: countrySchema,
});

/** A calendar date PostgreSQL and every feature can use: year 0000 and the like are typos or probes. */
export const birthDateSchema = z.iso
  .date()
  .refine((value) => value >= '1900-01-01' && value <= '2100-12-31', 'a date between 1900-01-01 and 2100-12-31');

export const customerSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number such as +31612345678'),
  date_of_birth: birthDateSchema.optional(),
  /** The account the customer names for refunds or direct debit: a claim like the rest (an IBAN is public knowledge). */
  iban: z
    .string()
    .trim()
    .max(42)
    .refine((value) => normaliseIban(value) !== null, 'a valid IBAN such as NL91ABNA0417164300')
    .optional(),
});

export const lineSchema = z.object({
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(10_000),
  unit_price: z.number().int().min(0).max(100_000_000),
  category: z.string().trim().min(1).max(60).optional(),
});

export const deviceSchema = z.object({
  id: z.string().trim().min(1).max(200).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  user_agent: z.string().max(1000).optional(),
  /** The shopper's Accept-Language header, passed on by the merchant: the language of messages this checkout sends. */
  accept_language: z.string().max(200).optional(),
});

/** Free-form merchant signals; kept flat and small so they can become model features. */
export const extraMerchantDataSchema = z
  .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 fields');

/** The shopper's own account in the merchant's shop, when they have one: its age is a strong, portable signal. */
export const merchantAccountSchema = z.object({
  id: z.string().trim().min(1).max(200),
  registered_at: z.iso.datetime({ offset: true }),
  /** Last change of the account's e-mail, phone or password, when the merchant knows it. */
  changed_at: z.iso.datetime({ offset: true }).optional(),
});

export const sessionInputSchema = z
  .object({
    amount: amountSchema,
    merchant_reference: z.string().trim().min(1).max(200),
    lines: z.array(lineSchema).min(1).max(200),
    customer: customerSchema,
    billing_address: addressSchema,
    shipping_address: addressSchema.optional(),
    device: deviceSchema.optional(),
    extra_merchant_data: extraMerchantDataSchema.optional(),
    merchant_account: merchantAccountSchema.optional(),
  })
  // The cart is what the consumer is shown and billed for: lines that disagree with the amount hide what is bought.
  .superRefine((session, context) => {
    const total = session.lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
    if (total !== session.amount.value) {
      context.addIssue({
        code: 'custom',
        path: ['lines'],
        message: `the lines add up to ${total}, not to amount.value ${session.amount.value} (include shipping and discounts as lines)`,
      });
    }
  });

export type MerchantAccount = z.infer<typeof merchantAccountSchema>;
export type Amount = z.infer<typeof amountSchema>;
export type Address = z.infer<typeof addressSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type Line = z.infer<typeof lineSchema>;
export type Device = z.infer<typeof deviceSchema>;
export type ExtraMerchantData = z.infer<typeof extraMerchantDataSchema>;
export type SessionInput = z.infer<typeof sessionInputSchema>;

export const decisionOutcomes = ['approved', 'step_up', 'review', 'declined'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

export const reasonSchema = z.object({ code: z.string(), message: z.string() });
export type Reason = z.infer<typeof reasonSchema>;

export const sessionStatuses = ['open', 'approved', 'step_up', 'review', 'declined'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];
