// Creates the challenge for a step_up decision inside the authorize transaction, and shows it again on replays.
import type { DecisionHook, ReplayHook } from '../checkout/checkout.service.ts';
import { isPossessionProof, type ChallengeMethod, type ChallengeOption } from '../risk/engine.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { challengeLifetimeMilliseconds, clientTokenFor, widgetUrlFor, type StepUpSecrets } from './challenge.access.ts';
import {
  accountHasPasskey,
  findVerifiedChannel,
  insertChallenge,
  latestChallengeOfSession,
  type ChallengeRow,
} from './challenge.repository.ts';
import { isOtpMethod, sendCode, type OtpSenderDependencies } from './otp.sender.ts';

export function presentChallenge(secrets: StepUpSecrets, challenge: ChallengeRow) {
  return {
    id: challenge.id,
    methods: challenge.options.map((option) => ({ method: option.method, target: option.maskedTarget })),
    expires_at: challenge.expires_at.toISOString(),
    client_token: clientTokenFor(secrets.secret, challenge.id),
    widget_url: widgetUrlFor(secrets, challenge.id),
    sent: challenge.code_method,
  };
}

/**
 * Keeps only options that are safe to offer: an OTP option must name a channel of the matched account that was
 * verified before now (defence in depth: the engine promises it, the database proves it). A passkey is offered when
 * the account registered one, because nothing an attacker typed can produce it.
 */
async function safeOptions(
  tx: SqlExecutor,
  accountId: string | null,
  options: readonly ChallengeOption[],
  at: Date,
  bankProofs: readonly ChallengeMethod[],
): Promise<ChallengeOption[]> {
  const kept: ChallengeOption[] = [];
  // A passkey counts where the policy lets the account's own credentials count (it offered a code to a channel on
  // file): a passkey registered on a ghost account by whoever opened it must not approve large orders.
  const accountCredentialsCount = options.some((option) => isOtpMethod(option.method));
  if (accountId && accountCredentialsCount && (await accountHasPasskey(tx, accountId))) {
    kept.push({ method: 'passkey', channelId: null, maskedTarget: null });
  }
  for (const option of options) {
    if (!isOtpMethod(option.method) || !accountId || !option.channelId) continue;
    if (await findVerifiedChannel(tx, accountId, option.channelId, at)) kept.push(option);
  }
  // Possession proofs need nothing on file (the bank or the payment names the person): offered as the policy names
  // them, and the way through when nothing safe is left. Only those this server has a provider for are offered.
  const named = options.filter((option) => isPossessionProof(option.method)).map((option) => option.method);
  for (const method of kept.length === 0 && named.length === 0 ? bankProofs : named) {
    if (bankProofs.includes(method)) kept.push({ method, channelId: null, maskedTarget: null });
  }
  return kept;
}

export function makeChallengeHook(
  dependencies: OtpSenderDependencies & { readonly bankProofs: readonly ChallengeMethod[] },
): DecisionHook {
  return async (tx, context) => {
    if (context.decision.outcome !== 'step_up') return {};
    const options = await safeOptions(
      tx,
      context.decision.accountId,
      context.decision.challengeOptions,
      context.at,
      dependencies.bankProofs,
    );
    const challenge: ChallengeRow = {
      id: dependencies.ids.next('chl'),
      session_id: context.session.id,
      merchant_id: context.merchant.id,
      decision_id: context.decisionId,
      account_id: context.decision.accountId,
      device_id: context.session.input.device?.id ?? null,
      options,
      status: 'pending',
      failed_attempts: 0,
      code_hash: null,
      code_method: null,
      code_sent_at: null,
      sends: 0,
      passkey_challenge: null,
      verified_method: null,
      verified_at: null,
      expires_at: new Date(context.at.getTime() + challengeLifetimeMilliseconds),
      created_at: context.at,
    };
    await insertChallenge(tx, challenge);
    // With exactly one way through and it is a code, sending it now saves the shopper a click.
    const [only] = options;
    if (options.length === 1 && only && isOtpMethod(only.method)) {
      const outcome = await sendCode(tx, dependencies, {
        challenge,
        input: context.session.input,
        merchantName: context.merchant.name,
        method: only.method,
      });
      if (outcome.kind === 'sent') challenge.code_method = only.method;
    }
    return { challenge: presentChallenge(dependencies, challenge) };
  };
}

export function makeChallengeReplayHook(secrets: StepUpSecrets): ReplayHook {
  return async (database, sessionId) => {
    const challenge = await latestChallengeOfSession(database, sessionId);
    // Only a challenge still waiting is shown again; a verified one has become the decision that followed it.
    return challenge?.status === 'pending' ? { challenge: presentChallenge(secrets, challenge) } : {};
  };
}
