// Proof by verification payment: one cent paid from an account in the claimed name, as the payer's bank reports it.
import type { Proof } from '../proof.ts';
import type { BankProofService, CompletionOutcome } from '../bank-proof.service.ts';
import type { VerificationPaymentProvider } from './verification-payment.provider.ts';
import { findProofAttemptByReference } from '../proof-attempts.repository.ts';
import type { Database } from '../../storage/database.ts';
import { electronicIban } from '../../risk/normalise/iban.normaliser.ts';

export interface VerificationPaymentProof extends Proof {
  /** Reads the payment from the service and completes the proof once it is settled (callback, return page, poll). */
  settle(paymentId: string): Promise<CompletionOutcome | { readonly kind: 'open' }>;
  /** The payment id a signed callback names; null for a forged one. */
  verifyCallback(body: unknown, signature: string | undefined): string | null;
  /** The payment id of the attempt a signed return state names. */
  paymentOf(state: string): Promise<string | null>;
}

export function makeVerificationPaymentProof(dependencies: {
  readonly database: Database;
  readonly proofs: BankProofService;
  readonly provider: VerificationPaymentProvider;
  readonly publicUrl: string;
}): VerificationPaymentProof {
  const { proofs, provider, database } = dependencies;
  const method = 'verification_payment' as const;
  return {
    method,
    proves:
      'The shopper controls a bank account held in the claimed name: the payer’s bank reports the holder’s name and IBAN after the payer logged in to pay.',
    doesNotProve:
      'Anything about the address, date of birth, e-mail or phone; nor that the account holder is the shopper when the holder lent their banking login. Knowing an IBAN alone proves nothing.',
    start: (challengeId, caller) =>
      proofs.start(method, challengeId, caller, async (_attemptId, state, purpose) => {
        const created = await provider.create({
          reference: state,
          amountCents: purpose.amountCents,
          description: 'Rearguard: confirm it is you (EUR 0.01)',
          returnUrl: `${dependencies.publicUrl}/v1/verification-payment/return?state=${encodeURIComponent(state)}`,
        });
        return { url: created.url, flow: {}, reference: created.paymentId };
      }),
    status: (challengeId, caller) => proofs.status(method, challengeId, caller),
    async settle(paymentId) {
      const attempt = await findProofAttemptByReference(database, method, paymentId);
      if (!attempt || attempt.status !== 'pending') {
        return { kind: 'failed', code: 'invalid_state', message: 'this payment is not waiting for confirmation' };
      }
      let report;
      try {
        report = await provider.get(paymentId);
      } catch {
        return { kind: 'open' };
      }
      if (report.state === 'open') return { kind: 'open' };
      const taken = await proofs.takeAttempt(attempt.id);
      if (!taken) return { kind: 'failed', code: 'invalid_state', message: 'this payment was already confirmed' };
      if (report.state !== 'paid' || report.payer === null) {
        return proofs.finish(method, attempt.id, { kind: 'refused', reason: report.state });
      }
      return proofs.finish(method, attempt.id, {
        kind: 'identified',
        identity: {
          name: report.payer.name,
          dateOfBirth: null,
          address: null,
          bankSubject: null,
          iban: electronicIban(report.payer.iban),
        },
      });
    },
    verifyCallback: (body, signature) => provider.verifyCallback(body, signature),
    async paymentOf(state) {
      const attemptId = proofs.attemptIdOf(method, state);
      if (!attemptId) return null;
      const rows = await database.query<{ provider_reference: string | null }>(
        'SELECT provider_reference FROM proof_attempts WHERE id = $1',
        [attemptId],
      );
      return rows[0]?.provider_reference ?? null;
    },
  };
}
