// Proof by bank identification: the shopper logs in at their own bank, which returns who they are; it must be the claim.
import type { Proof } from '../proof.ts';
import type { BankProofService, CompletionOutcome } from '../bank-proof.service.ts';
import type { BankIdentityProvider } from './bank-identity.provider.ts';

export interface BankIdentificationProof extends Proof {
  /** The bank sent the shopper back to the redirect URL with these query parameters. */
  callback(query: URLSearchParams): Promise<CompletionOutcome>;
}

export function makeBankIdentificationProof(dependencies: {
  readonly proofs: BankProofService;
  readonly provider: BankIdentityProvider;
  readonly redirectUrl: string;
}): BankIdentificationProof {
  const { proofs, provider } = dependencies;
  const method = 'bank_identification' as const;
  return {
    method,
    proves:
      'The shopper can log in at a bank where the claimed person (name; billing address and date of birth when the bank returns them) is a customer; the bank subject ties later proofs to the same person.',
    doesNotProve:
      'That the typed e-mail or phone belong to the shopper, nor anything when the bank returns a different name; a bank account opened in the victim’s name (a mule) passes, which the bank-subject conflict feature exposes later.',
    start: (challengeId, caller) =>
      proofs.start(method, challengeId, caller, async (_attemptId, state) => ({
        ...(await provider.begin({ state })),
        reference: null,
      })),
    status: (challengeId, caller) => proofs.status(method, challengeId, caller),
    async callback(query) {
      const state = query.get('state') ?? '';
      const attempt = await proofs.take(method, state);
      if (!attempt)
        return { kind: 'failed', code: 'invalid_state', message: 'this link is not valid or was already used' };
      // openid-client reads redirect_uri from the URL it is given: the configured one, with the bank's parameters.
      const callbackUrl = new URL(dependencies.redirectUrl);
      for (const [key, value] of query) callbackUrl.searchParams.set(key, value);
      const result = await provider.complete({ callbackUrl, state, flow: attempt.flow });
      return proofs.finish(
        method,
        attempt.id,
        result.kind === 'identified'
          ? { kind: 'identified', identity: { ...result.identity, bankSubject: result.identity.subject, iban: null } }
          : result,
      );
    },
  };
}
