// The BankIdentityProvider port: the shopper logs in at their own bank, which tells us who they are.
import type { Address } from '../proof.ts';

/** The person as the bank knows them; `subject` is stable per person and pseudonymous (no account number). */
export interface BankIdentity {
  readonly subject: string;
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly address: Address | null;
}

export type BankIdentityResult =
  | { readonly kind: 'identified'; readonly identity: BankIdentity }
  /** The shopper cancelled, or the bank refused or returned something unusable. */
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface BankIdentityProvider {
  /** Where to send the shopper; `flow` holds what completion needs (PKCE verifier, nonce) and never leaves the server. */
  begin(request: { readonly state: string }): Promise<{ readonly url: string; readonly flow: Record<string, string> }>;
  /** The bank sent the shopper back to our callback with this URL: exchange the code and read who they are. */
  complete(request: {
    readonly callbackUrl: URL;
    readonly state: string;
    readonly flow: Readonly<Record<string, string>>;
  }): Promise<BankIdentityResult>;
}

/** OpenID Connect's address claim ("Damrak 1") into the address shape the checkout uses. */
export function addressFromClaim(claim: unknown): Address | null {
  if (typeof claim !== 'object' || claim === null) return null;
  const record = claim as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string).trim() : '');
  const streetLine = text('street_address').split('\n')[0] ?? '';
  const match = /^(.*?)[\s,]+(\d+\s*[a-zA-Z]?(?:[-\s]\w{1,6})?)$/.exec(streetLine);
  const postalCode = text('postal_code');
  if (!match || !postalCode) return null;
  const country = text('country').toUpperCase();
  return {
    street: match[1]!.trim(),
    house_number: match[2]!.trim(),
    postal_code: postalCode,
    city: text('locality'),
    country: /^[A-Z]{2}$/.test(country) ? country : 'NL',
  };
}
