// The texts of step-up messages: dynamic linking states what the code approves, so a victim can see it is not theirs.
import type { Address, SessionInput } from '../checkout/session.schema.ts';

/** EUR 93900 minor units -> "EUR 939.00": amounts in messages are exact and unambiguous. */
export function formatAmount(value: number, currency: string): string {
  const minorDigits = ['JPY', 'KRW', 'ISK'].includes(currency) ? 0 : 2;
  return `${currency} ${(value / 10 ** minorDigits).toFixed(minorDigits)}`;
}

export function formatAddress(address: Address): string {
  const street = [address.street, address.house_number].filter(Boolean).join(' ');
  return `${street}, ${address.city}`;
}

export function deliveryAddressOf(input: SessionInput): Address {
  return input.shipping_address ?? input.billing_address;
}

export interface CodeMessage {
  readonly code: string;
  readonly input: SessionInput;
  readonly merchantName: string;
  readonly reportLink: string;
}

export function codeMessageText(message: CodeMessage): string {
  const amount = formatAmount(message.input.amount.value, message.input.amount.currency);
  const address = formatAddress(deliveryAddressOf(message.input));
  return (
    `Code ${message.code} for ${amount} at ${message.merchantName}, delivery to ${address}. ` +
    `Not you? Do not share it; report it: ${message.reportLink}`
  );
}

export function signInMessageText(code: string, reportLink: string): string {
  return `Your Rearguard sign-in code is ${code}. It is valid for 10 minutes. Not you? Do not share it; report it: ${reportLink}`;
}
