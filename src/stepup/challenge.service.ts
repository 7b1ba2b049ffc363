// The step-up use cases: show a challenge, send a code, verify a code (or any proof through `attempt`), then complete.
import type { PersonalData } from '../privacy/personal-data.ts';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { CheckoutService } from '../checkout/checkout.service.ts';
import type { AuthorizationView } from '../checkout/checkout.presenter.ts';
import {
  assertMethodAllowed,
  assertUsable,
  codeBinding,
  effectiveStatus,
  failureError,
  loadChallenge,
  maxFailedAttempts,
  recordFailure,
  recordVerified,
  type ChallengeCaller,
  type StepUpSecrets,
} from './challenge.access.ts';
import { deliveryAddressOf, formatAddress, formatAmount } from './challenge.message.ts';
import { findMerchant, type ChallengeRow } from './challenge.repository.ts';
import { hashCode, normaliseCode, sameHash } from './otp.codes.ts';
import { sendCode } from './otp.sender.ts';
import type { ChallengeMethod, HistoryEvent, RiskEngine } from '../risk/engine.ts';
import type { VerifiedEvidence } from '../checkout/checkout.service.ts';
import type { RateLimiterFor } from './send.rate-limit.ts';
import { proofLockout } from './proof.lockout.ts';

/** What a passed proof hands to the completion: the bank-verified identity, and writes to make on approval. */
export type ProofExtra = Pick<VerifiedEvidence, 'identity' | 'onApproved'>;

export type ProofResult =
  | { ok: true; method: ChallengeMethod; channelId: string | null; extra?: ProofExtra }
  | { ok: false; code: string; message: string; events?: readonly HistoryEvent[] };

export interface ChallengeServiceDependencies extends StepUpSecrets {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly checkout: Pick<CheckoutService, 'completeVerifiedSession'>;
  /** Learns of each passed verification once it is stored, so the device becomes one the holder proved to own. */
  readonly engine: Pick<RiskEngine, 'record'>;
  /** The rate-limit adapter (PostgreSQL counters unless the composition root chooses another). */
  readonly rateLimiter?: RateLimiterFor;
  /** Opens the session input a code is bound to and a message is written from. */
  readonly personalData: PersonalData;
}

const methodView = z.object({ method: z.string(), target: z.string().nullable() });

/** What GET /v1/challenges/:id answers; get() is typed by it. */
export const challengeViewSchema = z.object({
  id: z.string(),
  status: z.string(),
  methods: z.array(methodView),
  expires_at: z.string(),
  attempts_remaining: z.number().int(),
  sent: z.string().nullable(),
  purchase: z.object({
    amount: z.string(),
    amount_value: z.number().int(),
    currency: z.string(),
    merchant: z.string(),
    delivery_address: z.string(),
  }),
});

/** What POST /v1/challenges/:id/send answers; send() is typed by it. */
export const challengeSentSchema = z.object({ id: z.string(), sent: z.string(), target: z.string().nullable() });

