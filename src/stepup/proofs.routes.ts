// Routes of the proofs at the bank: start (widget or merchant), status, and the bank's / payment service's way back.
import { z } from 'zod';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { escapeHtml, htmlPage } from '../notify/html.page.ts';
import { challengeErrorResponses, challengeParams, makeCallerOf } from './challenges.routes.ts';
import type { CompletionOutcome } from './bank-proof.service.ts';
import type { BankIdentificationProof } from './bank-identification/bank-identification.proof.ts';
import type { VerificationPaymentProof } from './verification-payment/verification-payment.proof.ts';
import type { Proof } from './proof.ts';

/** The page the shopper lands on after the bank: it tells the waiting widget (its opener) and closes itself. */
function returnPage(outcome: CompletionOutcome | { kind: 'open' }) {
  const [title, text] =
    outcome.kind === 'verified'
      ? ['Confirmed', 'Thank you, you are confirmed. You can close this window.']
      : outcome.kind === 'open'
        ? ['Waiting', 'Waiting for your bank to confirm the payment. You can close this window.']
        : ['Not confirmed', `This could not be confirmed: ${outcome.message}. You can close this window.`];
  return {
    status: outcome.kind === 'failed' && outcome.code === 'invalid_state' ? 404 : 200,
    contentType: 'text/html; charset=utf-8',
    headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: htmlPage(
      title,
      `<h1 id="proof-outcome" data-outcome="${outcome.kind}">${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><script src="/widget/proof-return.js"></script>`,
    ),
  };
}

export interface ProofRouteDependencies {
  readonly bankIdentification: BankIdentificationProof | null;
  readonly verificationPayment: VerificationPaymentProof | null;
  readonly findMerchantByKeyHash: (keyHash: string) => Promise<{ id: string } | null>;
}

export function proofRoutes(dependencies: ProofRouteDependencies): RouteDefinition[] {
  const callerOf = makeCallerOf(dependencies.findMerchantByKeyHash);
  const common = { tags: ['step-up'], auth: 'none' as const, params: challengeParams };
  const startAndStatus = (proof: Proof, path: string, summary: string) => [
    defineRoute({
      ...common,
      method: 'POST',
      url: `/v1/challenges/:id/${path}/start`,
      summary: `${summary}: start; open redirect_url (popup or redirect) for the shopper`,
      responses: {
        200: { description: '{method, redirect_url, expires_at}' },
        ...challengeErrorResponses,
        429: { description: 'too_many_attempts' },
      },
      handler: async ({ params, request }) => ({
        status: 200,
        body: await proof.start(params.id, await callerOf(request)),
      }),
    }),
    defineRoute({
      ...common,
      method: 'GET',
      url: `/v1/challenges/:id/${path}`,
      summary: `${summary}: outcome so far (not_started, pending, failed with code, verified with the decision)`,
      responses: { 200: { description: 'Status' }, ...challengeErrorResponses },
      handler: async ({ params, request }) => ({
        status: 200,
        body: await proof.status(params.id, await callerOf(request)),
      }),
    }),
  ];

  const routes: RouteDefinition[] = [];
  const bank = dependencies.bankIdentification;
  if (bank) {
    routes.push(
      ...startAndStatus(bank, 'bank-identification', 'Bank identification'),
      defineRoute({
        method: 'GET',
        url: '/v1/bank-identification/callback',
        summary: "The bank's redirect back (OpenID Connect code + state); completes the proof once",
        tags: ['step-up'],
        auth: 'none',
        query: z.looseObject({ state: z.string().max(200).optional() }),
        responses: { 200: { description: 'HTML' }, 404: { description: 'Invalid or used state' } },
        handler: async ({ request }) => {
          const query = new URL(request.url, 'http://callback.invalid').searchParams;
          return returnPage(await bank.callback(query));
        },
      }),
    );
  }
  const payment = dependencies.verificationPayment;
  if (payment) {
    routes.push(
      ...startAndStatus(payment, 'verification-payment', 'Verification payment'),
      defineRoute({
        method: 'GET',
        url: '/v1/verification-payment/return',
        summary: 'Where the payment service sends the payer back; reads the payment and completes the proof',
        tags: ['step-up'],
        auth: 'none',
        query: z.object({ state: z.string().min(1).max(200) }),
        responses: { 200: { description: 'HTML' }, 404: { description: 'Invalid state' } },
        handler: async ({ query }) => {
          const paymentId = await payment.paymentOf(query.state);
          if (!paymentId) return returnPage({ kind: 'failed', code: 'invalid_state', message: 'unknown payment' });
          return returnPage(await payment.settle(paymentId));
        },
      }),
      defineRoute({
        method: 'POST',
        url: '/v1/verification-payment/callback',
        summary:
          "The payment service's signed callback ({id}, X-Signature: HMAC-SHA256 of the id); the payment is read back",
        tags: ['step-up'],
        auth: 'none',
        body: z.object({ id: z.string().min(1).max(200) }),
        responses: { 200: { description: 'Accepted' }, 401: { description: 'invalid_signature' } },
        handler: async ({ body, request }) => {
          const signature = request.headers['x-signature'];
          const paymentId = payment.verifyCallback(body, typeof signature === 'string' ? signature : undefined);
          if (!paymentId) throw new ApiError(401, 'invalid_signature', 'the callback signature is not valid');
          const outcome = await payment.settle(paymentId);
          return { status: 200, body: { received: true, outcome: outcome.kind } };
        },
      }),
    );
  }
  return routes;
}
