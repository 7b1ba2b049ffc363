// Challenge routes for the merchant's server (API key) and the shopper's widget (client token): thin, into the services.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { defineRoute } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { sha256 } from '../shared/hashing.ts';
import { authorizationViewSchema } from '../checkout/checkout.presenter.ts';
import type { ChallengeCaller } from './challenge.access.ts';
import { challengeSentSchema, challengeViewSchema, type ChallengeService } from './challenge.service.ts';
import type { makePasskeyChallengeService } from './passkey-challenge.service.ts';

const params = z.object({ id: z.string().regex(/^chl_[0-9a-z]{1,40}$/, 'a challenge id (chl_...)') });
const sendBody = z.object({ method: z.enum(['otp_sms', 'otp_email']) });
const verifyBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[0-9 -]{4,12}$/, 'the code from the message, digits only'),
});
const passkeyBody = z.object({
  response: z.looseObject({ id: z.string().min(1).max(1024), rawId: z.string(), type: z.literal('public-key') }),
});

const errorResponses = {
  404: { description: 'No such challenge (or not yours)' },
  409: { description: 'challenge_locked, challenge_expired, challenge_already_used or code_not_sent' },
  422: { description: 'invalid_code (with attempts_remaining), method_not_allowed' },
  429: { description: 'too_many_sends (with retry_after_seconds)' },
} as const;

export interface ChallengeRouteDependencies {
  readonly challenges: ChallengeService;
  readonly passkeys: ReturnType<typeof makePasskeyChallengeService>;
  readonly findMerchantByKeyHash: (keyHash: string) => Promise<{ id: string } | null>;
}

/** Both the merchant's API key and the widget's client token (rgt_...) may act on a challenge. */
export function makeCallerOf(findMerchantByKeyHash: (keyHash: string) => Promise<{ id: string } | null>) {
  return async function callerOf(request: FastifyRequest): Promise<ChallengeCaller> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    if (token?.startsWith('rgt_')) return { kind: 'client', token };
    const merchant = token ? await findMerchantByKeyHash(sha256(token)) : null;
    if (!merchant)
      throw new ApiError(401, 'unauthorized', 'a merchant API key or the challenge client_token is required');
    return { kind: 'merchant', merchantId: merchant.id };
  };
}

export const challengeParams = params;
export const challengeErrorResponses = errorResponses;

export function challengeRoutes(dependencies: ChallengeRouteDependencies) {
  const { challenges, passkeys } = dependencies;
  const callerOf = makeCallerOf(dependencies.findMerchantByKeyHash);

  const common = { tags: ['step-up'], auth: 'none' as const, params };
  return [
    defineRoute({
      ...common,
      method: 'GET',
      url: '/v1/challenges/:id',
      summary: 'A challenge: status, methods (masked targets), attempts remaining, the purchase it approves',
      responses: { 200: { description: 'The challenge', schema: challengeViewSchema }, ...errorResponses },
      handler: async ({ params, request }) => ({
        status: 200,
        body: await challenges.get(params.id, await callerOf(request)),
      }),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      url: '/v1/challenges/:id/send',
      summary: 'Send (or re-send, invalidating the previous code) a code to the on-file channel of this method',
      idempotent: true,
      body: sendBody,
      responses: { 200: { description: 'Sent', schema: challengeSentSchema }, ...errorResponses },
      handler: async ({ params, body, request }) => ({
        status: 200,
        body: await challenges.send(
          params.id,
          await callerOf(request),
          body.method,
          request.headers['accept-language'],
        ),
      }),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      url: '/v1/challenges/:id/verify',
      summary: 'Verify the code; a correct one completes the purchase (decision approved with the order)',
      idempotent: true,
      body: verifyBody,
      responses: { 200: { description: 'The new decision', schema: authorizationViewSchema }, ...errorResponses },
      handler: async ({ params, body, request }) => ({
        status: 200,
        body: await challenges.verifyCode(params.id, await callerOf(request), body.code),
      }),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      url: '/v1/challenges/:id/passkey/options',
      summary: 'WebAuthn authentication options for a passkey step-up',
      responses: {
        200: {
          description: 'PublicKeyCredentialRequestOptionsJSON',
          schema: z.looseObject({ challenge: z.string() }),
        },
        ...errorResponses,
      },
      handler: async ({ params, request }) => ({
        status: 200,
        body: await passkeys.options(params.id, await callerOf(request)),
      }),
    }),
    defineRoute({
      ...common,
      method: 'POST',
      url: '/v1/challenges/:id/passkey/verify',
      summary: "Verify the browser's passkey assertion; success completes the purchase",
      idempotent: true,
      body: passkeyBody,
      responses: { 200: { description: 'The new decision', schema: authorizationViewSchema }, ...errorResponses },
      handler: async ({ params, body, request }) => ({
        status: 200,
        body: await passkeys.verify(
          params.id,
          await callerOf(request),
          body.response as unknown as AuthenticationResponseJSON,
        ),
      }),
    }),
  ];
}
