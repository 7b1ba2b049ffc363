// The composition root: wires every port to its adapter from a validated config. Nothing else builds adapters.
import { makeOpsAlertHandler } from './ops/ops-alert.delivery.ts';
import { opsAlertTopic } from './protection/case.sla.ts';
import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { developmentPrivacyValues, type Config } from './config.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { makeIds, type Ids } from './shared/ids.ts';
import type { Database } from './storage/database.ts';
import { makePgliteWorkerDatabase } from './storage/pglite-worker.database.ts';
import { makePostgresDatabase } from './storage/postgres.database.ts';
import { migrate } from './storage/migrate.ts';
import { makeSubjectStore } from './privacy/subject-store.ts';
import { sealPlainAccounts } from './privacy/account-data.seal.ts';
import { makeSubjectKeys } from './privacy/subject-keys.ts';
import { makePersonalData } from './privacy/personal-data.ts';
import { startBackgroundOpener } from './privacy/background-opener.ts';
import { makeOnlineStateService } from './risk/state/online-state.service.ts';
import type { RiskEngine } from './risk/engine.ts';
import { makeMemoryFeatureState } from './risk/state/memory.feature-state.ts';
import { makeProviderSet } from './risk/providers/provider.set.ts';
import { makeLiveEngine } from './ops/live.engine.ts';
import { makeOnboarding } from './onboarding/onboarding.module.ts';
import { makeModelContext } from './training/model.wiring.ts';
import { makeListsService } from './ops/lists.service.ts';
import { makeRulesetsService } from './ops/rulesets.service.ts';
import { rulesetShadowHook } from './ops/ruleset-shadow.ts';
import { opsRoutes } from './ops/ops.routes.ts';
import { makeMerchantsService } from './admin/merchants.service.ts';
import { makeCheckoutService } from './checkout/checkout.service.ts';
import { makeImportService } from './ingest/import.service.ts';
import { checkoutRoutes } from './checkout/checkout.routes.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { makeIdempotencyStore, releaseAbandonedClaims } from './http/idempotency.ts';
import { makeMetrics } from './http/metrics.ts';
import { buildServer } from './http/server.ts';
import type { RouteDefinition } from './http/route.ts';
import { makeOutboxWorker, type OutboxHandler } from './outbox/outbox.ts';
import { followTableChanges } from './storage/notifications.ts';
import { registerFeatureCatalogue } from './checkout/decision-record.codec.ts';
import { makeHistoryTail } from './risk/state/history-tail.service.ts';
import { followLevers } from './ops/levers.follow.ts';
import type { DecisionHook } from './checkout/checkout.service.ts';
import { makeConsumerSessions } from './consumer/consumer-sessions.ts';
import type { ReplayHook } from './checkout/checkout.service.ts';
import { bankProofsOf, makeStepUp, makeStepUpHooks } from './stepup/stepup.module.ts';
import type { BankIdentityProvider } from './stepup/bank-identification/bank-identity.provider.ts';
import { makeOidcBankIdentity } from './stepup/bank-identification/oidc.bank-identity.ts';
import { makeDevelopmentBankIdentity } from './stepup/bank-identification/development.bank-identity.ts';
import type { VerificationPaymentProvider } from './stepup/verification-payment/verification-payment.provider.ts';
import { makeHttpVerificationPayment } from './stepup/verification-payment/http.verification-payment.ts';
import { makeDevelopmentVerificationPayment } from './stepup/verification-payment/development.verification-payment.ts';
import {
  makeNotificationHandler,
  notificationTopic,
  type NotificationChannel,
  type Notifier,
} from './notify/notifier.ts';
import { makeNotifiers } from './notify/notifiers.ts';
import { makeSignInService } from './consumer/sign-in.service.ts';
import { makeAccountSecurityService } from './consumer/account-security.service.ts';
import { consumerRoutes } from './consumer/consumer.routes.ts';
import { securityReportRoutes } from './consumer/security-report.routes.ts';
import { makeSecurityReportService } from './consumer/security-report.service.ts';
import { makeSqlRateLimiter } from './stepup/send.rate-limit.ts';
import { outboxRoutes } from './notify/outbox.routes.ts';
import { makeOrderNoticeHook } from './notify/order-notice.hook.ts';
import { makeOrderNoticeService } from './notify/order-notice.service.ts';
import { orderNoticeRoutes } from './notify/order-notices.routes.ts';
import { landingRoutes } from './landing/landing.routes.ts';
import { makeProtectionContext } from './protection/protection.wiring.ts';
import { registerPortal } from './portal/portal.static.ts';
import { makeOrdersContext } from './orders/orders.wiring.ts';
import { allowedOriginsRoutes } from './widget/allowed-origins.ts';
import { makeReviewService } from './review/review.service.ts';
import { reviewRoutes } from './review/review.routes.ts';
import { makeScheduler } from './protection/protection.scheduler.ts';
import { makeStaffContext } from './staff/staff.wiring.ts';
import { registerConsole } from './staff/console.static.ts';
import { makeWorkQueue } from './desk/work-queue.service.ts';
import { makeDeskContext } from './desk/desk.wiring.ts';
import { makeMonitoringContext, makeMonitoringLevers } from './monitoring/monitoring.wiring.ts';
import { makePseudonyms } from './privacy/pseudonyms.ts';
import { makeErasureContext } from './privacy/erasure.wiring.ts';
import { developmentPseudonymSecret } from './config.ts';
import { makeGraphContext } from './graph/graph.wiring.ts';

