// Identity resolution: which known account does this claim point to, how strongly, and where do the claims disagree?
import type { SessionInput } from '../../checkout/session.schema.ts';
import { nameSimilarity, normaliseName } from '../normalise/name.normaliser.ts';
import type { NormalisedSession } from '../normalise/session.normaliser.ts';
import type { AccountView, ChannelView, StateSnapshot } from '../state/feature-state.ts';

export const conflictKinds = [
  'email_and_phone_point_to_different_accounts',
  'email_belongs_to_other_account',
  'phone_belongs_to_other_account',
  'name_differs_from_account',
  'date_of_birth_differs_from_account',
  'name_and_address_belong_to_other_account',
] as const;
export type ConflictKind = (typeof conflictKinds)[number];

/** Per attribute, how well the claim matches the resolved account: 1 exact, 0 different, null unknown. */
export interface AttributeMatch {
  readonly email: number;
  readonly phone: number;
  readonly name: number;
  readonly dateOfBirth: number | null;
  readonly billingAddress: number;
}

export interface Resolution {
  readonly accountId: string | null;
  readonly account: AccountView | null;
  /** Overall match strength in [0, 1]. */
  readonly strength: number;
  readonly attributes: AttributeMatch;
  readonly conflicts: readonly ConflictKind[];
  readonly newCustomer: boolean;
  readonly emailAccountIds: readonly string[];
  readonly phoneAccountIds: readonly string[];
  readonly billingAddressAccountIds: readonly string[];
  /** The matched account's channel equal to the typed value; verified only when verified before the decision. */
  readonly emailChannel: ChannelView | null;
  readonly phoneChannel: ChannelView | null;
}

const weights = { email: 3, phone: 3, name: 2, dateOfBirth: 1.5, billingAddress: 1.5 } as const;
const maximumScore = weights.email + weights.phone + weights.name + weights.dateOfBirth + weights.billingAddress;
/** Below this a similar name is a different person (Jan Jansen vs Jan Janssen scores about 0.98). */
export const sameNameThreshold = 0.88;

const noMatch: AttributeMatch = { email: 0, phone: 0, name: 0, dateOfBirth: null, billingAddress: 0 };

function attributesFor(
  account: AccountView,
  claim: NormalisedSession,
  dateOfBirth: string | undefined,
): AttributeMatch {
  const hasChannel = (channel: 'email' | 'phone', key: string | null): boolean =>
    key !== null && account.channels.some((entry) => entry.channel === channel && entry.key === key);
  return {
    email: hasChannel('email', claim.emailKey) ? 1 : 0,
    phone: hasChannel('phone', claim.phoneKey) ? 1 : 0,
    name: account.name === null ? 0 : nameSimilarity(claim.name, normaliseName(account.name)),
    dateOfBirth:
      dateOfBirth === undefined || account.dateOfBirth === null ? null : dateOfBirth === account.dateOfBirth ? 1 : 0,
    billingAddress:
      account.homeAddressKey === claim.billing.key ? 1 : account.homePostalCode === claim.billing.postalCode ? 0.5 : 0,
  };
}

function score(match: AttributeMatch): number {
  const name = match.name >= sameNameThreshold ? match.name : 0;
  const dateOfBirth =
    match.dateOfBirth === null ? 0 : match.dateOfBirth === 1 ? weights.dateOfBirth : -weights.dateOfBirth;
  return (
    match.email * weights.email +
    match.phone * weights.phone +
    name * weights.name +
    dateOfBirth +
    match.billingAddress * weights.billingAddress
  );
}

/** A claim resolves to an account on an on-file channel, or on name plus home address or date of birth. */
function qualifies(match: AttributeMatch): boolean {
  if (match.email === 1 || match.phone === 1) return true;
  return match.name >= sameNameThreshold && (match.billingAddress === 1 || match.dateOfBirth === 1);
}

export function resolveIdentity(
  claim: NormalisedSession,
  customer: SessionInput['customer'],
  snapshot: StateSnapshot,
): Resolution {
  const candidates = new Set([
    ...snapshot.accountsByEmail,
    ...snapshot.accountsByPhone,
    ...snapshot.accountsByBillingAddress,
  ]);
  let best: { account: AccountView; match: AttributeMatch; score: number } | null = null;
  const nameAndAddressAccounts: string[] = [];
  for (const accountId of candidates) {
    const account = snapshot.accounts.get(accountId);
    if (account === undefined) continue;
    const match = attributesFor(account, claim, customer.date_of_birth);
    if (match.name >= sameNameThreshold && match.billingAddress === 1) nameAndAddressAccounts.push(accountId);
    if (!qualifies(match)) continue;
    const candidateScore = score(match);
    // Ties go to the account with more history, then the lower id, so resolution never depends on index order.
    if (
      best === null ||
      candidateScore > best.score ||
      (candidateScore === best.score &&
        (account.orders > best.account.orders ||
          (account.orders === best.account.orders && account.accountId < best.account.accountId)))
    ) {
      best = { account, match, score: candidateScore };
    }
  }
  const conflicts: ConflictKind[] = [];
  const emailIds = snapshot.accountsByEmail;
  const phoneIds = snapshot.accountsByPhone;
  if (emailIds.length > 0 && phoneIds.length > 0 && !emailIds.some((id) => phoneIds.includes(id)))
    conflicts.push('email_and_phone_point_to_different_accounts');
  const account = best?.account ?? null;
  if (account !== null && best !== null) {
    if (emailIds.some((id) => id !== account.accountId) && best.match.email === 0)
      conflicts.push('email_belongs_to_other_account');
    if (phoneIds.some((id) => id !== account.accountId) && best.match.phone === 0)
      conflicts.push('phone_belongs_to_other_account');
    if (account.name !== null && best.match.name < sameNameThreshold) conflicts.push('name_differs_from_account');
    if (best.match.dateOfBirth === 0) conflicts.push('date_of_birth_differs_from_account');
    // The typed contact details point to one account, the typed name and address to another: someone's identity is borrowed.
    if (nameAndAddressAccounts.some((id) => id !== account.accountId))
      conflicts.push('name_and_address_belong_to_other_account');
  }
  const channelFor = (channel: 'email' | 'phone', key: string | null): ChannelView | null =>
    account?.channels.find((entry) => entry.channel === channel && entry.key === key) ?? null;
  return {
    accountId: account?.accountId ?? null,
    account,
    strength: best === null ? 0 : Math.max(0, Math.min(1, best.score / maximumScore)),
    attributes: best?.match ?? noMatch,
    conflicts,
    newCustomer: account === null,
    emailAccountIds: emailIds,
    phoneAccountIds: phoneIds,
    billingAddressAccountIds: snapshot.accountsByBillingAddress,
    emailChannel: channelFor('email', claim.emailKey),
    phoneChannel: channelFor('phone', claim.phoneKey),
  };
}
