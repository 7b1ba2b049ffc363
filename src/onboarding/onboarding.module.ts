// Wires onboarding: channel confirmations and identity letters after an approval, and their public routes.
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { ClaimDependencies } from '../protection/claim.filing.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { makeChannelConfirmationHook, makeChannelConfirmationService } from './channel-confirmation.ts';
import { makeIdentityLetterHook, makeNotMeService } from './identity-letter.ts';
import { onboardingRoutes } from './onboarding.routes.ts';
import type { PersonalData } from '../privacy/personal-data.ts';

export function makeOnboarding(dependencies: {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secret: string;
  readonly publicUrl: string;
  readonly engine: { record(event: HistoryEvent): Promise<void> };
  readonly claims: ClaimDependencies;
  readonly personalData: PersonalData;
}) {
  const decisionHooks: DecisionHook[] = [
    makeChannelConfirmationHook(dependencies),
    makeIdentityLetterHook(dependencies),
  ];
  const confirmations = makeChannelConfirmationService(dependencies);
  const notMe = makeNotMeService(dependencies);
  return { decisionHooks, confirmations, notMe, routes: onboardingRoutes({ confirmations, notMe }) };
}