export const version = '0.1.0';

export interface Overrides {
  readonly database?: Database;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly engine?: RiskEngine;
  /** false: no history tail even on PostgreSQL (a test counting one process's own statements). */
  readonly historyTail?: boolean;
  /** The model served while the registry has no champion; null for none (the ruleset's points score). */
  readonly defaultModelPath?: string | null;
  /** `rearguard start --demo`: the development bank and payment service exist only then. */
  readonly demo?: boolean;
  readonly bankIdentity?: BankIdentityProvider;
  readonly verificationPayment?: VerificationPaymentProvider;
  readonly notifiers?: Readonly<Partial<Record<NotificationChannel, Notifier>>>;
  /** Captures the server's log lines (tests). */
  readonly logStream?: DestinationStream;
}

/** The bank identity and payment providers: configured ones, else (only with --demo) the development ones. */
function makeBankProofProviders(config: Config, overrides: Overrides) {
  const redirectUrl = config.bankIdentity?.redirectUrl ?? `${config.publicUrl}/v1/bank-identification/callback`;
  const developmentRoutes: RouteDefinition[] = [];
  const demo = overrides.demo ?? config.demo;
  let bankIdentity = overrides.bankIdentity ?? (config.bankIdentity ? makeOidcBankIdentity(config.bankIdentity) : null);
  let verificationPayment =
    overrides.verificationPayment ??
    (config.verificationPayment ? makeHttpVerificationPayment(config.verificationPayment) : null);
  if (demo && bankIdentity === null) {
    const development = makeDevelopmentBankIdentity({
      publicUrl: config.publicUrl,
      redirectUrl,
      secret: config.secret,
    });
    bankIdentity = development.provider;
    developmentRoutes.push(...development.routes);
  }
  if (demo && verificationPayment === null) {
    const development = makeDevelopmentVerificationPayment({ publicUrl: config.publicUrl, secret: config.secret });
    verificationPayment = development.provider;
    developmentRoutes.push(...development.routes);
  }
  return {
    bankIdentity: bankIdentity ? { provider: bankIdentity, redirectUrl } : null,
    verificationPayment,
    developmentRoutes,
  };
}

/**
 * The tail's fallback poll: NOTIFY wakes it at once (and a reconnected listener wakes it too); this bounds the delay
 * after a notification lost some other way, and lets the low-water mark follow this process's own commits.
 */
const historyPollMilliseconds = 1_000;

export async function openDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    return makePostgresDatabase({
      url: config.databaseUrl,
      connectTimeoutMilliseconds: config.databaseTimeouts.connectMilliseconds,
      statementTimeoutMilliseconds: config.databaseTimeouts.statementMilliseconds,
    });
  }
  await mkdir(config.dataDir, { recursive: true });
  // In a worker thread, so SQL runs on the other core while the event loop answers requests.
  return makePgliteWorkerDatabase({ dataDir: config.dataDir });
}

