// Wires the step-up context: the decision hook that creates challenges, the services and the routes.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { CheckoutService } from '../checkout/checkout.service.ts';
import type { RiskEngine } from '../risk/engine.ts';
import type { WebAuthnSettings } from '../consumer/webauthn.settings.ts';
import type { RateLimiterFor } from './send.rate-limit.ts';
import type { ChallengeMethod } from '../risk/engine.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { BankIdentityProvider } from './bank-identification/bank-identity.provider.ts';
import type { VerificationPaymentProvider } from './verification-payment/verification-payment.provider.ts';
import { makeBankProofService } from './bank-proof.service.ts';
import { makeBankIdentificationProof } from './bank-identification/bank-identification.proof.ts';
import { makeVerificationPaymentProof } from './verification-payment/verification-payment.proof.ts';
import { proofRoutes } from './proofs.routes.ts';
import { makeChallengeHook, makeChallengeReplayHook } from './challenge.hook.ts';
import { makeChallengeService } from './challenge.service.ts';
import { challengeRoutes } from './challenges.routes.ts';
import { challengeReportRoutes } from './challenge-report.routes.ts';
import { widgetRoutes } from '../widget/widget.routes.ts';
import { makePasskeyChallengeService } from './passkey-challenge.service.ts';

import type { PersonalData } from '../privacy/personal-data.ts';

export interface StepUpDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secret: string;
  readonly publicUrl: string;
  /** Opens a challenge's session input (sealed under its subject's key). */
  readonly personalData: PersonalData;
  readonly webauthn: WebAuthnSettings;
  readonly rateLimiter?: RateLimiterFor;
  /** Proofs at the bank this server has a provider for (null: not offered). */
  readonly bankIdentity: { readonly provider: BankIdentityProvider; readonly redirectUrl: string } | null;
  readonly verificationPayment: VerificationPaymentProvider | null;
  /** Pages of the development bank and payment service (only with --demo). */
  readonly developmentRoutes: readonly RouteDefinition[];
}

/** The possession proofs this server can offer; the risk policy sees the same list (an empty one: no method). */
export function bankProofsOf(
  dependencies: Pick<StepUpDependencies, 'bankIdentity' | 'verificationPayment'>,
): ChallengeMethod[] {
  return [
    ...(dependencies.bankIdentity ? (['bank_identification'] as const) : []),
    ...(dependencies.verificationPayment ? (['verification_payment'] as const) : []),
  ];
}

/** The hooks must exist before the checkout service is built; the services need the checkout: two steps. */
export function makeStepUpHooks(dependencies: StepUpDependencies) {
  return {
    decisionHook: makeChallengeHook({ ...dependencies, bankProofs: bankProofsOf(dependencies) }),
    replayHook: makeChallengeReplayHook(dependencies),
  };
}

export function makeStepUp(
  dependencies: StepUpDependencies & {
    readonly checkout: Pick<CheckoutService, 'completeVerifiedSession'>;
    readonly engine: Pick<RiskEngine, 'record'>;
    readonly findMerchantByKeyHash: (keyHash: string) => Promise<{ id: string } | null>;
  },
) {
  const challenges = makeChallengeService(dependencies);
  const passkeys = makePasskeyChallengeService({ ...dependencies, challenges });
  const proofs = makeBankProofService({ ...dependencies, challenges });
  const bankIdentification = dependencies.bankIdentity
    ? makeBankIdentificationProof({ proofs, ...dependencies.bankIdentity })
    : null;
  const verificationPayment = dependencies.verificationPayment
    ? makeVerificationPaymentProof({ ...dependencies, proofs, provider: dependencies.verificationPayment })
    : null;
  return {
    challenges,
    passkeys,
    bankIdentification,
    verificationPayment,
    routes: [
      ...challengeRoutes({ challenges, passkeys, findMerchantByKeyHash: dependencies.findMerchantByKeyHash }),
      ...proofRoutes({
        bankIdentification,
        verificationPayment,
        findMerchantByKeyHash: dependencies.findMerchantByKeyHash,
      }),
      ...dependencies.developmentRoutes,
      ...challengeReportRoutes(dependencies),
      ...widgetRoutes({ database: dependencies.database }),
    ],
  };
}
