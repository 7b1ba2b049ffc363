// The checkout use cases: create a session, authorize it (the decision pipeline), read sessions and orders.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import { isUniqueViolation, type Database, type SqlExecutor } from '../storage/database.ts';
import { deferWrites, RequiredWriteMissed } from '../storage/deferred-writes.ts';
import {
  isPossessionProof,
  type ChallengeMethod,
  type Decision,
  type HistoryEvent,
  type RiskEngine,
} from '../risk/engine.ts';
import type { Merchant } from '../http/route.ts';
import * as repository from './checkout.repository.ts';
import { accountOnFile, insertAccount, insertChannel, type AccountChannel } from './accounts.repository.ts';
import type { SessionInput } from './session.schema.ts';
import { presentAuthorization, presentSession, type AuthorizationView } from './checkout.presenter.ts';
import { makeGroupCommit } from './group-commit.ts';
import { makeCreatedSessions } from './created-sessions.ts';
import { isKeptInput, type KeptInput, type PersonalData } from '../privacy/personal-data.ts';

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
}

/**
 * The order checkout is placing, not yet written: the life-cycle decides its state and calls `insert` once, before
 * any write about the order, so the order is written once in its final state (no UPDATE of a row just inserted).
 */
export type PlacedOrder = Omit<
  repository.OrderRow,
  'invoice_id' | 'invoice_status' | 'invoice_due_at' | 'decision_id'
> & {
  readonly input: SessionInput;
  /** Queues the order's insert with the life-cycle columns given (null: the columns' defaults). */
  readonly insert: (lifecycle: repository.OrderLifecycle | null) => Promise<void>;
};

export interface PlacedOrderOutcome {
  readonly events: HistoryEvent[];
  readonly invoiceId: string | null;
}

/** The session was decided by someone else between our read and our write: the caller replays that decision. */
class SessionMovedOn extends Error {}

export type ReplayHook = (database: SqlExecutor, sessionId: string) => Promise<Record<string, unknown>>;

export type DecisionHook = (tx: SqlExecutor, context: DecisionContext) => Promise<Record<string, unknown>>;

export interface DecisionContext {
  readonly merchant: Merchant;
  readonly session: repository.SessionRow;
  readonly decisionId: string;
  readonly decision: Decision;
  readonly orderId: string | null;
  readonly accountId: string | null;
  readonly at: Date;
  /** The proof the shopper passed before this decision (completeVerifiedSession), null on a first authorize. */
  readonly proof: string | null;
  /** The account's channels, read at most once per approval (an account created by it: those it was given). */
  readonly accountChannels: () => Promise<AccountChannel[]>;
  /** The language the account chose (null: none), read with its channels. */
  readonly accountLanguage: () => Promise<string | null>;
}

const dayMilliseconds = 86_400_000;

const subjectOf = (session: repository.SessionRow) => session.subject_id ?? '';

/** How a step-up was passed; a proof at the bank also brings the verified identity and its own writes on approval. */
export interface VerifiedEvidence {
  readonly method: string;
  readonly challengeId: string;
  /** A new customer's account is built from this (the bank-verified identity) instead of the typed claim. */
  readonly identity?: {
    readonly name: string;
    readonly dateOfBirth: string | null;
    readonly address: SessionInput['billing_address'] | null;
  };
  /** Runs in the approval's transaction once the account exists (e.g. linking the bank subject). */
  readonly onApproved?: (tx: SqlExecutor, accountId: string, at: Date) => Promise<HistoryEvent[]>;
}

