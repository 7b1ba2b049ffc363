// VerificationPaymentProvider over a payment service's HTTP API (bearer key; HMAC-signed callbacks naming a payment).
import { createHmac } from 'node:crypto';
import { sameHash } from '../otp.codes.ts';
import type { PaymentReport, PaymentState, VerificationPaymentProvider } from './verification-payment.provider.ts';

export interface HttpPaymentSettings {
  readonly serviceUrl: string;
  readonly apiKey: string;
  readonly callbackSecret: string;
  readonly timeoutMilliseconds?: number;
}

const states: readonly PaymentState[] = ['open', 'paid', 'failed', 'cancelled', 'expired'];

/** The signature a callback carries: HMAC-SHA256 of the payment id with the shared callback secret, hex. */
export const paymentCallbackSignature = (secret: string, paymentId: string) =>
  createHmac('sha256', secret).update(paymentId).digest('hex');

export function makeHttpVerificationPayment(settings: HttpPaymentSettings): VerificationPaymentProvider {
  const base = settings.serviceUrl.replace(/\/+$/, '');
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${settings.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(settings.timeoutMilliseconds ?? 10_000),
    });
    if (!response.ok) throw new Error(`payment service answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
  return {
    async create(request) {
      const created = await call('POST', '/payments', {
        amount: { value: request.amountCents, currency: 'EUR' },
        description: request.description,
        reference: request.reference,
        return_url: request.returnUrl,
      });
      if (typeof created.id !== 'string' || typeof created.checkout_url !== 'string')
        throw new Error('payment service returned no id or checkout_url');
      return { paymentId: created.id, url: created.checkout_url };
    },
    async get(paymentId): Promise<PaymentReport> {
      const payment = await call('GET', `/payments/${encodeURIComponent(paymentId)}`);
      const state = states.find((candidate) => candidate === payment.status) ?? 'failed';
      const payer =
        state === 'paid' && typeof payment.payer_name === 'string' && typeof payment.payer_iban === 'string'
          ? { name: payment.payer_name, iban: payment.payer_iban }
          : null;
      return { paymentId, state: state === 'paid' && payer === null ? 'failed' : state, payer };
    },
    verifyCallback(body, signature) {
      const paymentId = (body as { id?: unknown } | null)?.id;
      if (typeof paymentId !== 'string' || !signature) return null;
      return sameHash(signature, paymentCallbackSignature(settings.callbackSecret, paymentId)) ? paymentId : null;
    },
  };
}
