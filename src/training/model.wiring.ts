// The model context for the composition root: registry, serving models, shadow hook, admin routes and drift gauges.
import type { Registry } from 'prom-client';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { makeModelRegistry } from './model.registry.ts';
import { makeModelService } from './model.service.ts';
import { modelsRoutes } from './models.routes.ts';
import { makePsiMonitor } from './psi.monitor.ts';

export interface ModelContextDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  /** undefined: the shipped models/default.json; null: no default (the ruleset's points score serves). */
  readonly defaultModelPath?: string | null;
  readonly log?: (details: object, message: string) => void;
}

export async function makeModelContext(deps: ModelContextDependencies) {
  // Built before the HTTP server (and its logger) exists, so the default writes pino-like lines itself.
  const log =
    deps.log ??
    ((details: object, message: string) =>
      process.stderr.write(`${JSON.stringify({ level: 40, time: deps.clock.now(), msg: message, ...details })}\n`));
  const registry = makeModelRegistry(deps);
  const models = makeModelService({
    database: deps.database,
    registry,
    ...(deps.defaultModelPath === undefined ? {} : { defaultModelPath: deps.defaultModelPath }),
    onError: (message, error) => log({ error: String(error) }, message),
  });
  await models.refresh();
  const drift = makePsiMonitor({
    database: deps.database,
    models,
    clock: deps.clock,
    ids: deps.ids,
    onAlert: (alert) => log(alert, `model drift: PSI of ${alert.subject} is ${alert.psi.toFixed(3)} (> 0.25)`),
  });
  return {
    registry,
    models,
    drift,
    routes: modelsRoutes({ database: deps.database, registry, models }),
    decisionHooks: [models.shadowHook],
    registerMetrics: (metrics: Registry) => drift.register(metrics),
  };
}

export type ModelContext = Awaited<ReturnType<typeof makeModelContext>>;
