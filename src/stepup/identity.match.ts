// Does what the bank verified match what was claimed at the checkout? Name always; address and birth date when known.
import type { SessionInput } from '../checkout/session.schema.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { nameSimilarity, normaliseName } from '../risk/normalise/name.normaliser.ts';
import type { VerifiedIdentity } from './proof.ts';

/** Names match like a bank's confirmation-of-payee: diacritics and word order ignored, small typos tolerated. */
export const nameMatchThreshold = 0.92;

export type IdentityMatch =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: 'name_mismatch' | 'address_mismatch' | 'date_of_birth_mismatch';
      readonly message: string;
    };

export function sameName(left: string, right: string): boolean {
  return nameSimilarity(normaliseName(left), normaliseName(right)) >= nameMatchThreshold;
}

export function matchIdentity(claim: SessionInput, verified: VerifiedIdentity): IdentityMatch {
  if (!sameName(verified.name, claim.customer.name)) {
    return { ok: false, code: 'name_mismatch', message: 'the name at the bank is not the name given at the checkout' };
  }
  // Postcode and house number decide; street spelling differs too often between a bank and a shop form.
  if (
    verified.address !== null &&
    normaliseAddress(verified.address).key !== normaliseAddress(claim.billing_address).key
  ) {
    return {
      ok: false,
      code: 'address_mismatch',
      message: 'the address at the bank is not the billing address given at the checkout',
    };
  }
  const claimedBirth = claim.customer.date_of_birth ?? null;
  if (verified.dateOfBirth !== null && claimedBirth !== null && verified.dateOfBirth !== claimedBirth) {
    return {
      ok: false,
      code: 'date_of_birth_mismatch',
      message: 'the date of birth at the bank is not the one given at the checkout',
    };
  }
  return { ok: true };
}
