// Who a sign-in is for, normalised as the risk engine does: one key per mailbox or number, however it was typed.
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';

export interface SignInIdentifier {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

export interface SignInIdentity {
  readonly kind: 'email' | 'phone';
  /** The normalised mailbox or number; stored only as its pseudonym (channels.value_pseudonym, migration 190). */
  readonly key: string;
  /** Whether a channel could hold this key at all (an unparseable number never matches one). */
  readonly matchable: boolean;
}

export function signInIdentity(identifier: SignInIdentifier): SignInIdentity {
  if (identifier.email !== undefined) {
    const normalised = normaliseEmail(identifier.email);
    return { kind: 'email', key: normalised?.key ?? identifier.email.trim().toLowerCase(), matchable: !!normalised };
  }
  const raw = identifier.phone ?? '';
  const key = phoneKey(raw);
  // Spelling variants of one unparseable number still share one budget: digits only.
  return { kind: 'phone', key: key ?? `+${raw.replace(/\D/g, '')}`, matchable: key !== null };
}
