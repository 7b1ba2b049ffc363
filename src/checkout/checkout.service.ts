// The checkout use cases: create a session, authorize it (the decision pipeline), read sessions and orders.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import { isUniqueViolation, type Database, type SqlExecutor } from '../storage/database.ts';
import { RequiredWriteMissed } from '../storage/deferred-writes.ts';
import { isPossessionProof, type Decision, type RiskEngine } from '../risk/engine.ts';
import type { Merchant } from '../http/route.ts';
import * as repository from './checkout.repository.ts';
import type { SessionInput } from './session.schema.ts';
import { presentAuthorization, presentSession, type AuthorizationView } from './checkout.presenter.ts';
import { makeGroupCommit } from './group-commit.ts';
import { makeCreatedSessions } from './created-sessions.ts';
import {
  makeDecisionWriter,
  SessionMovedOn,
  type DecisionHook,
  type PlacedOrder,
  type PlacedOrderOutcome,
  type ReplayHook,
  type VerifiedEvidence,
} from './decision.writer.ts';
import { isKeptInput, type PersonalData } from '../privacy/personal-data.ts';
import { makeAccountsOnFileReader, type AccountOnFileRead } from './accounts.repository.ts';
import { makeAccountsOnFileCache } from './accounts-on-file.cache.ts';
import { onTableChange } from '../storage/table-cache.ts';
import { makeSessionInserter } from './session-inserts.ts';

export interface CheckoutDependencies {
  readonly database: Database;
  readonly engine: RiskEngine;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly invoiceDueDays: number;
  /** Seals a session's input once under its subject's key and opens it for the decision. */
  readonly personalData: PersonalData;
  readonly onDecision?: (outcome: Decision['outcome'], seconds: number) => void;
  /**
   * Hooks run inside the decision's transaction (step-up challenges, "was this you?" notices, webhooks), so
   * what they write commits with the decision or not at all. Each may add fields to the authorize response.
   */
  readonly afterDecision?: readonly DecisionHook[];
  /** Re-adds what hooks contributed (e.g. the step-up challenge) when an authorize is replayed. */
  readonly onReplay?: readonly ReplayHook[];
  /**
   * The order life-cycle takes over an approved order in its transaction (src/orders: capture at approval or an
   * authorization waiting for shipment). Without it, the order is invoiced at approval as before.
   */
  readonly onOrderPlaced?: (tx: SqlExecutor, order: PlacedOrder, at: Date) => Promise<PlacedOrderOutcome>;
  /** Concurrent authorizes committed in one transaction (group commit); 1 commits each on its own. */
  readonly groupCommitSize?: number;
  /** Hears how many authorizes each commit carried. */
  readonly onGroupCommit?: (items: number) => void;
  /** Sessions kept from their creation for their authorize (0: every authorize reads its session). */
  readonly createdSessionsKept?: number;
  /**
   * Returning customers' accounts on file (channels, codes, language) kept between approvals, at most this many;
   * 0 (the default): read before each approval. Only where changes are heard (`followTableChanges`, migration 198).
   */
  readonly accountsOnFileKept?: number;
}

export type {
  DecisionContext,
  DecisionHook,
  PlacedOrder,
  PlacedOrderOutcome,
  ReplayHook,
  VerifiedEvidence,
} from './decision.writer.ts';