/** Where the online-state snapshot lives: only where this process owns its data (its own database, its own engine). */
function stateSnapshotPath(config: Config, overrides: Overrides): string | null {
  const configured = config.stateSnapshot.path;
  if (configured === 'off' || overrides.engine !== undefined) return null;
  if (configured !== '') return configured;
  return overrides.database === undefined ? join(config.dataDir, 'online-state.snapshot') : null;
}

export async function makeApplication(config: Config, overrides: Overrides = {}) {
  const database = overrides.database ?? (await openDatabase(config));
  await migrate(database);
  // The embedded database has one process: a claim still in progress at start was left by a crash.
  if (database.kind === 'pglite') await releaseAbandonedClaims(database);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? makeIds(() => clock.now());

  // Privacy: keyed pseudonyms of personal values, and each person's data sealed under their own wrapped key.
  const pseudonyms = makePseudonyms(Buffer.from(config.privacy.pseudonymSecret));
  const subjects = makeSubjectStore({
    masterKeys: config.privacy.masterKeys,
    encryption: config.privacy.personalDataEncryption,
    newId: () => ids.next('sub'),
    now: () => new Date(clock.now()),
  });
  const personalData = makePersonalData({ subjects, pseudonyms });
  const subjectKeys = makeSubjectKeys(database, () => new Date(clock.now()));

  // Analysts' levers live in the database: the active ruleset version and the block/allow lists.
  const rulesets = makeRulesetsService({ database, clock });
  // List entries about an erased person keep matching by their pseudonyms (keyed HMAC per kind).
  const lists = makeListsService({ database, clock, ids, pseudonyms });
  await Promise.all([rulesets.load(), lists.reload()]);
  // The champion model from the registry (or models/default.json); challengers score in shadow.
  const modelContext = await makeModelContext({
    database,
    clock,
    ids,
    ...(overrides.defaultModelPath === undefined ? {} : { defaultModelPath: overrides.defaultModelPath }),
  });
  const featureState = makeMemoryFeatureState();
  // Emergency levers pulled from the console act on the live engine's decisions until their time is up.
  const levers = makeMonitoringLevers({ database, clock, ids });
  // The proofs at the bank this server has providers for: the policy offers only these (none: it reviews instead).
  const bankProofProviders = makeBankProofProviders(config, overrides);
  const engine =
    overrides.engine ??
    makeLiveEngine({
      state: featureState,
      providers: makeProviderSet(),
      lists: lists.lists,
      ruleset: rulesets.current,
      shadowRuleset: rulesets.shadow,
      model: () => modelContext.models.riskModel(rulesets.current().thresholds),
      newCustomerFloor: config.newCustomerFloorCents,
      possessionProofs: bankProofsOf(bankProofProviders),
      leverRules: levers.rulesFor,
    });
  const metrics = makeMetrics();
  modelContext.registerMetrics(metrics.registry);

  // The online state is derived: loaded from its snapshot plus newer facts, or rebuilt from the database, before the
  // first request is served. An injected engine or database (tests) gets no snapshot unless one is configured.
  const startLogLines: Array<[object, string]> = [];
  let startLog = (details: object, message: string): void => void startLogLines.push([details, message]);
  const onlineState = makeOnlineStateService({
    database,
    state: featureState,
    record: (event) => engine.record(event),
    recordsIntoState: overrides.engine === undefined,
    snapshotPath: stateSnapshotPath(config, overrides),
    masterKeys: config.privacy.masterKeys,
    // Several processes on one PostgreSQL: one without a snapshot of its own (a new replica, a container without its
    // disk) starts from the one another published. PGlite's data directory has one process, whose file is its own.
    ...(database.kind === 'postgres' && config.stateSnapshot.shared
      ? { sharing: { minimumIntervalMilliseconds: config.stateSnapshot.intervalMilliseconds } }
      : {}),
    openInput: personalData.open,
    // On PostgreSQL only: there the event loop is what a rebuild waits for (1M cold start 63 s -> 48.5-56.6 s). PGlite's
    // own worker is what a PGlite rebuild waits for, and a third thread on two cores gained nothing at 100k (state
    // 7.6-8.1 s with it, 7.6-7.9 s without) for a second more of CPU.
    ...(database.kind === 'postgres' ? { startBackgroundOpener: () => startBackgroundOpener(config.privacy) } : {}),
    log: (details, message) => startLog(details, message),
  });
  // Several processes on one PostgreSQL: each tails the facts the others commit (PGlite has one process, no tail).
  // An injected engine (tests that watch what is recorded) hears only what its own process records.
  const historyTail =
    database.kind === 'postgres' && overrides.engine === undefined && overrides.historyTail !== false
      ? makeHistoryTail({
          database,
          record: (event) => engine.record(event),
          openInput: personalData.open,
          pollMilliseconds: historyPollMilliseconds,
          log: (details, message) => startLog(details, message),
        })
      : null;
  // Accounts and channels from before migration 190 are sealed before anything reads them (SQL cannot encrypt).
  const sealedOnStart = await sealPlainAccounts(database, personalData.accounts);
  if (sealedOnStart.accounts + sealedOnStart.channels > 0)
    startLog(sealedOnStart, 'sealed the personal data of accounts and channels kept in plain');
  const tailFrom = (await historyTail?.settledMark()) ?? 0;
  const startFigures = await onlineState.start();
  await historyTail?.start(tailFrom);
  const rebuiltEvents = startFigures.replayedEvents;
  // Decisions store features as a vector of this build's catalogue: its names are stored once, here.
  await registerFeatureCatalogue(database);

  const merchants = makeMerchantsService({ database, clock, ids });
  const consumerSessions = makeConsumerSessions({ database, clock, ids });
  // Contexts register what they deliver through the outbox and what they add to every decision here.
  const outboxHandlers: Record<string, OutboxHandler> = {};
  const decisionHooks: DecisionHook[] = [];
  const replayHooks: ReplayHook[] = [];
  const webauthn = { rpId: config.webauthnRpId, rpName: 'Rearguard', origins: [config.publicUrl] };
  const stepUpDependencies = {
    database,
    clock,
    ids,
    secret: config.secret,
    publicUrl: config.publicUrl,
    personalData,
    webauthn,
    ...bankProofProviders,
    // Rate-limit counters in PostgreSQL; a Redis adapter of the same port would be chosen here.
    rateLimiter: makeSqlRateLimiter,
  };
  const stepUpHooks = makeStepUpHooks(stepUpDependencies);
  decisionHooks.push(stepUpHooks.decisionHook);
  replayHooks.push(stepUpHooks.replayHook);
  const notifiers = { ...makeNotifiers(config.notifier), ...overrides.notifiers };
  outboxHandlers[notificationTopic] = makeNotificationHandler(notifiers, database);
  outboxHandlers[opsAlertTopic] = makeOpsAlertHandler({ database, ids, clock, recipients: config.opsAlertRecipients });
  // The order life-cycle: capture on shipment, cancel, refunds, carriers' tracking events, authorization expiry.
  const orders = makeOrdersContext({ config, database, clock, ids, engine });
  const checkout = makeCheckoutService({
    database,
    engine,
    clock,
    ids,
    invoiceDueDays: config.invoiceDueDays,
    personalData,
    onOrderPlaced: orders.onOrderPlaced,
    onDecision: metrics.observeDecision,
    onGroupCommit: metrics.observeGroupCommit,
    afterDecision: decisionHooks,
    onReplay: replayHooks,
    accountsOnFileKept: 10_000,
  });
  const stepUp = makeStepUp({
    ...stepUpDependencies,
    checkout,
    engine,
    findMerchantByKeyHash: merchants.findByKeyHash,
  });
  // A `review` decision opens a queue item; analysts (or its deadline's default) settle it through checkout.
  const reviews = makeReviewService({ database, clock, ids, checkout, ...config.review });
  decisionHooks.push(reviews.openingHook);
  const reviewScheduler = makeScheduler({
    tasks: [{ name: 'review_deadlines', run: reviews.settleOverdue }],
    database,
    onError: (task, error) => logError({ task, error: String(error) }, 'scheduled task failed'),
  });
  const importer = makeImportService({
    database,
    engine,
    ids,
    clock,
    invoiceDueDays: config.invoiceDueDays,
    personalData,
    accounts: personalData.accounts,
  });
  const routes: RouteDefinition[] = [
    ...checkoutRoutes(checkout, { currencies: config.currencies }),
    ...adminRoutes({ database, merchants, importer, importLimitBytes: config.importLimitBytes }),
    ...stepUp.routes,
    ...opsRoutes({ lists, rulesets }),
    ...orders.routes,
    ...allowedOriginsRoutes(database),
    ...reviewRoutes(reviews),
  ];
  // Portal sign-in and account security (passkeys, "always verify my purchases").
  routes.push(
    ...consumerRoutes({
      signIn: makeSignInService({ ...stepUpDependencies, sessions: consumerSessions }),
      security: makeAccountSecurityService({
        database,
        clock,
        ids,
        engine,
        webauthn,
        publicUrl: config.publicUrl,
        secret: config.secret,
        personalData,
      }),
      signOut: consumerSessions.revoke,
      secureCookie: config.publicUrl.startsWith('https:'),
    }),
  );
  routes.push(...securityReportRoutes(makeSecurityReportService({ database, clock, secret: config.secret })));
  routes.push(...outboxRoutes({ database, adminKey: config.adminKey }));
  // Webhooks, invoicing and buyer protection (claims, cases, payouts, the consumer portal's data).
  const protection = makeProtectionContext({
    config,
    database,
    clock,
    ids,
    engine,
    metrics,
    personalData,
  });
  routes.push(...protection.routes);
  // Staff of the fraud desk: passkey sign-in, audit trail, four eyes; their routes live under /v1/ops.
  const queue = makeWorkQueue({ database, clock, ids, reviews, lockMinutes: config.review.lockMinutes });
  const staff = makeStaffContext({
    database,
    clock,
    ids,
    webauthn,
    publicUrl: config.publicUrl,
    reviews,
    queue,
    cases: protection.cases,
    rulesets,
    openInput: personalData.open,
    models: modelContext,
  });
  routes.push(...staff.routes);
  // The desk's workbench: one ranked queue with locks, the case view and its remediations, decision search.
  const desk = makeDeskContext({
    database,
    clock,
    ids,
    engine,
    models: modelContext.models,
    queue,
    caseFirstResponseHours: config.caseFirstResponseHours,
    transfer: config.invoicing.transfer,
    personalData,
  });
  routes.push(...desk.routes);
  // Live monitoring, alert rules (evaluated on a schedule, once per cluster) and emergency levers.
  const monitoring = makeMonitoringContext({ database, clock, ids, levers });
  routes.push(...monitoring.routes);
  const monitoringScheduler = makeScheduler({
    tasks: [monitoring.task],
    onError: (task, error) => logError({ task, error: String(error) }, 'scheduled task failed'),
  });
  // The entity graph and the desk's list editing: find a ring from one identifier and act on all of it.
  const graph = makeGraphContext({
    database,
    clock,
    ids,
    lists,
    engine,
    holdShipment: desk.remediation.holdShipment,
    sealed: personalData,
    accounts: personalData.accounts,
  });
  routes.push(...graph.routes);
  decisionHooks.push(...protection.decisionHooks);
  routes.push(...modelContext.routes);
  decisionHooks.push(...modelContext.decisionHooks);
  // A ruleset in shadow: its would-be outcome, computed by the engine beside the answer, stored with the decision.
  decisionHooks.push(rulesetShadowHook);
  Object.assign(outboxHandlers, protection.outboxHandlers);
  // "Was this you?" after every approval; its "This was not me" files the claim through buyer protection.
  decisionHooks.push(makeOrderNoticeHook({ ids, secret: config.secret, publicUrl: config.publicUrl }));
  const orderNotices = makeOrderNoticeService({
    database,
    clock,
    secret: config.secret,
    claims: protection.claimDependencies,
  });
  routes.push(...orderNoticeRoutes(orderNotices));
  // GET /: what this server is, with links to the portal, the API reference and the health check.
  routes.push(...landingRoutes());
  // Onboarding: a new customer's channels verified by a code to each; a letter for accounts opened in a person's name.
  const onboarding = makeOnboarding({
    database,
    clock,
    ids,
    secret: config.secret,
    publicUrl: config.publicUrl,
    engine,
    claims: protection.claimDependencies,
    personalData,
  });
  decisionHooks.push(...onboarding.decisionHooks);
  routes.push(...onboarding.routes);
  // Erasure (GDPR Art. 17): requests from the portal and by mail, worked by any node, purging the online state too.
  const erasure = makeErasureContext({
    config,
    database,
    clock,
    ids,
    pseudonyms,
    openInput: personalData.open,
    onlineState,
    lists,
    forgetCachedSubjects: () => {
      personalData.forgetCachedSubjects();
      checkout.forgetKeptPersons();
    },
    onError: (task, error) => logError({ task, error: String(error) }, 'scheduled task failed'),
  });
  routes.push(...erasure.routes);

  // Caches of webhook endpoints and capture modes drop what another process changed (NOTIFY from triggers).
  const unfollowTableChanges = await followTableChanges(database);
  // Without notifications a kept account could outlive a change made by another process.
  if (!unfollowTableChanges) checkout.stopKeepingAccounts();
  const unfollowLevers = followLevers({
    rulesets,
    lists,
    models: modelContext.models,
    log: (details, message) => startLog(details, message),
  });
  const outbox = makeOutboxWorker({
    database,
    clock,
    handlers: outboxHandlers,
    onError: (message, error) =>
      logError({ topic: message.topic, id: message.id, error: String(error) }, 'outbox delivery failed'),
  });
  const server: FastifyInstance = buildServer({
    routes,
    findMerchantByKeyHash: merchants.findByKeyHash,
    findConsumerByToken: consumerSessions.resolve,
    authenticateStaff: staff.auth.require,
    adminKey: config.adminKey,
    idempotency: makeIdempotencyStore(database, { claimMilliseconds: config.idempotencyClaimMilliseconds }),
    metrics,
    clock,
    version,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    timeouts: {
      requestMilliseconds: config.requestTimeoutMilliseconds,
      headersMilliseconds: Math.min(10_000, config.requestTimeoutMilliseconds),
      keepAliveMilliseconds: 5_000,
    },
    ...(overrides.logStream ? { logStream: overrides.logStream } : {}),
    ready: async () => {
      await database.query('SELECT 1');
    },
  });

  // The consumer portal (React, built into web/portal/dist) talks only to the public /v1/me API.
  await registerPortal(server);
  orders.registerRawBodies(server);
  // The ops console (React, built into web/console/dist) talks only to /v1/ops with the staff cookie.
  await registerConsole(server);

  // Lines from before the server (and its logger) existed, then everything the online state reports.
  for (const [details, message] of startLogLines) server.log.info(details, message);
  if (config.privacy.pseudonymSecret === developmentPseudonymSecret)
    server.log.warn('PSEUDONYM_SECRET is not set: pseudonyms use the public development key');
  startLog = (details, message) => server.log.info(details, message);
  for (const problem of developmentPrivacyValues(config)) server.log.warn({ setting: problem }, 'privacy setting');

  function logError(details: object, message: string) {
    server.log.warn(details, message);
  }

  return {
    config,
    database,
    engine,
    clock,
    ids,
    server,
    merchants,
    checkout,
    importer,
    rebuiltEvents,
    startFigures,
    onlineState,
    historyTail,
    outbox,
    outboxHandlers,
    decisionHooks,
    routes,
    consumerSessions,
    stepUp,
    metrics,
    protection,
    orders,
    models: modelContext,
    rulesets,
    lists,
    featureState,
    pseudonyms,
    subjects,
    subjectKeys,
    personalData,
    reviews,
    reviewScheduler,
    staff,
    monitoring,
    monitoringScheduler,
    erasure,
    /** Starts the interval-driven work (outbox aside); `rearguard start` calls it. */
    startSchedulers() {
      protection.start();
      orders.start();
      reviewScheduler.start(config.schedulerIntervalMilliseconds);
      monitoringScheduler.start(config.schedulerIntervalMilliseconds);
      onlineState.schedule(config.stateSnapshot.intervalMilliseconds);
      erasure
        .start(config.schedulerIntervalMilliseconds, startFigures.erasuresPurged)
        .catch((error: unknown) => logError({ error: String(error) }, 'erasure scheduler did not start'));
    },
    async close() {
      await reviewScheduler.stop();
      await monitoringScheduler.stop();
      monitoring.closeStreams();
      await erasure.stop();
      await outbox.stop();
      await unfollowTableChanges?.();
      checkout.stop();
      unfollowLevers();
      await historyTail?.stop();
      await protection.stop();
      await orders.stop();
      await server.close();
      // Requests have stopped: the last snapshot sees every fact they recorded.
      await onlineState.stop();
      await database.close();
    },
  };
}

export type Application = Awaited<ReturnType<typeof makeApplication>>;
