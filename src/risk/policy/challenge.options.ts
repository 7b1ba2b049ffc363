// Which challenges a step-up may offer: only channels on file and verified before this purchase, never typed ones.
import type { ChallengeMethod, ChallengeOption } from '../engine.ts';
import type { Resolution } from '../identity/identity.resolution.ts';
import type { ChannelView } from '../state/feature-state.ts';

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

/** Proofs at the shopper's own bank: possible for anyone, whatever is (not) on file. */
const bankProofs = (): ChallengeOption[] => [
  { method: 'bank_identification', channelId: null, maskedTarget: null },
  { method: 'verification_payment', channelId: null, maskedTarget: null },
];

const methodFor = (channel: ChannelView): ChallengeMethod => (channel.channel === 'phone' ? 'otp_sms' : 'otp_email');

/**
 * THE ONE PRINCIPLE: a code goes only to a channel of the resolved account that was verified before this
 * purchase (the snapshot already hides later verifications). It is the on-file channel that is named, whatever
 * was typed. A new customer, or an account without a verified channel, gets the proofs at their own bank.
 * `allowed` is the intersection of the methods the hit rules accept (undefined: any).
 */
export function challengeOptions(
  resolution: Resolution,
  allowed: ReadonlySet<ChallengeMethod> | undefined,
): ChallengeOption[] {
  const options: ChallengeOption[] = [];
  const account = resolution.account;
  if (account !== null) {
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
  options.push(...bankProofs());
  const permitted = allowed === undefined ? options : options.filter((option) => allowed.has(option.method));
  // A rule set that rules out every method still must not leave the shopper without a way through.
  return permitted.length > 0 ? permitted : bankProofs();
}
