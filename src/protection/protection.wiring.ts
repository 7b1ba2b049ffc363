// Wires webhooks, invoicing and buyer protection for the composition root: their routes, decision hooks and outbox handlers.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { Config } from '../config.ts';
import { makeRetentionTask } from '../storage/retention.ts';
import { makeMonthPartitionsTask } from '../storage/month-partitions.ts';
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
import { makeScheduler } from './protection.scheduler.ts';
import { makeCasesService } from './cases.service.ts';
import { casesRoutes } from './cases.routes.ts';
import { makeCaseSlaCheck } from './case.sla.ts';
import { Counter } from 'prom-client';
import { makePortalService } from '../portal/portal.service.ts';
import { makeReviewRequestsService } from './review-requests.service.ts';
import { reviewRequestsRoutes } from './review-requests.routes.ts';
import { registerReviewRequestMetrics } from './review-requests.metrics.ts';
import { portalRoutes } from '../portal/portal.routes.ts';
import { makeExportService } from '../privacy/export.service.ts';
import { privacyRoutes } from '../privacy/privacy.routes.ts';
import { makePreferencesService } from '../portal/preferences.service.ts';
import { preferencesRoutes } from '../portal/preferences.routes.ts';
import { makePaymentsService } from '../invoicing/payments.service.ts';
import { makePayoutsService } from '../invoicing/payouts.service.ts';
import { invoicingRoutes, processorGuard } from '../invoicing/invoicing.routes.ts';
import { makeInvoiceScheduler } from '../invoicing/invoice.scheduler.ts';

export interface ProtectionDependencies {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly engine: RiskEngine;
  readonly metrics: Metrics;
  /** Opens sealed session inputs for claims, evidence, the portal and the export. */
  readonly personalData: PersonalData;
  readonly onSchedulerError?: (task: string, error: unknown) => void;
}

export function makeProtectionContext(dependencies: ProtectionDependencies) {
  const { config, database, clock, ids, personalData } = dependencies;
  const webhooks = makeWebhooksService({ database, clock, ids, allowPrivateUrls: config.webhookAllowPrivateUrls });
  const claims = makeClaimsService({
    database,
    clock,
    ids,
    firstResponseHours: config.caseFirstResponseHours,
    personalData,
  });

  const payments = makePaymentsService({
    database,
    clock,
    ids,
    engine: dependencies.engine,
    taxRetentionYears: config.privacy.taxRetentionYears,
    accounts: personalData.accounts,
  });
  const payouts = makePayoutsService({ database });
  const invoiceScheduler = makeInvoiceScheduler({
    database,
    clock,
    ids,
    engine: dependencies.engine,
    policy: config.invoicing,
    accounts: personalData.accounts,
  });
  const cases = makeCasesService({
    database,
    clock,
    ids,
    engine: dependencies.engine,
    personalData,
  });
  const slaBreaches = new Counter({
    name: 'rearguard_case_sla_breaches_total',
    help: 'Cases whose first-response target passed without an analyst action',
    registers: [dependencies.metrics.registry],
  });
  const checkCaseSla = makeCaseSlaCheck({ database, clock, ids, onBreach: () => slaBreaches.inc() });
  const scheduler = makeScheduler({
    tasks: [
      { name: 'invoices', run: invoiceScheduler.tick },
      { name: 'case_sla', run: checkCaseSla },
      makeRetentionTask({ database, clock }),
      makeMonthPartitionsTask({ database, clock }),
    ],
    database,
    ...(dependencies.onSchedulerError ? { onError: dependencies.onSchedulerError } : {}),
  });
  const requireProcessor = processorGuard({ processorKey: config.invoicing.processorKey, adminKey: config.adminKey });

  const portal = makePortalService({
    database,
    clock,
    ids,
    firstResponseHours: config.caseFirstResponseHours,
    reviewRequestSlaHours: config.reviewRequestSlaHours,
    transfer: config.invoicing.transfer,
    personalData,
  });
  const reviewRequests = makeReviewRequestsService({ database, clock });
  registerReviewRequestMetrics(dependencies.metrics.registry, reviewRequests);
  const routes: RouteDefinition[] = [
    ...webhooksRoutes(webhooks),
    ...claimsRoutes(claims),
    ...casesRoutes(cases),
    ...reviewRequestsRoutes(reviewRequests),
    ...portalRoutes(portal),
    ...privacyRoutes(makeExportService({ database, clock, portal, accounts: personalData.accounts })),
    ...preferencesRoutes(makePreferencesService({ database })),
    ...invoicingRoutes({ payments, payouts, requireProcessor }),
  ];
  // Payout entries are written per capture (and reversed per refund) by the order life-cycle (src/orders).
  const decisionHooks: DecisionHook[] = [makeOrderApprovedWebhookHook({ ids })];
  const outboxHandlers: Record<string, OutboxHandler> = {
    [webhookTopic]: makeWebhookDeliveryHandler({
      database,
      clock,
      ids,
      timeoutMilliseconds: config.webhookTimeoutMilliseconds,
      allowPrivateUrls: config.webhookAllowPrivateUrls,
    }),
  };
  return {
    webhooks,
    claims,
    payments,
    payouts,
    cases,
    scheduler,
    /** Starts the interval-driven work (collection steps, case SLA checks); `rearguard start` calls it. */
    start: () => scheduler.start(config.schedulerIntervalMilliseconds),
    routes,
    decisionHooks,
    outboxHandlers,
    /** For contexts that file claims themselves (the "was this you?" link): pass to `fileClaim`. */
    claimDependencies: { ids, firstResponseHours: config.caseFirstResponseHours, personalData },
    stop: () => scheduler.stop(),
  };
}

export type ProtectionContext = ReturnType<typeof makeProtectionContext>;
