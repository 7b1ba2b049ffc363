// Wires webhooks, invoicing and buyer protection for the composition root: their routes, decision hooks and outbox handlers.
import type { Config } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { RiskEngine } from '../risk/engine.ts';
import type { RouteDefinition } from '../http/route.ts';
import type { OutboxHandler } from '../outbox/outbox.ts';
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { Metrics } from '../http/metrics.ts';
import { makeWebhooksService } from '../webhooks/webhooks.service.ts';
import { webhooksRoutes } from '../webhooks/webhooks.routes.ts';
import { makeWebhookDeliveryHandler } from '../webhooks/webhook.delivery.ts';
import { makeOrderApprovedWebhookHook } from '../webhooks/webhook.hooks.ts';
import { webhookTopic } from '../webhooks/webhook.events.ts';
import { makeClaimsService } from './claims.service.ts';
import { claimsRoutes } from './claims.routes.ts';

export interface ProtectionDependencies {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly engine: RiskEngine;
  readonly metrics: Metrics;
  /** Tests hand in their own fetch; production uses the global one. */
  readonly fetch?: typeof fetch;
}

export function makeProtectionContext(dependencies: ProtectionDependencies) {
  const { config, database, clock, ids } = dependencies;
  const webhooks = makeWebhooksService({ database, clock, ids });
  const claims = makeClaimsService({ database, clock, ids, firstResponseHours: config.caseFirstResponseHours });

  const routes: RouteDefinition[] = [...webhooksRoutes(webhooks), ...claimsRoutes(claims)];
  const decisionHooks: DecisionHook[] = [makeOrderApprovedWebhookHook({ ids })];
  const outboxHandlers: Record<string, OutboxHandler> = {
    [webhookTopic]: makeWebhookDeliveryHandler({
      database,
      clock,
      ids,
      timeoutMilliseconds: config.webhookTimeoutMilliseconds,
      ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
    }),
  };
  return {
    webhooks,
    claims,
    routes,
    decisionHooks,
    outboxHandlers,
    /** For contexts that file claims themselves (the "was this you?" link): pass to `fileClaim`. */
    claimDependencies: { ids, firstResponseHours: config.caseFirstResponseHours },
    async stop() {},
  };
}

export type ProtectionContext = ReturnType<typeof makeProtectionContext>;
