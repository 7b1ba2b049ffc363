// Wires the fraud desk's workbench for the composition root: queue routes, case view, remediation, decision search.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { TransferSettings } from '../portal/payment.instructions.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { RiskEngine } from '../risk/engine.ts';
import type { ModelService } from '../training/model.service.ts';
import { makePortalService } from '../portal/portal.service.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { WorkQueue } from './work-queue.service.ts';
import { workQueueRoutes } from './work-queue.routes.ts';
import { makeCaseView } from './case-view.service.ts';
import { makeRemediation } from './remediation.service.ts';
import { deskRoutes } from './desk.routes.ts';

export function makeDeskContext(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  models: ModelService;
  queue: WorkQueue;
  caseFirstResponseHours: number;
  transfer: TransferSettings;
  personalData: PersonalData;
}) {
  const { database, clock, ids, queue, models } = dependencies;
  // The portal's own account views and "not mine" action, so the desk unlinks exactly what the consumer would.
  const portal = makePortalService({
    database,
    clock,
    ids,
    firstResponseHours: dependencies.caseFirstResponseHours,
    transfer: dependencies.transfer,
    personalData: dependencies.personalData,
  });
  const caseView = makeCaseView({
    database,
    queue,
    portal,
    personalData: dependencies.personalData,
    modelFor: (version) =>
      [models.champion(), ...models.challengers()].find((model) => model !== null && model.version === version) ?? null,
  });
  const remediation = makeRemediation({
    database,
    clock,
    ids,
    engine: dependencies.engine,
    portal,
    personalData: dependencies.personalData,
  });
  const routes: RouteDefinition[] = [
    ...workQueueRoutes({ queue }),
    ...deskRoutes({ database, caseView, remediation, personalData: dependencies.personalData }),
  ];
  return { routes, remediation };
}
