// A fake payment service over real HTTP for tests: one-cent payment requests, a "payer pays" step, signed callbacks.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { paymentCallbackSignature } from '../../src/stepup/verification-payment/http.verification-payment.ts';

export const paymentServiceKey = 'test-payment-key-0123456789';
export const paymentCallbackSecret = 'test-payment-callback-secret-0123456789';

interface Payment {
  id: string;
  status: 'open' | 'paid' | 'failed' | 'cancelled' | 'expired';
  amount: { value: number; currency: string };
  reference: string;
  return_url: string;
  payer_name?: string;
  payer_iban?: string;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

export async function startPaymentService() {
  const payments = new Map<string, Payment>();
  let sequence = 0;
  const server = createServer((request, response) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${paymentServiceKey}`) return send(401, { error: 'unauthorized' });
      const url = new URL(request.url ?? '/', 'http://service');
      if (request.method === 'POST' && url.pathname === '/payments') {
        const body = await readJson(request);
        sequence += 1;
        const payment: Payment = {
          id: `tr_${sequence}`,
          status: 'open',
          amount: body.amount as Payment['amount'],
          reference: String(body.reference),
          return_url: String(body.return_url),
        };
        payments.set(payment.id, payment);
        return send(201, { id: payment.id, checkout_url: `${address}/checkout/${payment.id}` });
      }
      const match = /^\/payments\/([\w-]+)$/.exec(url.pathname);
      const payment = match ? payments.get(match[1]!) : undefined;
      if (request.method === 'GET' && payment) return send(200, payment);
      return send(404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: address,
    payments,
    environment: {
      VERIFICATION_PAYMENT_URL: address,
      VERIFICATION_PAYMENT_KEY: paymentServiceKey,
      VERIFICATION_PAYMENT_CALLBACK_SECRET: paymentCallbackSecret,
    },
    /** The payer logged in at their bank and paid from this account (or cancelled). */
    settle(paymentId: string, outcome: { name: string; iban: string } | 'cancelled') {
      const payment = payments.get(paymentId);
      if (!payment) throw new Error(`no payment ${paymentId}`);
      if (outcome === 'cancelled') payment.status = 'cancelled';
      else Object.assign(payment, { status: 'paid', payer_name: outcome.name, payer_iban: outcome.iban });
    },
    callbackSignature: (paymentId: string) => paymentCallbackSignature(paymentCallbackSecret, paymentId),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type PaymentService = Awaited<ReturnType<typeof startPaymentService>>;
