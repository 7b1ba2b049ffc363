// Keyed-HMAC pseudonyms of personal values, one key per kind: fraud signals that outlive the person's erasure.
import { createHmac, hkdfSync } from 'node:crypto';

export type PseudonymKind =
  'email' | 'phone' | 'address' | 'device' | 'iban' | 'name' | 'surname' | 'ip' | 'date_of_birth';

export interface Pseudonyms {
  /** The pseudonym of an already normalised value (src/risk/normalise/*): the same input always gives the same output. */
  of(kind: PseudonymKind, normalisedValue: string): string;
}

/**
 * Separate keys per kind (derived with HKDF) so that a pseudonym of one kind can never be matched against another
 * kind's, and knowing one kind's key reveals nothing about the others.
 */
export function makePseudonyms(secret: Buffer): Pseudonyms {
  const keys = new Map<PseudonymKind, Buffer>();
  const keyOf = (kind: PseudonymKind): Buffer => {
    let key = keys.get(kind);
    if (key === undefined) {
      key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `rearguard-pseudonym:${kind}`, 32));
      keys.set(kind, key);
    }
    return key;
  };
  return {
    of: (kind, normalisedValue) =>
      `p_${kind}_${createHmac('sha256', keyOf(kind)).update(normalisedValue).digest('base64url')}`,
  };
}