export function makeCheckoutService(dependencies: CheckoutDependencies) {
  const { database, engine, clock, ids, personalData } = dependencies;
  const groupCommit = makeGroupCommit(database, {
    maxSize: dependencies.groupCommitSize ?? 32,
    ...(dependencies.onGroupCommit ? { onCommit: dependencies.onGroupCommit } : {}),
  });
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
    // A cached subject: one statement, which inserts only while the subject is live (an erasure may have shredded it).
    if (sealed.cached && (await repository.insertSessionForLiveSubject(database, columns(sealed)))) {
      return created(sealed);
    }
    if (sealed.cached) {
      sealed.forget();
      const resealed = await personalData.sealSession(database, input);
      await repository.insertSession(database, columns(resealed));
      return created(resealed);
    }
    await repository.insertSession(database, columns(sealed));
    return created(sealed);
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

  /** Creates the account for a first-time buyer: typed channels are on file but not verified (they prove nothing yet). */
  async function createAccountFromClaim(
    tx: SqlExecutor,
    input: SessionInput,
    at: Date,
    verified?: VerifiedEvidence['identity'],
    subjectKey: repository.SessionRow['subject_key'] = null,
    opened?: repository.SessionRow['subject'],
  ): Promise<HistoryEvent[]> {
    const accountId = ids.next('acc');
    const customer = input.customer;
    // What the bank verified wins over what was typed; typed contact details stay unverified claims.
    const name = verified?.name ?? customer.name;
    const dateOfBirth = verified?.dateOfBirth ?? customer.date_of_birth ?? null;
    const address = verified?.address ?? input.billing_address;
    // Sealed under the session's subject (the same person): its key was read with the session.
    const accounts = personalData.accounts;
    const subject = opened ?? (await accounts.subjectForAccount(tx, subjectKey, customer.email));
    const personal = { name, email: customer.email, phone: customer.phone, date_of_birth: dateOfBirth, address };
    await insertAccount(tx, {
      id: accountId,
      external_id: null,
      ...accounts.sealAccount(subject, personal),
      created_at: at,
    });
    const events: HistoryEvent[] = [
      {
        kind: 'account',
        accountId,
        at: at.getTime(),
        name,
        email: customer.email,
        phone: customer.phone,
        dateOfBirth,
        address,
      },
    ];
    for (const [kind, value] of [
      ['email', customer.email],
      ['phone', customer.phone],
    ] as const) {
      const channelId = ids.next('chn');
      const sealed = accounts.sealChannel(subject, kind, value);
      await insertChannel(tx, {
        id: channelId,
        account_id: accountId,
        kind,
        ...sealed,
        verified_at: null,
        created_at: at,
      });
      events.push({ kind: 'channel', accountId, channelId, channel: kind, value, verifiedAt: null, at: at.getTime() });
    }
    return events;
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
    const decision = await engine.decide({
      sessionId: session.id,
      merchantId: merchant.id,
      merchantName: merchant.name,
      at,
      session: session.input,
    });
    const latencyMicroseconds = Number((process.hrtime.bigint() - started) / 1000n);
    return { decision, at, latencyMicroseconds };
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
    decided: { decision: Decision; at: number; latencyMicroseconds: number },
    evidence?: VerifiedEvidence,
    extraHooks: readonly DecisionHook[] = [],
    /** The session was kept since this process created it, not read now: its claim checks its subject is live. */
    options: { readonly keptSince?: boolean } = {},
  ): Promise<{ view: AuthorizationView; committed: boolean }> {
    const { decision, at, latencyMicroseconds } = decided;
    const decidedAt = new Date(at);
    let outcome: Awaited<ReturnType<typeof writeDecision>>;
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

    // Online state follows the database: only facts that are committed are applied.
    for (const event of outcome.events) await engine.record(event);
    dependencies.onDecision?.(decision.outcome, latencyMicroseconds / 1e6);
    const view = presentAuthorization(session.id, outcome.decisionId, decision, outcome.order);
    return { view: { ...view, ...outcome.extra }, committed: true };
  }

  async function writeDecision(
    transaction: SqlExecutor,
    context: {
      merchant: Merchant;
      session: repository.SessionRow;
      expectedStatus: 'open' | 'step_up' | 'review';
      decision: Decision;
      decidedAt: Date;
      latencyMicroseconds: number;
      evidence: VerifiedEvidence | undefined;
      extraHooks: readonly DecisionHook[];
      keptSince: boolean;
    },
  ) {
    const { merchant, session, decision, decidedAt, evidence } = context;
    const at = decidedAt.getTime();
    // The decision refers to the session for the person; it and the order keep amounts, cart and pseudonyms only.
    const kept = keptInputOf(session);
    const proof = evidence?.method ?? null;
    const tx = deferWrites(transaction);
    // Read before the first write, so it does not split the batch; an account created below has nothing to read.
    const existingAccount =
      decision.outcome === 'approved' && decision.accountId !== null
        ? accountOnFile(tx, personalData.accounts, decision.accountId, decidedAt)
        : null;
    existingAccount?.catch(() => {});
    const gate = repository.claimSession(tx, session.id, context.expectedStatus, decision.outcome, decidedAt, {
      liveSubject: context.keptSince,
    });
    gate.catch(() => {}); // a failed batch fails the flush below; this promise is read only after a good one
    const decisionId = ids.next('dec');
    await repository.insertDecision(tx, {
      id: decisionId,
      session_id: session.id,
      merchant_id: merchant.id,
      account_id: decision.accountId,
      outcome: decision.outcome,
      reasons: decision.reasons,
      score: decision.score,
      features: decision.features,
      rule_results: decision.ruleResults,
      challenge_options: decision.challengeOptions,
      versions: decision.versions,
      input: kept,
      latency_us: context.latencyMicroseconds,
      decided_at: decidedAt,
    });
    const events: HistoryEvent[] = [];
    let order: repository.OrderRow | null = null;
    let accountId = decision.accountId;
    if (decision.outcome === 'approved') {
      if (accountId === null) {
        const accountEvents = await createAccountFromClaim(
          tx,
          session.input,
          decidedAt,
          evidence?.identity,
          session.subject_key ?? null,
          session.subject,
        );
        events.push(...accountEvents);
        accountId = (accountEvents[0] as { accountId: string }).accountId;
        // A new customer proved their identity before the account existed (the account is built from what the bank
        // verified): the proof now belongs to the account, so its identity counts as proven from here on.
        if (proof !== null && isPossessionProof(proof))
          events.push(...(await attachProof(tx, session, accountId, proof)));
      }
      if (evidence?.onApproved) events.push(...(await evidence.onApproved(tx, accountId, decidedAt)));
      const placing = await placeOrder(tx, {
        merchant,
        session,
        kept,
        decisionId,
        accountId,
        at: decidedAt,
        deliveryRequirements: [...(decision.deliveryRequirements ?? [])],
      });
      order = placing.order;
      events.push({ kind: 'order', orderId: order.id, accountId, merchantId: merchant.id, at, session: session.input });
      if (dependencies.onOrderPlaced) {
        let inserted = false;
        const insert = async (lifecycle: repository.OrderLifecycle | null) => {
          if (inserted) throw new Error(`order ${placing.order.id} was inserted twice`);
          inserted = true;
          await placing.insert(lifecycle);
        };
        const placed = await dependencies.onOrderPlaced(tx, { ...order, input: session.input, insert }, decidedAt);
        // Unexpected, not an outcome: the life-cycle must write the order it was handed.
        if (!inserted) throw new Error(`the order life-cycle did not insert order ${order.id}`);
        events.push(...placed.events);
        order = { ...order, invoice_id: placed.invoiceId };
      }
    }
    const extra: Record<string, unknown> = {};
    const hookContext: DecisionContext = {
      merchant,
      session,
      decisionId,
      decision,
      orderId: order?.id ?? null,
      accountId,
      at: decidedAt,
      proof,
      // A new account has chosen no language yet: its messages follow the shopper's browser, else Dutch.
      accountLanguage: async () => (existingAccount ? (await existingAccount).language : null),
      accountChannels: async () => {
        if (existingAccount) return (await existingAccount).channels;
        return events.flatMap((event) =>
          event.kind === 'channel' && event.accountId === accountId
            ? [
                {
                  id: event.channelId,
                  kind: event.channel,
                  value: event.value,
                  verified_at: null,
                  created_at: decidedAt,
                  confirmation_pending: false,
                },
              ]
            : [],
        );
      },
    };
    for (const hook of [...(dependencies.afterDecision ?? []), ...context.extraHooks]) {
      Object.assign(extra, await hook(tx, hookContext));
    }
    // Nothing follows: alone (not in a group), a batch of one statement commits by itself, without BEGIN and COMMIT.
    await tx.flush({ last: true });
    if ((await gate) === 0) throw new SessionMovedOn();
    return { decisionId, order, events, extra };
  }

  /** The session's stored person-free copy when it has one, else made now (a session from before sealing). */
  function keptInputOf(session: repository.SessionRow): KeptInput {
    return session.kept ?? personalData.keep(session.input, subjectOf(session));
  }

  async function attachProof(
    tx: SqlExecutor,
    session: repository.SessionRow,
    accountId: string,
    method: string,
  ): Promise<HistoryEvent[]> {
    const rows = await tx.query<{ verified_at: Date; device_id: string | null }>(
      `UPDATE verifications SET account_id = $1 WHERE session_id = $2 AND account_id IS NULL AND method = $3
       RETURNING verified_at, device_id`,
      [accountId, session.id, method],
    );
    return rows.map((row) => ({
      kind: 'verification' as const,
      accountId,
      at: row.verified_at.getTime(),
      method: method as ChallengeMethod,
      deviceId: row.device_id,
    }));
  }

  async function placeOrder(
    tx: SqlExecutor,
    context: {
      merchant: Merchant;
      session: repository.SessionRow;
      kept: KeptInput;
      decisionId: string;
      accountId: string;
      at: Date;
      deliveryRequirements: string[];
    },
  ): Promise<{ order: repository.OrderRow; insert: (lifecycle: repository.OrderLifecycle | null) => Promise<void> }> {
    const { session } = context;
    const order: repository.OrderRow = {
      id: ids.next('ord'),
      session_id: session.id,
      decision_id: context.decisionId,
      merchant_id: context.merchant.id,
      account_id: context.accountId,
      merchant_reference: session.input.merchant_reference,
      amount: session.input.amount.value,
      currency: session.input.amount.currency,
      source: 'live',
      status: 'approved',
      placed_at: context.at,
      invoice_id: null,
      invoice_status: null,
      invoice_due_at: null,
      delivery_requirements: context.deliveryRequirements,
    };
    const insert = (lifecycle: repository.OrderLifecycle | null) =>
      repository.insertOrder(
        tx,
        {
          ...order,
          merchant_name: context.merchant.name,
          external_id: null,
          input: context.kept,
        },
        lifecycle,
      );
    // With a life-cycle, it writes the order in the state it gives it (see PlacedOrder).
    if (dependencies.onOrderPlaced) return { order, insert };
    await insert(null);
    const invoice = {
      id: ids.next('inv'),
      status: 'open',
      due_at: new Date(context.at.getTime() + dependencies.invoiceDueDays * dayMilliseconds),
    };
    await repository.insertInvoice(tx, {
      ...invoice,
      order_id: order.id,
      account_id: context.accountId,
      amount: order.amount,
      currency: order.currency,
      created_at: context.at,
    });
    return {
      order: { ...order, invoice_id: invoice.id, invoice_status: invoice.status, invoice_due_at: invoice.due_at },
      insert,
    };
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
    /** Someone was erased: the inputs kept since their sessions' creation go too (they hold personal data in plain). */
    forgetKeptSessions: () => createdSessions.clear(),
  };
}

export type CheckoutService = ReturnType<typeof makeCheckoutService>;
