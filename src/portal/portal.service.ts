// The consumer portal's use cases for the signed-in account: what was bought in their name, by which devices, to where.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { chooseLanguage } from '../i18n/format.ts';
import { reasonChangeText, reasonText } from '../i18n/translate.ts';
import { answerOf } from '../protection/review-requests.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { Address, Device } from '../checkout/session.schema.ts';
import { normalise } from '../invoicing/invoice.transitions.ts';
import { presentInvoice } from '../invoicing/invoice.presenter.ts';
import { insertCase, insertCaseEvent, insertFlag } from '../protection/protection.repository.ts';
import * as repository from './portal.repository.ts';
import { decodeCursor, pageInMemory, toPage } from '../http/list-envelope.ts';
import { timeAndIdCursor } from './portal.schemas.ts';
import { shipmentsOfOrders } from '../orders/orders.repository.ts';
import { describeDelivery } from '../orders/order.delivery.ts';
import { addressKey, describeClaim, describeOutcome, formatAddress, maskChannel } from './portal.presenter.ts';
import { deviceName } from './device.names.ts';
import { paymentInstructions, type TransferSettings } from './payment.instructions.ts';

/** Decisions a person may ask to have reviewed: anything that held up or refused a purchase. */
const reviewableOutcomes = new Set(['step_up', 'review', 'declined']);

interface Sighting {
  readonly at: Date;
  readonly device: Device | undefined;
  readonly addresses: ReadonlyArray<{ address: Address; use: 'billing' | 'shipping' }>;
}

