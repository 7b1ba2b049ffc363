// Who may act on a challenge, whether it can still be used, and how a success is recorded: shared by every method.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { findSession } from '../checkout/checkout.repository.ts';
import { erasedInput, type PersonalData } from '../privacy/personal-data.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { deliveryAddressOf } from './challenge.message.ts';
import { findChallenge, insertVerification, updateChallenge, type ChallengeRow } from './challenge.repository.ts';
import { linkSignatureLength, sameHash, signToken } from './otp.codes.ts';

export const challengeLifetimeMilliseconds = 5 * 60_000;
export const maxFailedAttempts = 5;
export const maxSendsPerChallenge = 5;

/** The merchant's server (API key) or the shopper's browser (the challenge's client token from the widget). */
export type ChallengeCaller =
  { readonly kind: 'merchant'; readonly merchantId: string } | { readonly kind: 'client'; readonly token: string };

export interface StepUpSecrets {
  readonly secret: string;
  readonly publicUrl: string;
}

export const clientTokenFor = (secret: string, challengeId: string) =>
  `rgt_${signToken(secret, 'challenge-client', challengeId)}`;

export const reportLinkFor = (secrets: StepUpSecrets, challengeId: string) =>
  `${secrets.publicUrl}/report/${challengeId}.${signToken(secrets.secret, 'challenge-report', challengeId).slice(0, linkSignatureLength)}`;

export const widgetUrlFor = (secrets: StepUpSecrets, challengeId: string) =>
  `${secrets.publicUrl}/widget/challenge?id=${challengeId}#token=${clientTokenFor(secrets.secret, challengeId)}`;

/** Loads the challenge for an action; a caller that may not see it gets the same 404 as for a missing one. */
export async function loadChallenge(
  tx: SqlExecutor,
  secret: string,
  challengeId: string,
  caller: ChallengeCaller,
  options: { forUpdate?: boolean; personalData?: PersonalData } = {},
): Promise<{ challenge: ChallengeRow; input: SessionInput; sessionStatus: string }> {
  const challenge = await findChallenge(tx, challengeId, options);
  const allowed =
    challenge !== null &&
    (caller.kind === 'merchant'
      ? caller.merchantId === challenge.merchant_id
      : sameHash(caller.token, clientTokenFor(secret, challenge.id)));
  if (!challenge || !allowed) throw notFound('challenge');
  const session = await findSession(tx, challenge.merchant_id, challenge.session_id);
  if (!session) throw notFound('challenge');
  // Methods that never read the input (passkeys, bank proofs) pass no opener and get the person-free stand-in.
  const input = options.personalData ? options.personalData.openOrRefuse(session) : erasedInput(session.input);
  return { challenge, input, sessionStatus: session.status };
}

/** Expiry is derived from the clock, so a challenge nobody touched is expired without a sweeper. */
export function effectiveStatus(challenge: ChallengeRow, now: number): ChallengeRow['status'] {
  if (challenge.status === 'pending' && now >= challenge.expires_at.getTime()) return 'expired';
  return challenge.status;
}

export function assertUsable(challenge: ChallengeRow, now: number): void {
  const status = effectiveStatus(challenge, now);
  if (status === 'locked')
    throw new ApiError(409, 'challenge_locked', 'too many wrong attempts; this challenge is locked');
  if (status === 'expired')
    throw new ApiError(409, 'challenge_expired', 'this challenge has expired; start the checkout again');
  if (status === 'verified') throw new ApiError(409, 'challenge_already_used', 'this challenge was already verified');
}

export function assertMethodAllowed(challenge: ChallengeRow, method: string) {
  const option = challenge.options.find((candidate) => candidate.method === method);
  if (!option) {
    throw new ApiError(422, 'method_not_allowed', `method ${method} is not offered for this challenge`, 'method', {
      allowed: challenge.options.map((candidate) => candidate.method),
    });
  }
  return option;
}

/** What a code is bound to: this challenge, its session, the amount, the merchant and the delivery address. */
export function codeBinding(challenge: ChallengeRow, input: SessionInput): string[] {
  const address = deliveryAddressOf(input);
  return [
    challenge.id,
    challenge.session_id,
    challenge.merchant_id,
    String(input.amount.value),
    input.amount.currency,
    [address.street, address.house_number, address.postal_code, address.city, address.country].join('|'),
  ];
}

/** A wrong code or a failed proof: counts, and locks at the limit. Returns how many attempts remain. */
export async function recordFailure(tx: SqlExecutor, challenge: ChallengeRow): Promise<number> {
  const failed = challenge.failed_attempts + 1;
  const locked = failed >= maxFailedAttempts;
  await updateChallenge(tx, challenge.id, {
    failed_attempts: failed,
    ...(locked ? { status: 'locked', code_hash: null, passkey_challenge: null } : {}),
  });
  return maxFailedAttempts - failed;
}

export function failureError(remaining: number, code: string, message: string): ApiError {
  if (remaining <= 0) return new ApiError(409, 'challenge_locked', 'too many wrong attempts; this challenge is locked');
  return new ApiError(422, code, message, undefined, { attempts_remaining: remaining });
}

/** The proof succeeded: the code is spent, and the outcome is stored as a fact (a verified device, channel). */
export async function recordVerified(
  tx: SqlExecutor,
  dependencies: { ids: Ids; clock: Clock },
  challenge: ChallengeRow,
  method: string,
  channelId: string | null,
): Promise<Date> {
  const at = new Date(dependencies.clock.now());
  await updateChallenge(tx, challenge.id, {
    status: 'verified',
    code_hash: null,
    passkey_challenge: null,
    verified_method: method,
    verified_at: at,
  });
  await insertVerification(tx, {
    id: dependencies.ids.next('vrf'),
    account_id: challenge.account_id,
    session_id: challenge.session_id,
    challenge_id: challenge.id,
    method,
    channel_id: channelId,
    device_id: challenge.device_id,
    verified_at: at,
  });
  return at;
}