export function makeCheckoutService(dependencies: CheckoutDependencies) {
  const { database, engine, clock, ids, personalData } = dependencies;
  const writeDecision = makeDecisionWriter(dependencies);
  const groupCommit = makeGroupCommit(database, {
    maxSize: dependencies.groupCommitSize ?? 32,
    ...(dependencies.onGroupCommit ? { onCommit: dependencies.onGroupCommit } : {}),
  });
  // Concurrent approvals of returning customers read their accounts in one statement, outside the commit.
  const readAccountsOnFile = makeAccountsOnFileReader(database, personalData.accounts);
  // ... and once read, are kept until a change to them is heard (from any process).
  const accountsOnFile = makeAccountsOnFileCache({
    load: readAccountsOnFile,
    capacity: dependencies.accountsOnFileKept ?? 0,
  });
  const unfollowAccountsOnFile = onTableChange('accounts_on_file', (accountIds) => accountsOnFile.forget(accountIds));
  const readAccountOnFile = (accountId: string) => accountsOnFile.get(accountId);
  // Sessions created at the same moment under cached subjects are inserted in one statement.
  const insertSessionForLiveSubject = makeSessionInserter(database);
  // A checkout authorizes the session it created a moment ago, mostly on the same process: no read of it back.
  const createdSessions = makeCreatedSessions({
    capacity: dependencies.createdSessionsKept ?? 5_000,
    keepMilliseconds: 5 * 60_000,
    now: () => clock.now(),
  });

  async function createSession(merchant: Merchant, input: SessionInput) {
    const at = new Date(clock.now());
    const row = { id: ids.next('ses'), merchant_id: merchant.id, status: 'open' as const, created_at: at };
    const columns = (sealed: Awaited<ReturnType<PersonalData['sealSession']>>) => ({
      ...row,
      kept: sealed.kept,
      subject_id: sealed.subjectId,
      sealed_input: sealed.sealed,
    });
    const created = (sealed: Awaited<ReturnType<PersonalData['sealSession']>>) => {
      const { subjectId, subject, kept } = sealed;
      createdSessions.remember({ ...row, updated_at: at, input, subject_id: subjectId, subject, kept });
      return presentSession({ ...row, input }, null, null);
    };
    const sealed = await personalData.sealSession(database, input);
    // Inserted only while the subject is live (an erasure may have shredded a cached one), with the sessions created
    // at the same moment: a subject found or made just now goes the same way, so its insert is shared too.
    if (await insertSessionForLiveSubject(columns(sealed))) return created(sealed);
    sealed.forget();
    const resealed = await personalData.sealSession(database, input);
    await repository.insertSession(database, columns(resealed));
    return created(resealed);
  }

  /** The session with its input opened; a session whose person was erased cannot be decided (409). */
  async function findOpenedSession(merchantId: string, sessionId: string): Promise<repository.SessionRow | null> {
    const stored = await repository.findSession(database, merchantId, sessionId);
    if (!stored) return null;
    const { id, merchant_id, status, created_at, updated_at, subject_id, master_key_id, wrapped_key } = stored;
    const subject_key = { subject_id, master_key_id, wrapped_key };
    return {
      id,
      merchant_id,
      status,
      created_at,
      updated_at,
      subject_id,
      subject_key,
      input: personalData.openOrRefuse(stored),
      // Its pseudonyms are not computed again per decision (HMACs of every identifier, twice per approval).
      ...(isKeptInput(stored.input) ? { kept: stored.input } : {}),
    };
  }

  async function getSession(merchant: Merchant, sessionId: string) {
    // The merchant's view shows only the reference and amount, which the kept copy holds: erased or not.
    const session = await repository.findSession(database, merchant.id, sessionId);
    if (!session) throw notFound('session');
    const [decision, order] = await Promise.all([
      repository.latestDecision(database, session),
      repository.findOrderBySession(database, session.id),
    ]);
    return presentSession(session, decision, order);
  }

  async function authorize(merchant: Merchant, sessionId: string): Promise<AuthorizationView> {
    const created = createdSessions.take(merchant.id, sessionId);
    if (created) {
      const decided = await decide(merchant, created);
      try {
        return (await commitOrReplay(merchant, created, 'open', decided, undefined, [], { keptSince: true })).view;
      } catch (error) {
        // The claim failed and the session is not simply decided by someone else: read it as stored (erased: 409).
        if (!(error instanceof RequiredWriteMissed)) throw error;
      }
    }
    const session = await findOpenedSession(merchant.id, sessionId);
    if (!session) throw notFound('session');
    if (session.status !== 'open') return replayAuthorization(session);
    const decided = await decide(merchant, session);
    return (await commitOrReplay(merchant, session, 'open', decided)).view;
  }

  /**
   * The shopper proved to be the account holder (a challenge was verified): decide again and, unless the new decision
   * is a hard decline (a list hit, a decline rule), approve through the same path as any approval, so the order,
   * invoice, notices and webhooks are written exactly alike. Only a session waiting for step-up can be completed.
   */
  async function completeVerifiedSession(
    merchant: Merchant,
    sessionId: string,
    evidence: VerifiedEvidence,
  ): Promise<AuthorizationView> {
    const session = await findOpenedSession(merchant.id, sessionId);
    if (!session) throw notFound('session');
    if (session.status !== 'step_up') return replayAuthorization(session);
    const decided = await decide(merchant, session);
    // A proof settles who is buying: it lifts identity doubt, never a block list, confirmed-fraud links or credit.
    const verified: Decision =
      decided.decision.outcome === 'declined' || decided.decision.outcome === 'review'
        ? decided.decision
        : {
            ...decided.decision,
            outcome: 'approved',
            challengeOptions: [],
            // The buyer proved who they are (or holds the account's channels): no delivery conditions needed.
            deliveryRequirements: isPossessionProof(evidence.method)
              ? []
              : (decided.decision.deliveryRequirements ?? []),
            reasons: [
              {
                code: 'verified_account_holder',
                message: `Approved: the account holder confirmed this purchase (${evidence.method.replaceAll('_', ' ')}).`,
              },
            ],
          };
    return (await commitOrReplay(merchant, session, 'step_up', { ...decided, decision: verified }, evidence)).view;
  }

  /**
   * An analyst (or the review deadline) settles a session held for review. Approval goes through the same path as
   * any approval (order, invoice, notices, webhooks); a fresh hard decline (a list hit since) still wins.
   * `settle` runs in the decision's transaction, so the queue item closes with the session or not at all.
   * Returns null when the session is no longer in review (someone else settled it first).
   */
  async function completeReview(
    merchant: Merchant,
    sessionId: string,
    resolution: {
      readonly outcome: 'approved' | 'declined';
      readonly reason: { readonly code: string; readonly message: string };
      readonly settle: DecisionHook;
    },
  ): Promise<AuthorizationView | null> {
    const session = await findOpenedSession(merchant.id, sessionId);
    if (!session) throw notFound('session');
    if (session.status !== 'review') return null;
    const decided = await decide(merchant, session);
    const outcome = decided.decision.outcome === 'declined' ? 'declined' : resolution.outcome;
    const settled: Decision = {
      ...decided.decision,
      outcome,
      challengeOptions: [],
      reasons: outcome === resolution.outcome ? [resolution.reason] : decided.decision.reasons,
    };
    const { view, committed } = await commitOrReplay(
      merchant,
      session,
      'review',
      { ...decided, decision: settled },
      undefined,
      [resolution.settle],
    );
    return committed ? view : null;
  }

  async function decide(merchant: Merchant, session: repository.SessionRow) {
    const at = clock.now();
    const started = process.hrtime.bigint();
    // A returning customer's account on file, read (when not kept) while the decision is scored: an approval needs it.
    let accountOnFile: { readonly accountId: string; readonly read: Promise<AccountOnFileRead | undefined> } | null =
      null;
    let waited = 0n;
    const decision = await engine.decide(
      {
        sessionId: session.id,
        merchantId: merchant.id,
        merchantName: merchant.name,
        at,
        session: session.input,
      },
      {
        onAccountResolved: async (accountId) => {
          const kept = accountsOnFile.has(accountId);
          accountOnFile = { accountId, read: readAccountOnFile(accountId).catch(() => undefined) };
          if (kept) return;
          // One turn of the event loop, so the read is sent before the scoring holds the thread. Not the engine's
          // time: left out of the decision's latency (under load the turn serves other requests' I/O first).
          const turned = process.hrtime.bigint();
          await new Promise<void>((resolve) => setImmediate(resolve));
          waited += process.hrtime.bigint() - turned;
        },
      },
    );
    const latencyMicroseconds = Number((process.hrtime.bigint() - started - waited) / 1000n);
    return { decision, at, latencyMicroseconds, accountOnFile };
  }

  /**
   * Writes the decision and everything an approval brings as one batch of deferred writes (one statement when no
   * hook needs to read), committed with other authorizes of the moment (group commit); answered once durable.
   * The session is not locked first: the status update is conditional, and losing that race replays the winner.
   */
  async function commitOrReplay(
    merchant: Merchant,
    session: repository.SessionRow,
    expectedStatus: 'open' | 'step_up' | 'review',
    decided: {
      decision: Decision;
      at: number;
      latencyMicroseconds: number;
      /** The account on file as read while deciding (see `decide`). */
      accountOnFile?: { readonly accountId: string; readonly read: Promise<AccountOnFileRead | undefined> } | null;
    },
    evidence?: VerifiedEvidence,
    extraHooks: readonly DecisionHook[] = [],
    /** The session was kept since this process created it, not read now: its claim checks its subject is live. */
    options: { readonly keptSince?: boolean } = {},
  ): Promise<{ view: AuthorizationView; committed: boolean }> {
    const { decision, at, latencyMicroseconds } = decided;
    const decidedAt = new Date(at);
    let outcome: Awaited<ReturnType<typeof writeDecision>>;
    // Read before the commit, not inside it (where a group's reads go one after another), and awaited here: a read
    // outside the transaction that the transaction waited for would never run on PGlite's one connection, which the
    // transaction holds (a 32-connection bench hung so). A failed read is read again inside the commit.
    const early = decided.accountOnFile;
    const accountOnFile =
      decision.outcome === 'approved' && decision.accountId !== null
        ? await (early && early.accountId === decision.accountId
            ? early.read
            : readAccountOnFile(decision.accountId).catch(() => undefined))
        : undefined;
    try {
      outcome = await groupCommit.run((tx) =>
        writeDecision(tx, {
          merchant,
          session,
          expectedStatus,
          decision,
          decidedAt,
          latencyMicroseconds,
          evidence,
          extraHooks,
          keptSince: options.keptSince === true,
          ...(accountOnFile ? { accountOnFile } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof SessionMovedOn || error instanceof RequiredWriteMissed || isUniqueViolation(error)) {
        const current = await repository.findSession(database, merchant.id, session.id);
        if (current && current.status !== expectedStatus)
          return { view: await replayAuthorization(session), committed: false };
      }
      throw error;
    }

    // This approval gave the account a channel: its notification will say so, but the next approval of the account
    // may come first here. (A code it sent is no change to drop it for: see migration 198.)
    if (decision.accountId !== null && outcome.events.some((event) => event.kind === 'channel'))
      accountsOnFile.forget([decision.accountId]);
    // Online state follows the database: only facts that are committed are applied.
    for (const event of outcome.events) await engine.record(event);
    dependencies.onDecision?.(decision.outcome, latencyMicroseconds / 1e6);
    const view = presentAuthorization(session.id, outcome.decisionId, decision, outcome.order);
    return { view: { ...view, ...outcome.extra }, committed: true };
  }

  async function replayAuthorization(session: {
    readonly id: string;
    readonly created_at: Date;
  }): Promise<AuthorizationView> {
    const sessionId = session.id;
    const decision = await repository.latestDecision(database, session);
    if (!decision) throw new ApiError(409, 'session_not_open', 'this session can no longer be authorized');
    const order = await repository.findOrderBySession(database, sessionId);
    const extra: Record<string, unknown> = {};
    for (const hook of dependencies.onReplay ?? []) Object.assign(extra, await hook(database, sessionId));
    return {
      ...presentAuthorization(sessionId, decision.id, { outcome: decision.outcome, reasons: decision.reasons }, order),
      ...extra,
    };
  }

  return {
    createSession,
    getSession,
    authorize,
    completeVerifiedSession,
    completeReview,
    /**
     * Someone was erased: the inputs kept since their sessions' creation go (they hold personal data in plain), and the
     * accounts on file kept (opened channel values).
     */
    forgetKeptPersons: () => {
      createdSessions.clear();
      accountsOnFile.forget();
    },
    /** Changes to accounts cannot be heard (no notifications): keep none. */
    stopKeepingAccounts: () => accountsOnFile.disable(),
    /** Accounts on file kept now (tests, metrics). */
    get accountsOnFileKept() {
      return accountsOnFile.size;
    },
    stop: () => unfollowAccountsOnFile(),
  };
}

export type CheckoutService = ReturnType<typeof makeCheckoutService>;
