// The one shape of a proof of possession: how it starts, how its outcome is read, and what passing it proves.
import type { ChallengeMethod } from '../risk/engine.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import type { ChallengeCaller } from './challenge.access.ts';
import type { AuthorizationView } from '../checkout/checkout.presenter.ts';

export type Address = SessionInput['billing_address'];

/** What a bank (or a payment from an account at it) confirmed about the person who authenticated there. */
export interface VerifiedIdentity {
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly address: Address | null;
  /** The bank's stable pseudonymous id of the person, qualified by issuer; null when the proof gives none. */
  readonly bankSubject: string | null;
  /** The account the payer paid from (verification payment), electronic format. */
  readonly iban: string | null;
}

/** Where the shopper goes to prove it: a page at their bank or payment service, opened as a popup or redirect. */
export interface ProofStart {
  readonly method: ChallengeMethod;
  readonly redirect_url: string;
  readonly expires_at: string;
}

/** The outcome of the latest attempt, for the widget waiting on the popup. */
export type ProofStatus =
  | { readonly status: 'not_started' | 'pending' }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  | { readonly status: 'verified'; readonly result: AuthorizationView };

export interface Proof {
  readonly method: ChallengeMethod;
  /** What passing this proof establishes, and what it does not (also told in the README). */
  readonly proves: string;
  readonly doesNotProve: string;
  start(challengeId: string, caller: ChallengeCaller): Promise<ProofStart>;
  status(challengeId: string, caller: ChallengeCaller): Promise<ProofStatus>;
}
