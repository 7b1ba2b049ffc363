// The contract between the checkout pipeline and the risk engine: what goes in, what comes out.
import type { DecisionOutcome, Reason, SessionInput } from '../checkout/session.schema.ts';
import type { OrderKeys } from './normalise/session.normaliser.ts';

/** Everything a decision may look at about one purchase attempt. `at` is passed in: the core reads no clock. */
export interface DecisionInput {
  readonly sessionId: string;
  readonly merchantId: string;
  readonly merchantName: string;
  /** Epoch milliseconds of the authorize call. */
  readonly at: number;
  readonly session: SessionInput;
}

export type FeatureValue = number | string | boolean | null;
export type FeatureVector = Readonly<Record<string, FeatureValue>>;

/** One rule's outcome for one decision; every rule is reported, hit or not. */
export type RuleResult =
  | { readonly kind: 'hit'; readonly ruleId: string; readonly action: RuleAction; readonly reason: Reason }
  | { readonly kind: 'no_hit'; readonly ruleId: string }
  | { readonly kind: 'error'; readonly ruleId: string; readonly error: string };

export const ruleActions = ['allow', 'step_up', 'review', 'decline'] as const;
export type RuleAction = (typeof ruleActions)[number];

export const challengeMethods = [
  'otp_sms',
  'otp_email',
  'passkey',
  'bank_identification',
  'verification_payment',
] as const;
export type ChallengeMethod = (typeof challengeMethods)[number];

/** Proofs that need no history: they prove the buyer is the person named (identity), not only a channel's holder. */
export const possessionProofs = [
  'bank_identification',
  'verification_payment',
] as const satisfies readonly ChallengeMethod[];
export const isPossessionProof = (method: string): boolean => (possessionProofs as readonly string[]).includes(method);

/** A way the shopper may prove to be the account holder, and the on-file channel it would use. */
export interface ChallengeOption {
  readonly method: ChallengeMethod;
  /** Channel id on file for the matched account (otp_*), null for passkey and the possession proofs. */
  readonly channelId: string | null;
  /** Masked target shown to the shopper, e.g. "+31 6 ** ** *678". */
  readonly maskedTarget: string | null;
}

/** Conditions on delivering an order whose buyer never proved to be the person named (carried to the merchant). */
export const deliveryRequirements = ['no_redirect', 'no_pickup_point', 'id_check_on_delivery'] as const;
export type DeliveryRequirement = (typeof deliveryRequirements)[number];

export interface Decision {
  readonly outcome: DecisionOutcome;
  readonly reasons: readonly Reason[];
  /** Risk score in [0, 1]; null when no score was computed. */
  readonly score: number | null;
  readonly features: FeatureVector;
  readonly ruleResults: readonly RuleResult[];
  /** The account the claimed identity resolved to, if any. */
  readonly accountId: string | null;
  /** Present when outcome is step_up. */
  readonly challengeOptions: readonly ChallengeOption[];
  /** Present (possibly empty) when outcome is approved: how the goods may be delivered. */
  readonly deliveryRequirements?: readonly DeliveryRequirement[];
  readonly versions: { readonly engine: string; readonly ruleset: string | null; readonly model: string | null };
  /** What a ruleset in shadow would have decided on the same inputs; never changes the answer above. */
  readonly shadow?: ShadowOutcome;
}

export interface ShadowOutcome {
  readonly ruleset: string;
  readonly outcome: DecisionOutcome;
  readonly ruleHits: readonly string[];
}

/** Facts that become history once durably stored; the online feature state is derived from these. */
export type HistoryEvent =
  | {
      readonly kind: 'account';
      readonly accountId: string;
      readonly at: number;
      readonly name: string | null;
      readonly email: string | null;
      readonly phone: string | null;
      readonly dateOfBirth: string | null;
      readonly address: SessionInput['billing_address'] | null;
    }
  | {
      readonly kind: 'channel';
      readonly accountId: string;
      readonly channelId: string;
      readonly channel: 'email' | 'phone';
      readonly value: string;
      readonly verifiedAt: number | null;
      readonly at: number;
    }
  | {
      readonly kind: 'order';
      readonly orderId: string;
      readonly accountId: string;
      readonly merchantId: string;
      readonly at: number;
      readonly session: SessionInput;
    }
  | {
      /** An order as the online state needs it, its keys normalised already: what a start reads instead of the input. */
      readonly kind: 'normalised_order';
      readonly orderId: string;
      readonly accountId: string;
      readonly at: number;
      readonly keys: OrderKeys;
    }
  | {
      readonly kind: 'payment';
      readonly orderId: string;
      readonly at: number;
      readonly outcome: 'paid_on_time' | 'paid_late' | 'unpaid';
    }
  | {
      /** A customer's own setting, e.g. "always verify my purchases" chosen in the consumer portal. */
      readonly kind: 'preference';
      readonly accountId: string;
      readonly at: number;
      readonly alwaysVerify: boolean;
    }
  | {
      /**
       * The account holder passed a step-up on this device (a code to a channel on file, a passkey, a possession
       * proof): the device becomes one the holder proved to own, which later decisions may trust. A possession proof
       * (bank identification, verification payment) also marks the account's identity as proven from then on.
       */
      readonly kind: 'verification';
      readonly accountId: string;
      readonly at: number;
      readonly method: ChallengeMethod;
      readonly deviceId: string | null;
    }
  | {
      /**
       * What the consumer may still owe on an order changed without a payment: a cancel, an expired authorization
       * or a refund. `amount` is the order's exposure from now on (the open authorization plus the outstanding).
       */
      readonly kind: 'exposure';
      readonly orderId: string;
      readonly at: number;
      readonly amount: number;
    }
  | {
      /**
       * A bank identification for this account's identity: `linked` when it established (or confirmed) the bank's
       * pseudonymous subject of the person, `conflict` when it came with a different subject than the one on file.
       */
      readonly kind: 'bank_identity';
      readonly accountId: string;
      readonly at: number;
      readonly outcome: 'linked' | 'conflict';
    }
  | {
      readonly kind: 'label';
      readonly orderId: string;
      readonly at: number;
      readonly label: 'fraud_third_party' | 'fraud_first_party' | 'legit';
    };

/** What a caller may learn while a decision is made, before it is made. */
export interface DecideHooks {
  /**
   * The claimed identity resolved to this account, before the scoring: a caller that will need the account (an
   * approval's messages) can start reading it now, and the read overlaps the scoring. The scoring waits for what this
   * returns (a caller lets the event loop turn so its read is sent first).
   */
  readonly onAccountResolved?: (accountId: string) => void | Promise<void>;
}

/** The risk engine as the pipeline sees it. `decide` may await providers and state; the scoring core inside is pure. */
export interface RiskEngine {
  decide(input: DecisionInput, hooks?: DecideHooks): Promise<Decision>;
  /** Apply a durably stored fact to the online state. */
  record(event: HistoryEvent): Promise<void>;
}
