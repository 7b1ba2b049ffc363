// Shapes the portal's data for a consumer: plain words, masked channels, stable keys for devices and addresses.
import type { Address } from '../checkout/session.schema.ts';
import { formatPostcode } from '../i18n/format.ts';

/** A stable, URL-safe key for a delivery address, so "this was not me" can name it without its text. */
export function addressKey(address: Pick<Address, 'postal_code' | 'house_number' | 'country'>): string {
  return [address.postal_code, address.house_number, address.country]
    .map((part) => part.replace(/\s+/g, '').toUpperCase())
    .join('|');
}

/** As printed on a Dutch letter: `Damrak 1, 1012 LG Amsterdam, NL`. */
export function formatAddress(address: Address): string {
  return `${address.street} ${address.house_number}, ${formatPostcode(address.postal_code)} ${address.city}, ${address.country}`;
}

/** Shows enough of a channel to recognise it, not enough to read it off a shoulder. */
export function maskChannel(kind: 'email' | 'phone', value: string): string {
  if (kind === 'phone') return value.replace(/\s+/g, '').replace(/^(\+?\d{3})\d+(\d{3})$/, '$1 ** ** *$2');
  const [local = '', domain = ''] = value.split('@');
  return `${local.slice(0, 1)}${'*'.repeat(Math.max(1, local.length - 1))}@${domain}`;
}

const outcomeWords: Record<string, string> = {
  approved: 'Approved',
  step_up: 'We asked the buyer to confirm it was you',
  review: 'Held for a check by our team',
  declined: 'Declined',
};

export const describeOutcome = (outcome: string) => outcomeWords[outcome] ?? outcome;

const claimWords: Record<string, string> = {
  not_mine: 'You reported that you did not place this order',
  not_received: 'You reported that you did not receive this order',
  returned: 'You reported that you returned this order',
};

export const describeClaim = (kind: string) => claimWords[kind] ?? kind;
