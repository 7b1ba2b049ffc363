// Writes a decision and all an approval brings (a first-time buyer's account, the order and its invoice, what the
// hooks add) as one batch of deferred writes in the caller's transaction; the checkout service decides and commits.
import type { Ids } from '../shared/ids.ts';
import { deferWrites } from '../storage/deferred-writes.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { isPossessionProof, type ChallengeMethod, type Decision, type HistoryEvent } from '../risk/engine.ts';
import type { Merchant } from '../http/route.ts';
import * as repository from './checkout.repository.ts';
import {
  accountOnFile,
  accountOnFileAt,
  insertAccount,
  insertChannel,
  type AccountChannel,
  type AccountOnFile,
  type AccountOnFileRead,
} from './accounts.repository.ts';
import type { SessionInput } from './session.schema.ts';
import type { KeptInput, PersonalData } from '../privacy/personal-data.ts';

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
export class SessionMovedOn extends Error {}

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

export interface DecisionWriterDependencies {
  readonly ids: Ids;
  readonly personalData: PersonalData;
  readonly invoiceDueDays: number;
  readonly afterDecision?: readonly DecisionHook[];
  readonly onOrderPlaced?: (tx: SqlExecutor, order: PlacedOrder, at: Date) => Promise<PlacedOrderOutcome>;
}

/** One decision to write, and what it is written against. */
export interface DecisionToWrite {
  readonly merchant: Merchant;
  readonly session: repository.SessionRow;
  readonly expectedStatus: 'open' | 'step_up' | 'review';
  readonly decision: Decision;
  readonly decidedAt: Date;
  readonly latencyMicroseconds: number;
  readonly evidence: VerifiedEvidence | undefined;
  readonly extraHooks: readonly DecisionHook[];
  /** The session was kept since this process created it, not read now: its claim checks its subject is live. */
  readonly keptSince: boolean;
  /**
   * The approved account's channels and language, read by the caller before the commit (with other approvals' reads
   * in one statement); without it (that read failed) they are read here.
   */
  readonly accountOnFile?: AccountOnFileRead;
}

/**
 * Throws SessionMovedOn when the session was decided by someone else meanwhile (its claim updated no row), so the
 * caller can replay that decision; the batch then fails whole and nothing of this decision is written.
 */
export function makeDecisionWriter(dependencies: DecisionWriterDependencies) {
  const { ids, personalData } = dependencies;

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

  async function writeDecision(transaction: SqlExecutor, context: DecisionToWrite) {
    const { merchant, session, decision, decidedAt, evidence } = context;
    const at = decidedAt.getTime();
    // The decision refers to the session for the person; it and the order keep amounts, cart and pseudonyms only.
    const kept = keptInputOf(session);
    const proof = evidence?.method ?? null;
    const tx = deferWrites(transaction);
    // Read before the first write, so it does not split the batch; an account created below has nothing to read.
    const existingAccount =
      decision.outcome === 'approved' && decision.accountId !== null
        ? accountOnFileFor(tx, decision.accountId, context)
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

  function accountOnFileFor(tx: SqlExecutor, accountId: string, context: DecisionToWrite): Promise<AccountOnFile> {
    const readHere = () => accountOnFile(tx, personalData.accounts, accountId, context.decidedAt);
    if (!context.accountOnFile) return readHere();
    return Promise.resolve(accountOnFileAt(context.accountOnFile, context.decidedAt));
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

  return writeDecision;
}

export type DecisionWriter = ReturnType<typeof makeDecisionWriter>;
