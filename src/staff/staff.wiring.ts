// Wires the staff context for the composition root: passkey sign-in, four-eyes approvals and the /v1/ops routes.
import type { HistoryRange } from '../storage/history.reader.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { WebAuthnSettings } from '../consumer/webauthn.settings.ts';
import type { ReviewService } from '../review/review.service.ts';
import type { WorkQueue } from '../desk/work-queue.service.ts';
import type { CasesService } from '../protection/cases.service.ts';
import type { RulesetsService } from '../ops/rulesets.service.ts';
import type { RouteDefinition } from '../http/route.ts';
import { makeStaffAuth } from './staff-auth.service.ts';
import { makeApprovalsService } from './approvals.service.ts';
import { staffRoutes } from './staff.routes.ts';
import { makeStaffSignInLimit } from './sign-in.rate-limit.ts';
import { opsActionRoutes } from './ops-actions.routes.ts';
import { opsDeskRoutes } from './ops-desk.routes.ts';
import { rulesDeskRoutes } from './rules-desk.routes.ts';
import { rulesLeverRoutes } from './rules-levers.routes.ts';
import type { ModelRegistry } from '../training/model.registry.ts';
import type { ModelService } from '../training/model.service.ts';
import { modelsDeskRoutes, promoteModel } from '../training/models-desk.routes.ts';

export function makeStaffContext(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  webauthn: WebAuthnSettings;
  publicUrl: string;
  reviews: ReviewService;
  /** Settling through the queue respects a colleague's lock. */
  queue: WorkQueue;
  cases: CasesService;
  rulesets: RulesetsService;
  /** Opens live orders' sealed inputs when a ruleset is backtested on the recorded history. */
  openInput: HistoryRange['openInput'];
  /** The model registry and serving models: promotion is a four-eyes action, rollback an audited undo. */
  models: { registry: ModelRegistry; models: ModelService };
}) {
  const { database, clock, ids, reviews, queue, cases, rulesets } = dependencies;
  const auth = makeStaffAuth({
    database,
    clock,
    ids,
    webauthn: dependencies.webauthn,
    publicUrl: dependencies.publicUrl,
    secureCookie: dependencies.publicUrl.startsWith('https:'),
  });
  const approvals = makeApprovalsService({
    database,
    clock,
    ids,
    executors: {
      'case.confirm_fraud': async ({ subject, payload }, confirmer, requester) => {
        const resolved = await cases.resolve(subject, {
          outcome: 'fraud_confirmed',
          note: String(payload.note),
          actor: `${confirmer.name} (confirming ${requester})`,
        });
        return { status: resolved.status, outcome: 'fraud_confirmed' };
      },
      'ruleset.activate': async ({ subject }) => {
        const ruleset = await rulesets.activate(subject);
        return { active_version: ruleset.version };
      },
      'model.promote': ({ subject }) => promoteModel(dependencies.models.registry, dependencies.models.models, subject),
    },
  });
  const routes: RouteDefinition[] = [
    ...staffRoutes(auth, database, makeStaffSignInLimit({ database, clock })),
    ...opsActionRoutes({ database, clock, ids, reviews, queue, cases, rulesets, approvals }),
    ...opsDeskRoutes({ database, clock, ids, cases }),
    ...rulesDeskRoutes({ database, rulesets, openInput: dependencies.openInput }),
    ...rulesLeverRoutes({ database, clock, ids, rulesets }),
    ...modelsDeskRoutes({ database, clock, ids, approvals, ...dependencies.models }),
  ];
  return { auth, approvals, routes };
}