export function makeChallengeService(dependencies: ChallengeServiceDependencies) {
  const { database, clock, secret, personalData } = dependencies;

  async function merchantOf(tx: SqlExecutor, challenge: ChallengeRow) {
    const merchant = await findMerchant(tx, challenge.merchant_id);
    if (!merchant) throw notFound('challenge');
    return merchant;
  }

  async function get(challengeId: string, caller: ChallengeCaller): Promise<z.infer<typeof challengeViewSchema>> {
    const { challenge, input } = await loadChallenge(database, secret, challengeId, caller, { personalData });
    const merchant = await merchantOf(database, challenge);
    return {
      id: challenge.id,
      status: effectiveStatus(challenge, clock.now()),
      methods: challenge.options.map((option) => ({ method: option.method, target: option.maskedTarget })),
      expires_at: challenge.expires_at.toISOString(),
      attempts_remaining: Math.max(0, maxFailedAttempts - challenge.failed_attempts),
      sent: challenge.code_method,
      // Shown in the widget as in the message: the shopper sees what the code would approve.
      purchase: {
        amount: formatAmount(input.amount.value, input.amount.currency),
        // Minor units and currency, so the widget writes the amount in the shopper's language.
        amount_value: input.amount.value,
        currency: input.amount.currency,
        merchant: merchant.name,
        delivery_address: formatAddress(deliveryAddressOf(input)),
      },
    };
  }

  async function send(
    challengeId: string,
    caller: ChallengeCaller,
    method: string,
    acceptLanguage?: string,
  ): Promise<z.infer<typeof challengeSentSchema>> {
    return database.transaction(async (tx) => {
      const { challenge, input } = await loadChallenge(tx, secret, challengeId, caller, {
        forUpdate: true,
        personalData,
      });
      assertUsable(challenge, clock.now());
      const merchant = await merchantOf(tx, challenge);
      const outcome = await sendCode(tx, dependencies, {
        challenge,
        input,
        merchantName: merchant.name,
        method,
        acceptLanguage,
      });
      if (outcome.kind === 'refused') throw outcome.error;
      const option = assertMethodAllowed(challenge, method);
      return { id: challenge.id, sent: outcome.method, target: option.maskedTarget };
    });
  }

  /**
   * After a proof is recorded the purchase is completed. A proof that was recorded but whose completion did not
   * happen (a crash in between) is completed by the next call; once completed, the challenge is spent.
   */
  async function complete(
    challenge: ChallengeRow,
    method: string,
    extra: Pick<VerifiedEvidence, 'identity' | 'onApproved'> = {},
  ): Promise<AuthorizationView> {
    const merchant = await merchantOf(database, challenge);
    return dependencies.checkout.completeVerifiedSession(merchant, challenge.session_id, {
      method,
      challengeId: challenge.id,
      ...extra,
    });
  }

  async function resumeIfVerified(challengeId: string, caller: ChallengeCaller): Promise<AuthorizationView | null> {
    const { challenge, sessionStatus } = await loadChallenge(database, secret, challengeId, caller, { personalData });
    if (challenge.status !== 'verified') return null;
    if (sessionStatus !== 'step_up') {
      throw new ApiError(409, 'challenge_already_used', 'this challenge was already verified');
    }
    return complete(challenge, challenge.verified_method ?? 'unknown');
  }

  type ProofOutcome =
    | {
        readonly kind: 'verified';
        readonly challenge: ChallengeRow;
        readonly method: ChallengeMethod;
        readonly at: Date;
        readonly extra: ProofExtra;
      }
    | { readonly kind: 'failed'; readonly error: ApiError; readonly events: readonly HistoryEvent[] };

  /** Runs one proof attempt under the challenge's row lock, so a code is accepted at most once. */
  async function attempt(
    challengeId: string,
    caller: ChallengeCaller,
    prove: (
      tx: SqlExecutor,
      challenge: ChallengeRow,
      input: Awaited<ReturnType<typeof loadChallenge>>['input'],
    ) => Promise<ProofResult>,
  ): Promise<AuthorizationView> {
    const resumed = await resumeIfVerified(challengeId, caller);
    if (resumed) return resumed;
    const outcome = await database.transaction(async (tx): Promise<ProofOutcome> => {
      const { challenge, input } = await loadChallenge(tx, secret, challengeId, caller, {
        forUpdate: true,
        personalData,
      });
      assertUsable(challenge, clock.now());
      const lockout = proofLockout(dependencies.rateLimiter, tx, challenge.account_id);
      await lockout.assertOpen(clock.now());
      const proof = await prove(tx, challenge, input);
      if (!proof.ok) {
        const remaining = await recordFailure(tx, challenge);
        await lockout.recordFailure(clock.now());
        return {
          kind: 'failed',
          error: failureError(remaining, proof.code, proof.message),
          events: proof.events ?? [],
        };
      }
      const at = await recordVerified(tx, dependencies, challenge, proof.method, proof.channelId);
      return { kind: 'verified', challenge, method: proof.method, at, extra: proof.extra ?? {} };
    });
    if (outcome.kind === 'failed') {
      // A failed proof may still have established a fact (a conflicting bank subject): the engine learns it too.
      for (const event of outcome.events) await dependencies.engine.record(event);
      throw outcome.error;
    }
    // Online state follows the database: the stored verification is now a fact the engine may use.
    if (outcome.challenge.account_id) {
      await dependencies.engine.record({
        kind: 'verification',
        accountId: outcome.challenge.account_id,
        at: outcome.at.getTime(),
        method: outcome.method,
        deviceId: outcome.challenge.device_id,
      });
    }
    return complete(outcome.challenge, outcome.method, outcome.extra);
  }

  async function verifyCode(challengeId: string, caller: ChallengeCaller, code: string) {
    return attempt(challengeId, caller, async (_tx, challenge, input) => {
      if (!challenge.code_hash || !challenge.code_method) {
        throw new ApiError(409, 'code_not_sent', 'no code was sent for this challenge; send one first');
      }
      const given = hashCode(secret, normaliseCode(code), codeBinding(challenge, input));
      if (!sameHash(given, challenge.code_hash))
        return { ok: false, code: 'invalid_code', message: 'the code is not correct' };
      const option = challenge.options.find((candidate) => candidate.method === challenge.code_method);
      return { ok: true, method: challenge.code_method as ChallengeMethod, channelId: option?.channelId ?? null };
    });
  }

  return { get, send, verifyCode, attempt, complete };
}

export type ChallengeService = ReturnType<typeof makeChallengeService>;
