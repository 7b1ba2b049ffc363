// The checkout use cases: create a session, authorize it (the decision pipeline), read sessions and orders.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import {
  isPossessionProof,
  type ChallengeMethod,
  type Decision,
  type HistoryEvent,
  type RiskEngine,
} from '../risk/engine.ts';
import type { Merchant } from '../http/route.ts';
import * as repository from './checkout.repository.ts';
import { insertAccount, insertChannel } from './accounts.repository.ts';
import type { SessionInput } from './session.schema.ts';
import { presentAuthorization, presentSession, type AuthorizationView } from './checkout.presenter.ts';

export interface CheckoutDependencies {
  readonly database: Database;
  readonly engine: RiskEngine;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly invoiceDueDays: number;
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
  readonly onOrderPlaced?: (tx: SqlExecutor, orderId: string, at: Date) => Promise<HistoryEvent[]>;
}

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
}

const dayMilliseconds = 86_400_000;

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
  const { database, engine, clock, ids } = dependencies;

  async function createSession(merchant: Merchant, input: SessionInput) {
    const at = new Date(clock.now());
    const row = { id: ids.next('ses'), merchant_id: merchant.id, status: 'open' as const, input, created_at: at };
    await repository.insertSession(database, row);
    return presentSession({ ...row, updated_at: at }, null, null);
  }

  async function getSession(merchant: Merchant, sessionId: string) {
    const session = await repository.findSession(database, merchant.id, sessionId);
    if (!session) throw notFound('session');
    const [decision, order] = await Promise.all([
      repository.latestDecision(database, session.id),
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
  ): Promise<HistoryEvent[]> {
    const accountId = ids.next('acc');
    const customer = input.customer;
    // What the bank verified wins over what was typed; typed contact details stay unverified claims.
    const name = verified?.name ?? customer.name;
    const dateOfBirth = verified?.dateOfBirth ?? customer.date_of_birth ?? null;
    const address = verified?.address ?? input.billing_address;
    await insertAccount(tx, {
      id: accountId,
      external_id: null,
      name,
      email: customer.email,
      phone: customer.phone,
      date_of_birth: dateOfBirth,
      address,
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
      await insertChannel(tx, { id: channelId, account_id: accountId, kind, value, verified_at: null, created_at: at });
      events.push({ kind: 'channel', accountId, channelId, channel: kind, value, verifiedAt: null, at: at.getTime() });
    }
    return events;
  }

  async function authorize(merchant: Merchant, sessionId: string): Promise<AuthorizationView> {
    const session = await repository.findSession(database, merchant.id, sessionId);
    if (!session) throw notFound('session');
    if (session.status !== 'open') return replayAuthorization(session.id);
    const decided = await decide(merchant, session);
    return commitDecision(merchant, session, 'open', decided);
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
    const session = await repository.findSession(database, merchant.id, sessionId);
    if (!session) throw notFound('session');
    if (session.status !== 'step_up') return replayAuthorization(session.id);
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
    return commitDecision(merchant, session, 'step_up', { ...decided, decision: verified }, evidence);
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
    const session = await repository.findSession(database, merchant.id, sessionId);
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
    let ran = false;
    const view = await commitDecision(merchant, session, 'review', { ...decided, decision: settled }, undefined, [
      async (tx, context) => {
        ran = true;
        return resolution.settle(tx, context);
      },
    ]);
    return ran ? view : null;
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

  async function commitDecision(
    merchant: Merchant,
    session: repository.SessionRow,
    expectedStatus: 'open' | 'step_up' | 'review',
    decided: { decision: Decision; at: number; latencyMicroseconds: number },
    evidence?: VerifiedEvidence,
    extraHooks: readonly DecisionHook[] = [],
  ): Promise<AuthorizationView> {
    const { decision, at, latencyMicroseconds } = decided;
    const decidedAt = new Date(at);
    const proof = evidence?.method ?? null;
    const outcome = await database.transaction(async (tx) => {
      // The row lock makes concurrent authorizes of one session decide once: the loser replays the winner.
      const locked = await repository.findSession(tx, merchant.id, session.id, { forUpdate: true });
      if (!locked || locked.status !== expectedStatus) return null;
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
        input: session.input,
        latency_us: latencyMicroseconds,
        decided_at: decidedAt,
      });
      const events: HistoryEvent[] = [];
      let orderId: string | null = null;
      let accountId = decision.accountId;
      if (decision.outcome === 'approved') {
        if (accountId === null) {
          const accountEvents = await createAccountFromClaim(tx, session.input, decidedAt, evidence?.identity);
          events.push(...accountEvents);
          accountId = (accountEvents[0] as { accountId: string }).accountId;
          // A new customer proved their identity before the account existed (the account is built from what the bank
          // verified): the proof now belongs to the account, so its identity counts as proven from here on.
          if (proof !== null && isPossessionProof(proof))
            events.push(...(await attachProof(tx, session, accountId, proof)));
        }
        if (evidence?.onApproved) events.push(...(await evidence.onApproved(tx, accountId, decidedAt)));
        orderId = await placeOrder(tx, { merchant, session, decisionId, accountId, at: decidedAt });
        events.push({ kind: 'order', orderId, accountId, merchantId: merchant.id, at, session: session.input });
        const requirements = decision.deliveryRequirements ?? [];
        if (requirements.length > 0) {
          await tx.query('UPDATE orders SET delivery_requirements = $2::jsonb WHERE id = $1', [
            orderId,
            JSON.stringify(requirements),
          ]);
        }
        if (dependencies.onOrderPlaced) events.push(...(await dependencies.onOrderPlaced(tx, orderId, decidedAt)));
      }
      await repository.updateSessionStatus(tx, session.id, decision.outcome, decidedAt);
      const extra: Record<string, unknown> = {};
      for (const hook of [...(dependencies.afterDecision ?? []), ...extraHooks]) {
        Object.assign(
          extra,
          await hook(tx, { merchant, session, decisionId, decision, orderId, accountId, at: decidedAt, proof }),
        );
      }
      return { decisionId, orderId, events, extra };
    });
    if (outcome === null) return replayAuthorization(session.id);

    // Online state follows the database: only facts that are committed are applied.
    for (const event of outcome.events) await engine.record(event);
    dependencies.onDecision?.(decision.outcome, latencyMicroseconds / 1e6);
    const order = outcome.orderId ? await repository.findOrderBySession(database, session.id) : null;
    return { ...presentAuthorization(session.id, outcome.decisionId, decision, order), ...outcome.extra };
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
    context: { merchant: Merchant; session: repository.SessionRow; decisionId: string; accountId: string; at: Date },
  ): Promise<string> {
    const { session } = context;
    const orderId = ids.next('ord');
    await repository.insertOrder(tx, {
      id: orderId,
      session_id: session.id,
      decision_id: context.decisionId,
      merchant_id: context.merchant.id,
      merchant_name: context.merchant.name,
      account_id: context.accountId,
      external_id: null,
      merchant_reference: session.input.merchant_reference,
      amount: session.input.amount.value,
      currency: session.input.amount.currency,
      input: session.input,
      source: 'live',
      status: 'approved',
      placed_at: context.at,
    });
    if (dependencies.onOrderPlaced) return orderId;
    await repository.insertInvoice(tx, {
      id: ids.next('inv'),
      order_id: orderId,
      account_id: context.accountId,
      amount: session.input.amount.value,
      currency: session.input.amount.currency,
      status: 'open',
      due_at: new Date(context.at.getTime() + dependencies.invoiceDueDays * dayMilliseconds),
      created_at: context.at,
    });
    return orderId;
  }

  async function replayAuthorization(sessionId: string): Promise<AuthorizationView> {
    const decision = await repository.latestDecision(database, sessionId);
    if (!decision) throw new ApiError(409, 'session_not_open', 'this session can no longer be authorized');
    const order = await repository.findOrderBySession(database, sessionId);
    const extra: Record<string, unknown> = {};
    for (const hook of dependencies.onReplay ?? []) Object.assign(extra, await hook(database, sessionId));
    return {
      ...presentAuthorization(sessionId, decision.id, { outcome: decision.outcome, reasons: decision.reasons }, order),
      ...extra,
    };
  }

  return { createSession, getSession, authorize, completeVerifiedSession, completeReview };
}

export type CheckoutService = ReturnType<typeof makeCheckoutService>;
