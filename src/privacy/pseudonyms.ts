// Keyed pseudonyms of normalised personal values: fraud signals match across records without keeping the value.
import { createHmac, hkdfSync } from 'node:crypto';

export type PseudonymKind = 'email' | 'phone' | 'address' | 'device' | 'iban' | 'name' | 'ip';

export interface Pseudonyms {
  of(kind: PseudonymKind, normalisedValue: string): string;
}

/**
 * One key per kind (derived with HKDF), so a pseudonym of one kind never equals another's for the same text, and
 * the secret alone (kept apart from the data) turns a value into its pseudonym: erasing the person keeps it matchable.
 */
export function makePseudonyms(secret: Buffer): Pseudonyms {
  const keys = new Map<PseudonymKind, Buffer>();
  function keyOf(kind: PseudonymKind): Buffer {
    let key = keys.get(kind);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `rearguard-pseudonym:${kind}`, 32));
      keys.set(kind, key);
    }
    return key;
  }
  return {
    of: (kind, normalisedValue) =>
      `p_${kind}_${createHmac('sha256', keyOf(kind)).update(normalisedValue).digest('base64url')}`,
  };
}
