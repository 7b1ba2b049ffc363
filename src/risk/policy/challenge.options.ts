// Which challenges a step-up may offer: only channels on file and verified before this purchase, never typed ones.
import { possessionProofs, type ChallengeMethod, type ChallengeOption } from '../engine.ts';
import type { Resolution } from '../identity/identity.resolution.ts';
import type { AccountView, ChannelView } from '../state/feature-state.ts';

export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const visibleEnd = digits.slice(-3);
  const prefix = e164.startsWith('+31') ? '+31 6' : `+${digits.slice(0, 2)}`;
  return `${prefix} ** ** *${visibleEnd}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***${dot >= 0 ? domain.slice(dot) : ''}`;
}

const methodFor = (channel: ChannelView): ChallengeMethod => (channel.channel === 'phone' ? 'otp_sms' : 'otp_email');

/**
 * An account whose identity was proven (bank identification, verification payment), or that has paid for what it
 * ordered and never had an order confirmed as someone else's fraud. Only then do its verified channels show the
 * account holder: a ghost account's channels were typed and "verified" by the attacker who opened it.
 */
export function identityEstablished(account: AccountView): boolean {
  if (account.identityProvenAt !== null) return true;
  return account.paidOnTime + account.paidLate > 0 && account.thirdPartyFraudOrders === 0;
}

export interface ChallengeContext {
  readonly amount: number;
  /** Up to this amount (minor units) a code to a channel verified under an unproven identity still counts. */
  readonly newCustomerFloor: number;
  /**
   * The proofs at the shopper's own bank this server has providers for (none without configuration and without
   * --demo); an empty list leaves people without a verified channel with no method at all.
   */
  readonly possessionProofs: readonly ChallengeMethod[];
}

export const defaultChallengeContext: ChallengeContext = {
  amount: 0,
  newCustomerFloor: 0,
  possessionProofs,
};

/**
 * THE ONE PRINCIPLE: a code goes only to a channel of the resolved account that was verified before this
 * purchase (the snapshot already hides later verifications). It is the on-file channel that is named, whatever
 * was typed. Above the new-customer floor, channels count only on an account whose identity is established. The
 * possession proofs at the shopper's own bank (bank identification, verification payment) need no history and are
 * offered wherever this server has a provider for them.
 * `allowed` is the intersection of the methods the hit rules accept (undefined: any). An empty result means no
 * method exists for this person: the policy then falls back to review or decline.
 */
export function challengeOptions(
  resolution: Resolution,
  allowed: ReadonlySet<ChallengeMethod> | undefined,
  context: ChallengeContext = defaultChallengeContext,
): ChallengeOption[] {
  const options: ChallengeOption[] = [];
  const account = resolution.account;
  const channelsCount =
    account !== null && (identityEstablished(account) || context.amount <= context.newCustomerFloor);
  if (account !== null && channelsCount) {
    const verified = account.channels
      .filter((channel) => channel.verifiedAt !== null)
      .sort((left, right) => (left.channel === right.channel ? 0 : left.channel === 'phone' ? -1 : 1));
    for (const channel of verified) {
      options.push({
        method: methodFor(channel),
        channelId: channel.channelId,
        maskedTarget: channel.channel === 'phone' ? maskPhone(channel.key) : maskEmail(channel.key),
      });
    }
  }
  for (const method of context.possessionProofs) options.push({ method, channelId: null, maskedTarget: null });
  return allowed === undefined ? options : options.filter((option) => allowed.has(option.method));
}
