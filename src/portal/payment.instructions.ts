// How a consumer pays an invoice: bank details, payment reference, the provider's pay link and an EPC (SEPA) QR text.
import { z } from 'zod';
import type { InvoiceView } from '../invoicing/invoice.presenter.ts';

export interface TransferSettings {
  readonly iban: string | undefined;
  readonly accountHolder: string;
  /** The provider's pay page with {reference} and {amount} placeholders; undefined: the provider has none. */
  readonly payLinkTemplate: string | undefined;
}

export const paymentInstructionsSchema = z.object({
  amount: z.object({ value: z.number(), currency: z.string() }),
  due_at: z.string(),
  iban: z.string().nullable(),
  account_holder: z.string(),
  reference: z.string(),
  pay_url: z.string().nullable(),
  /** The text of a European Payments Council QR code ("BCD" format): banking apps fill in the transfer from it. */
  epc_qr: z.string().nullable(),
});
export type PaymentInstructions = z.infer<typeof paymentInstructionsSchema>;

const decimalAmount = (minorUnits: number) => (minorUnits / 100).toFixed(2);

/** EPC069-12 version 002: no BIC needed inside the SEPA area; the reference goes in the free-text remittance line. */
export function epcQrText(input: { accountHolder: string; iban: string; euroCents: number; reference: string }) {
  return [
    'BCD',
    '002',
    '1',
    'SCT',
    '',
    input.accountHolder.slice(0, 70),
    input.iban,
    `EUR${decimalAmount(input.euroCents)}`,
    '',
    '',
    input.reference.slice(0, 140),
  ].join('\n');
}

/** Null when nothing is owed (paid, paused by a claim, written off): a consumer is never shown how to pay then. */
export function paymentInstructions(invoice: InvoiceView, settings: TransferSettings): PaymentInstructions | null {
  if (invoice.outstanding.value <= 0) return null;
  if (!settings.iban && !settings.payLinkTemplate) return null;
  // The processor reports payments against the invoice id, so the id is what the transfer must carry.
  const reference = invoice.id;
  const amount = invoice.outstanding;
  const payUrl =
    settings.payLinkTemplate
      ?.replaceAll('{reference}', encodeURIComponent(reference))
      .replaceAll('{amount}', decimalAmount(amount.value)) ?? null;
  return {
    amount,
    due_at: invoice.due_at,
    iban: settings.iban ?? null,
    account_holder: settings.accountHolder,
    reference,
    pay_url: payUrl,
    // SEPA credit transfers are in euro only; other currencies get the details without a QR code.
    epc_qr:
      settings.iban && amount.currency === 'EUR'
        ? epcQrText({ accountHolder: settings.accountHolder, iban: settings.iban, euroCents: amount.value, reference })
        : null,
  };
}
