// Files a consumer's claim in the caller's transaction: pause the invoice, mark the order, tell the merchant, open a case.
import type { PersonalData } from '../privacy/personal-data.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { lockInvoiceByOrder, pauseInvoice } from '../invoicing/invoice.transitions.ts';
import { gatherEvidence } from './case.evidence.ts';
import { enqueueConsumerNotice } from './consumer.notice.ts';
import * as repository from './protection.repository.ts';
import type { ClaimKind, ClaimSource } from './protection.repository.ts';

export interface ClaimDependencies {
  readonly ids: Ids;
  /** Opens the order's session input (sealed under its subject's key) for the merchant's hold and the evidence. */
  readonly personalData: PersonalData;
  /** Target for an analyst's first response; the case's SLA timer. */
  readonly firstResponseHours?: number;
}

export interface ClaimRequest {
  readonly orderId: string;
  readonly kind: ClaimKind;
  readonly source: ClaimSource;
  /** The account the claim is made for; must own the order. */
  readonly accountId: string;
  readonly at: Date;
  readonly message?: string | null;
}

export type ClaimOutcome =
  | {
      readonly outcome: 'filed' | 'already_filed';
      readonly claimId: string;
      readonly caseId: string;
      readonly invoiceId: string | null;
      readonly invoiceStatus: string | null;
    }
  | { readonly outcome: 'order_not_found' };

export const defaultFirstResponseHours = 4;

/**
 * Everything happens in `tx`, so the consumer's report, the pause and the merchant's hold-shipment webhook
 * commit together: once the claim is acknowledged, no reminder, fee or collection can follow.
 * A second claim of the same kind on an order returns the first (a double click, the link and the portal).
 */
export async function fileClaim(
  tx: SqlExecutor,
  dependencies: ClaimDependencies,
  request: ClaimRequest,
): Promise<ClaimOutcome> {
  const { ids } = dependencies;
  const { at } = request;
  const locked = await repository.lockOrder(tx, request.orderId);
  const order = locked && { ...locked, input: (await dependencies.personalData.inputsOf(tx, [locked]))[0]! };
  // Someone else's order looks exactly like a missing one: no hint that it exists.
  if (!order || order.account_id !== request.accountId) return { outcome: 'order_not_found' };
  const invoice = await lockInvoiceByOrder(tx, order.id);

  const existing = await repository.findClaim(tx, order.id, request.kind);
  if (existing) {
    const existingCase = await repository.findCaseByClaim(tx, existing.id);
    return {
      outcome: 'already_filed',
      claimId: existing.id,
      caseId: existingCase?.id ?? '',
      invoiceId: invoice?.id ?? null,
      invoiceStatus: invoice?.status ?? null,
    };
  }

  const claimId = ids.next('clm');
  await repository.insertClaim(tx, {
    id: claimId,
    order_id: order.id,
    account_id: order.account_id,
    kind: request.kind,
    source: request.source,
    message: request.message ?? null,
    status: 'open',
    created_at: at,
  });
  // Every kind pauses collection while we look: nobody pays for what they say they did not order or receive.
  const paused = invoice ? await pauseInvoice(tx, invoice, at) : false;
  await tx.query(`UPDATE orders SET status = 'claimed' WHERE id = $1`, [order.id]);

  const shipping = order.input.shipping_address ?? order.input.billing_address;
  const orderData = {
    order_id: order.id,
    merchant_reference: order.input.merchant_reference ?? null,
    claim_id: claimId,
    claim_kind: request.kind,
  };
  await enqueueWebhook(tx, ids, { merchantId: order.merchant_id, event: 'order.claimed', payload: orderData, at });
  if (request.kind === 'not_mine') {
    const hold = { ...orderData, reason: 'consumer_reports_not_mine', delivery_address: shipping ?? null };
    await enqueueWebhook(tx, ids, { merchantId: order.merchant_id, event: 'order.hold_shipment', payload: hold, at });
    await enqueueWebhook(tx, ids, {
      merchantId: order.merchant_id,
      event: 'order.lock_delivery_address',
      payload: hold,
      at,
    });
  }
  if (paused && invoice) {
    await enqueueWebhook(tx, ids, {
      merchantId: order.merchant_id,
      event: 'invoice.paused',
      payload: { invoice_id: invoice.id, order_id: order.id, reason: `claim_${request.kind}` },
      at,
    });
  }

  const caseId = ids.next('cas');
  const hours = dependencies.firstResponseHours ?? defaultFirstResponseHours;
  await repository.insertCase(tx, {
    id: caseId,
    kind: 'claim',
    claim_id: claimId,
    decision_id: order.decision_id,
    order_id: order.id,
    account_id: order.account_id,
    merchant_id: order.merchant_id,
    evidence: await gatherEvidence(tx, order, dependencies.personalData),
    opened_at: at,
    first_response_due_at: new Date(at.getTime() + hours * 3_600_000),
  });
  await repository.insertCaseEvent(tx, {
    id: ids.next('aud'),
    case_id: caseId,
    actor: `consumer:${order.account_id}`,
    action: 'opened',
    details: { claim_id: claimId, kind: request.kind, source: request.source, invoice_paused: paused },
    at,
  });
  await enqueueConsumerNotice(tx, ids, dependencies.personalData.accounts, {
    accountId: order.account_id,
    template: 'claim_received',
    text:
      'We received your report. You do not have to pay this invoice while we look into it, and you do not need ' +
      'to file a police report. We will tell you the outcome.',
    data: { claim_id: claimId, order_id: order.id, kind: request.kind },
    at,
  });
  return {
    outcome: 'filed',
    claimId,
    caseId,
    invoiceId: invoice?.id ?? null,
    invoiceStatus: paused ? 'paused' : (invoice?.status ?? null),
  };
}
