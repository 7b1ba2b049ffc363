// The VerificationPaymentProvider port: a one-cent payment the shopper makes from their own bank account.
export type PaymentState = 'open' | 'paid' | 'failed' | 'cancelled' | 'expired';

export interface PaymentReport {
  readonly paymentId: string;
  readonly state: PaymentState;
  /** Only for a paid payment: the account holder's name and IBAN as the payer's bank reported them. */
  readonly payer: { readonly name: string; readonly iban: string } | null;
}

export interface VerificationPaymentProvider {
  /** Creates the payment request; the shopper pays it at `url` after logging in at their bank. */
  create(request: {
    readonly reference: string;
    readonly amountCents: number;
    readonly description: string;
    readonly returnUrl: string;
  }): Promise<{ readonly paymentId: string; readonly url: string }>;
  /** The payment as the service reports it now (the poll; a callback only says "look again"). */
  get(paymentId: string): Promise<PaymentReport>;
  /** The payment id a callback names, when its signature is right; null otherwise. */
  verifyCallback(body: unknown, signature: string | undefined): string | null;
}
