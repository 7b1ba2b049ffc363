// Wires the step-up context: the decision hook that creates challenges, the services and the routes.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { CheckoutService } from '../checkout/checkout.service.ts';
import type { RiskEngine } from '../risk/engine.ts';
import type { WebAuthnSettings } from '../consumer/webauthn.settings.ts';
import type { BankAccountCheckProvider } from './bank-account-check.provider.ts';
import { makeChallengeHook, makeChallengeReplayHook } from './challenge.hook.ts';
import { makeChallengeService } from './challenge.service.ts';
import { challengeRoutes } from './challenges.routes.ts';
import { challengeReportRoutes } from './challenge-report.routes.ts';
import { widgetRoutes } from '../widget/widget.routes.ts';
import { makePasskeyChallengeService } from './passkey-challenge.service.ts';

export interface StepUpDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secret: string;
  readonly publicUrl: string;
  readonly webauthn: WebAuthnSettings;
  readonly bankAccountCheck: BankAccountCheckProvider;
}

/** The hooks must exist before the checkout service is built; the services need the checkout: two steps. */
export function makeStepUpHooks(dependencies: StepUpDependencies) {
  return { decisionHook: makeChallengeHook(dependencies), replayHook: makeChallengeReplayHook(dependencies) };
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
  return {
    challenges,
    passkeys,
    routes: [
      ...challengeRoutes({ challenges, passkeys, findMerchantByKeyHash: dependencies.findMerchantByKeyHash }),
      ...challengeReportRoutes(dependencies),
      ...widgetRoutes({ database: dependencies.database }),
    ],
  };
}