export function makePortalService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  firstResponseHours: number;
  /** Hours within which a review request is answered (REVIEW_REQUEST_SLA_HOURS); the desk's read-only use omits it. */
  reviewRequestSlaHours?: number;
  transfer: TransferSettings;
  /** Opens the sealed session inputs of the account's orders and decisions. */
  personalData: PersonalData;
}) {
  const { database, clock, ids, personalData } = dependencies;

  /** The rows with their inputs opened (one read for all); an erased one shows its stand-in. */
  async function opened<Row extends { session_id: string | null; input: SessionInput }>(rows: Row[]): Promise<Row[]> {
    const inputs = await personalData.inputsOf(database, rows);
    return rows.map((row, index) => ({ ...row, input: inputs[index]! }));
  }

  async function profile(accountId: string) {
    const account = await repository.accountOf(database, accountId);
    if (!account) throw notFound('account');
    const channels = await repository.channelsOf(database, accountId);
    return {
      id: account.id,
      name: personalData.accounts.accountPerson(account).name,
      always_verify: account.always_verify,
      channels: channels.map((channel) => ({
        id: channel.id,
        kind: channel.kind,
        masked: maskChannel(channel.kind, personalData.accounts.channelValue(channel) ?? '[erased]'),
        verified: channel.verified_at !== null,
        verified_at: channel.verified_at?.toISOString() ?? null,
      })),
    };
  }

  type PageRequest = { limit: number; cursor?: string | undefined };
  const afterOf = (page: PageRequest) =>
    page.cursor === undefined ? null : decodeCursor(page.cursor, timeAndIdCursor);

  /** GET /v1/me/purchases: one page, newest first, each with its invoice, delivery and claims. */
  async function purchases(accountId: string, page: PageRequest) {
    const orders = await opened(
      await repository.purchasePage(database, accountId, { limit: page.limit, after: afterOf(page) }),
    );
    const orderIds = orders.map((order) => order.id);
    const [invoices, claims, shipments] = await Promise.all([
      repository.invoicesOfOrders(database, orderIds),
      repository.claimsOfOrders(database, orderIds),
      shipmentsOfOrders(database, orderIds),
    ]);
    const invoiceByOrder = new Map(invoices.map((row) => [row.order_id, presentInvoice(normalise(row))]));
    return toPage(
      orders,
      page.limit,
      (order) => [order.placed_at.toISOString(), order.id],
      (order) => {
        const shipping = order.input.shipping_address ?? order.input.billing_address;
        return {
          id: order.id,
          merchant: order.merchant_name,
          merchant_reference: order.merchant_reference,
          amount: { value: Number(order.amount), currency: order.currency },
          status: order.status,
          placed_at: order.placed_at.toISOString(),
          items: (order.input.lines ?? []).map((line) => `${line.quantity} × ${line.name}`),
          delivery_address: shipping ? formatAddress(shipping) : null,
          // Only what carriers and the merchant reported: never "delivered" before a carrier says so.
          delivery: describeDelivery(shipments.filter((shipment) => shipment.order_id === order.id)),
          decision_id: order.decision_id,
          invoice: invoiceByOrder.get(order.id) ?? null,
          claims: claims
            .filter((claim) => claim.order_id === order.id)
            .map((claim) => ({
              kind: claim.kind,
              status: claim.status,
              text: describeClaim(claim.kind),
              created_at: claim.created_at.toISOString(),
              resolved_at: claim.resolved_at?.toISOString() ?? null,
            })),
        };
      },
    );
  }

  /** GET /v1/me/invoices: one page, newest first, each with the shop it is from and how to pay it. */
  async function invoices(accountId: string, page: PageRequest) {
    const rows = await repository.invoicePage(database, accountId, { limit: page.limit, after: afterOf(page) });
    // People know an invoice by the shop it is from, not by its id.
    const merchantByOrder = new Map(
      (
        await repository.merchantsOfOrders(
          database,
          rows.map((row) => row.order_id),
        )
      ).map((order) => [order.id, order.merchant_name]),
    );
    return toPage(
      rows,
      page.limit,
      (row) => [row.created_at.toISOString(), row.id],
      (row) => {
        const invoice = presentInvoice(normalise(row));
        return {
          ...invoice,
          merchant: merchantByOrder.get(invoice.order_id) ?? null,
          payment: paymentInstructions(invoice, dependencies.transfer),
        };
      },
    );
  }

  /** GET /v1/me/decisions: one page, newest first, with the reasons in plain language and any review asked for. */
  async function decisions(accountId: string, page: PageRequest, acceptLanguage?: string) {
    const [rows, reviews, account] = await Promise.all([
      repository.decisionPage(database, accountId, { limit: page.limit, after: afterOf(page) }),
      repository.reviewRequestsOf(database, accountId),
      repository.languageOf(database, accountId),
    ]);
    const language = chooseLanguage(account?.language, acceptLanguage);
    return toPage(
      rows,
      page.limit,
      (row) => [row.decided_at.toISOString(), row.id],
      (row) => ({
        id: row.id,
        outcome: row.outcome,
        summary: describeOutcome(row.outcome),
        merchant: row.merchant_name,
        amount: row.input.amount,
        decided_at: row.decided_at.toISOString(),
        // In the consumer's language from the catalogue; codes stay for support calls.
        reasons: row.reasons.map((reason) => ({
          code: reason.code,
          text: reasonText(language, reason.code, reason.message),
          // Only where the decision held up or refused the purchase: an approval needs no counterfactual.
          what_would_change: reviewableOutcomes.has(row.outcome) ? reasonChangeText(language, reason.code) : null,
        })),
        reviewable: reviewableOutcomes.has(row.outcome),
        // Kept server-side, so the request and its state are there again after signing out and back in.
        review: presentReview(reviews.find((review) => review.decision_id === row.id)),
      }),
    );
  }

  /** Every place this account's identity was used, from its orders and its decisions. */
  async function sightings(accountId: string): Promise<Sighting[]> {
    const [orders, decided] = await Promise.all([
      repository.purchasesOf(database, accountId).then(opened),
      repository.decisionsOf(database, accountId).then(opened),
    ]);
    return [
      ...orders.map((row) => ({ at: row.placed_at, input: row.input })),
      ...decided.filter((row) => !row.has_order).map((row) => ({ at: row.decided_at, input: row.input })),
    ].map(({ at, input }) => ({
      at,
      device: input.device,
      addresses: [
        ...(input.billing_address ? [{ address: input.billing_address, use: 'billing' as const }] : []),
        ...(input.shipping_address ? [{ address: input.shipping_address, use: 'shipping' as const }] : []),
      ],
    }));
  }

  /** Every device seen, merged from orders and decisions; the list route pages over it. */
  async function allDevices(accountId: string) {
    const disowned = new Set(
      (await repository.disownedOf(database, accountId)).map((row) => `${row.entity_kind}:${row.entity_value}`),
    );
    const byId = new Map<
      string,
      { id: string; user_agent: string | null; last_ip: string | null; first_seen: Date; last_seen: Date; uses: number }
    >();
    for (const sighting of await sightings(accountId)) {
      const id = sighting.device?.id;
      if (!id || disowned.has(`device:${id}`)) continue;
      const seen = byId.get(id) ?? {
        id,
        user_agent: null,
        last_ip: null,
        first_seen: sighting.at,
        last_seen: sighting.at,
        uses: 0,
      };
      seen.uses += 1;
      if (sighting.at <= seen.first_seen) seen.first_seen = sighting.at;
      if (sighting.at >= seen.last_seen) {
        seen.last_seen = sighting.at;
        seen.user_agent = sighting.device?.user_agent ?? seen.user_agent;
        seen.last_ip = sighting.device?.ip ?? seen.last_ip;
      }
      byId.set(id, seen);
    }
    return [...byId.values()].map((row) => ({
      ...row,
      name: deviceName(row.user_agent),
      first_seen: row.first_seen.toISOString(),
      last_seen: row.last_seen.toISOString(),
    }));
  }

  /** Every address used, merged from orders and decisions; the list route pages over it. */
  async function allAddresses(accountId: string) {
    const disowned = new Set(
      (await repository.disownedOf(database, accountId)).map((row) => `${row.entity_kind}:${row.entity_value}`),
    );
    const byKey = new Map<string, { key: string; text: string; uses: Set<string>; last_used: Date; times: number }>();
    for (const sighting of await sightings(accountId)) {
      for (const { address, use } of sighting.addresses) {
        const key = addressKey(address);
        if (disowned.has(`address:${key}`)) continue;
        const seen = byKey.get(key) ?? {
          key,
          text: formatAddress(address),
          uses: new Set<string>(),
          last_used: sighting.at,
          times: 0,
        };
        seen.uses.add(use);
        seen.times += 1;
        if (sighting.at >= seen.last_used) seen.last_used = sighting.at;
        byKey.set(key, seen);
      }
    }
    return [...byKey.values()].map((row) => ({
      key: row.key,
      text: row.text,
      uses: [...row.uses].sort(),
      times: row.times,
      last_used: row.last_used.toISOString(),
    }));
  }

  /** GET /v1/me/devices: one page, most recently seen first. */
  async function devices(accountId: string, page: PageRequest) {
    return pageInMemory(await allDevices(accountId), page, timeAndIdCursor, (row) => [row.last_seen, row.id] as const);
  }

  /** GET /v1/me/addresses: one page, most recently used first. */
  async function addresses(accountId: string, page: PageRequest) {
    return pageInMemory(
      await allAddresses(accountId),
      page,
      timeAndIdCursor,
      (row) => [row.last_used, row.key] as const,
    );
  }

  /** "Remove / this was not me": hidden from the portal, and flagged so the risk engine can treat it as suspect. */
  async function disownEntity(accountId: string, kind: 'device' | 'address', value: string) {
    const listed =
      kind === 'device'
        ? (await allDevices(accountId)).map((row) => row.id)
        : (await allAddresses(accountId)).map((row) => row.key);
    if (!listed.includes(value))
      throw new ApiError(404, 'not_found', `${kind} not found`, kind === 'device' ? 'device_id' : 'address_key');
    const at = new Date(clock.now());
    await database.transaction(async (tx) => {
      await repository.disown(tx, accountId, kind, value, at);
      await insertFlag(tx, {
        id: ids.next('flg'),
        kind,
        value,
        reason: 'disowned_by_consumer',
        caseId: null,
        accountId,
        at,
      });
    });
    return { removed: true, kind, value };
  }

  /** The right to human review of a decision about one's own purchase: opens a case with the decision as evidence. */
  async function requestReview(accountId: string, input: { decisionId: string; message: string }) {
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      const decision = (await repository.decisionsOf(tx, accountId)).find((row) => row.id === input.decisionId);
      if (!decision) throw new ApiError(404, 'not_found', 'decision not found', 'decision_id');
      const [order] = await tx.query<{ id: string }>('SELECT id FROM orders WHERE decision_id = $1', [decision.id]);
      const caseId = ids.next('cas');
      await insertCase(tx, {
        id: caseId,
        kind: 'review_request',
        claim_id: null,
        decision_id: decision.id,
        order_id: order?.id ?? null,
        account_id: accountId,
        merchant_id: decision.merchant_id,
        evidence: {
          decision: {
            id: decision.id,
            outcome: decision.outcome,
            reasons: decision.reasons,
            decided_at: decision.decided_at.toISOString(),
          },
          message: input.message,
        },
        opened_at: at,
        first_response_due_at: new Date(at.getTime() + dependencies.firstResponseHours * 3_600_000),
      });
      const answerDueAt = new Date(at.getTime() + (dependencies.reviewRequestSlaHours ?? 48) * 3_600_000);
      await tx.query('UPDATE cases SET answer_due_at = $2 WHERE id = $1', [caseId, answerDueAt]);
      await insertCaseEvent(tx, {
        id: ids.next('aud'),
        case_id: caseId,
        actor: `consumer:${accountId}`,
        action: 'opened',
        details: { review_of: decision.id, message: input.message },
        at,
      });
      return {
        case_id: caseId,
        status: 'open',
        first_response_due_at: new Date(at.getTime() + dependencies.firstResponseHours * 3_600_000).toISOString(),
        answer_due_at: answerDueAt.toISOString(),
      };
    });
  }

  return { profile, purchases, invoices, decisions, devices, addresses, disownEntity, requestReview };
}

function presentReview(review: ReviewRequestRow | undefined) {
  return review
    ? {
        status: review.status,
        message: review.message,
        requested_at: review.opened_at.toISOString(),
        answer_due_at: review.answer_due_at?.toISOString() ?? null,
        answered_at: review.resolved_at?.toISOString() ?? null,
        answer: answerOf(review.resolution),
      }
    : null;
}

export type PortalService = ReturnType<typeof makePortalService>;
type ReviewRequestRow = Awaited<ReturnType<typeof repository.reviewRequestsOf>>[number];
