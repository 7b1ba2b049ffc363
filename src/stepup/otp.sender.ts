// Sends a step-up code: only to the on-file, verified channel the decision named, rate-limited, with dynamic linking.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import {
  assertMethodAllowed,
  codeBinding,
  maxSendsPerChallenge,
  reportLinkFor,
  type StepUpSecrets,
} from './challenge.access.ts';
import { codeMessage } from './challenge.message.ts';
import { languageOfAccount } from '../notify/message.compose.ts';
import { findVerifiedChannel, updateChallenge, type ChallengeRow } from './challenge.repository.ts';
import { hashCode, newCode } from './otp.codes.ts';
import { limited, makeSqlRateLimiter, sendLimits, type RateLimiterFor } from './send.rate-limit.ts';

export const otpMethods = ['otp_sms', 'otp_email'] as const;
export type OtpMethod = (typeof otpMethods)[number];
export const isOtpMethod = (method: string): method is OtpMethod => (otpMethods as readonly string[]).includes(method);

export interface OtpSenderDependencies extends StepUpSecrets {
  readonly ids: Ids;
  readonly clock: Clock;
  /** The rate-limit adapter (PostgreSQL counters unless the composition root chooses another). */
  readonly rateLimiter?: RateLimiterFor;
  /** Opens the channel's sealed value, to address the code. */
  readonly personalData: PersonalData;
}

export type SendOutcome =
  { readonly kind: 'sent'; readonly method: OtpMethod } | { readonly kind: 'refused'; readonly error: ApiError };

const refused = (error: ApiError): SendOutcome => ({ kind: 'refused', error });

/**
 * The recipient as one key however the number or address was typed on each account that holds it: the pseudonym of
 * the normalised value, so the rate-limit table never holds the address itself.
 */
const recipientKey = (channel: { kind: string; value_pseudonym: string }) =>
  `${channel.kind}:${channel.value_pseudonym}`;

/** Sends (or re-sends: the new hash replaces the old, so the previous code stops working) inside the caller's transaction. */
export async function sendCode(
  tx: SqlExecutor,
  dependencies: OtpSenderDependencies,
  context: {
    challenge: ChallengeRow;
    input: SessionInput;
    merchantName: string;
    method: string;
    /** The shopper's browser languages (the widget's request, else the checkout's), used when the account has none. */
    acceptLanguage?: string | null | undefined;
  },
): Promise<SendOutcome> {
  const { challenge, input, method } = context;
  if (!isOtpMethod(method))
    return refused(new ApiError(422, 'method_not_allowed', `${method} does not send a code`, 'method'));
  const option = assertMethodAllowed(challenge, method);
  // THE ONE PRINCIPLE: the channel must be the account's own, verified before this purchase began; a typed one never.
  const channel =
    option.channelId && challenge.account_id
      ? await findVerifiedChannel(tx, challenge.account_id, option.channelId, challenge.created_at)
      : null;
  const to = channel ? dependencies.personalData.accounts.channelValue(channel) : null;
  if (!channel || to === null || (channel.kind === 'phone') !== (method === 'otp_sms')) {
    return refused(new ApiError(422, 'method_not_allowed', 'no verified channel on file for this method', 'method'));
  }
  if (challenge.sends >= maxSendsPerChallenge) {
    return refused(new ApiError(429, 'too_many_sends', 'no more codes can be sent for this challenge'));
  }
  const now = dependencies.clock.now();
  // The step-up budget: spent only here, by a challenge of a merchant-authenticated checkout, never by sign-ins.
  const keys = [
    ...limited(`step-up:send:account:${challenge.account_id}`, sendLimits.stepUpAccount),
    ...(challenge.device_id ? limited(`step-up:send:device:${challenge.device_id}`, sendLimits.stepUpDevice) : []),
    ...limited(`step-up:send:to:${recipientKey(channel)}`, sendLimits.stepUpRecipient),
  ];
  const result = await (dependencies.rateLimiter ?? makeSqlRateLimiter)(tx).consume(keys, now);
  if (!result.allowed) {
    return refused(
      new ApiError(429, 'too_many_sends', 'too many codes were sent; try again later', undefined, {
        retry_after_seconds: result.retryAfterSeconds,
      }),
    );
  }
  const code = newCode();
  await updateChallenge(tx, challenge.id, {
    code_hash: hashCode(dependencies.secret, code, codeBinding(challenge, input)),
    code_method: method,
    code_sent_at: new Date(now),
    sends: challenge.sends + 1,
  });
  const channelKind = method === 'otp_sms' ? 'sms' : 'email';
  const language = await languageOfAccount(
    tx,
    challenge.account_id,
    context.acceptLanguage ?? input.device?.accept_language,
  );
  const message = codeMessage(channelKind, language, {
    code,
    input,
    merchantName: context.merchantName,
    reportLink: reportLinkFor(dependencies, challenge.id),
  });
  await enqueueNotification(
    tx,
    dependencies.ids,
    {
      channel: channelKind,
      to,
      ...message,
      kind: 'step_up_code',
    },
    new Date(now),
  );
  return { kind: 'sent', method };
}
