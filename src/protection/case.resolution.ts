// Resolving a case: fraud confirmed (write off, label, flag linked entities), upheld (write off) or rejected (resume, explain, appeal).
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { lockInvoiceByOrder, resumeInvoice, writeOffInvoice } from '../invoicing/invoice.transitions.ts';
import { enqueueConsumerNotice } from './consumer.notice.ts';
import { enqueue } from '../outbox/outbox.ts';

/** Refund instructions for the payment processor. */
export const refundTopic = 'payment.refund';
import * as repository from './protection.repository.ts';
import type { CaseResolution, CaseRow } from './protection.repository.ts';
import { openCaseEvidence, type CaseEvidence } from './case.evidence.ts';
import type { PersonalData } from '../privacy/personal-data.ts';

/** The entities an attacker used on a confirmed fraud, as (kind, value) pairs to flag. */
export function entitiesToFlag(evidence: Partial<CaseEvidence>): Array<{ kind: string; value: string }> {
  const entities: Array<{ kind: string; value: string | null | undefined }> = [
    { kind: 'device', value: evidence.device?.id },
    { kind: 'ip', value: evidence.ip },
    { kind: 'email', value: evidence.claimed_identity?.email?.toLowerCase() },
    { kind: 'phone', value: evidence.claimed_identity?.phone?.replace(/[^0-9+]/g, '') },
  ];
  const address = evidence.shipping_address;
  if (address) {
    const normalised = [address.postal_code, address.house_number, address.country]
      .map((part) => part.replace(/\s+/g, '').toUpperCase())
      .join('|');
    entities.push({ kind: 'address', value: normalised });
  }
  return entities.filter((entity): entity is { kind: string; value: string } => Boolean(entity.value));
}

/** A review request asks a person to look at a decision again; its outcomes read differently from a claim's. */
const reviewText: Record<CaseResolution, string> = {
  fraud_confirmed: 'A person reviewed the decision about your purchase: it was not you, and you will not pay anything.',
  claim_upheld: 'A person reviewed the decision about your purchase and agreed with you.',
  rejected: 'A person reviewed the decision about your purchase and it stands.',
};

const consumerText: Record<CaseResolution, string> = {
  fraud_confirmed:
    'We confirmed that you did not place this order. You will not pay anything for it, and we have blocked what the fraudster used.',
  claim_upheld: 'We agreed with your report. You will not pay anything for this order.',
  rejected: 'We looked into your report and could not confirm it, so the invoice is active again.',
};

export async function resolveCase(
  tx: SqlExecutor,
  ids: Ids,
  personalData: PersonalData,
  caseRow: CaseRow,
  resolution: { outcome: CaseResolution; note: string; actor: string; at: Date },
): Promise<HistoryEvent[]> {
  const { outcome, at } = resolution;
  const events: HistoryEvent[] = [];
  await tx.query(
    `UPDATE cases SET status = 'resolved', resolution = $2, resolution_note = $3, resolved_at = $4,
       first_responded_at = COALESCE(first_responded_at, $4) WHERE id = $1`,
    [caseRow.id, outcome, resolution.note, at],
  );
  if (caseRow.claim_id) {
    await tx.query('UPDATE claims SET status = $2, resolved_at = $3 WHERE id = $1', [
      caseRow.claim_id,
      outcome === 'rejected' ? 'rejected' : 'upheld',
      at,
    ]);
  }
  const invoice = caseRow.order_id && caseRow.kind === 'claim' ? await lockInvoiceByOrder(tx, caseRow.order_id) : null;
  let invoiceEvent: 'invoice.resumed' | 'invoice.written_off' | null = null;
  if (invoice && outcome === 'rejected' && (await resumeInvoice(tx, invoice, at))) invoiceEvent = 'invoice.resumed';
  let refund = 0;
  const writtenOff = invoice && outcome !== 'rejected' ? await writeOffInvoice(tx, invoice) : null;
  if (invoice && writtenOff) {
    invoiceEvent = 'invoice.written_off';
    refund = writtenOff.refund;
    // The processor adapter drains this topic; until one is wired, the instruction waits in the outbox.
    if (refund > 0) {
      await enqueue(tx, ids, {
        topic: refundTopic,
        recipient: invoice.id,
        payload: { invoice_id: invoice.id, order_id: invoice.order_id, amount: refund, currency: invoice.currency },
        at,
      });
    }
  }

  if (caseRow.order_id && caseRow.kind === 'claim') {
    const orderStatus = { fraud_confirmed: 'fraud_confirmed', claim_upheld: 'claim_upheld', rejected: 'approved' }[
      outcome
    ];
    await tx.query('UPDATE orders SET status = $2 WHERE id = $1', [caseRow.order_id, orderStatus]);
  }
  if (outcome === 'fraud_confirmed' && caseRow.order_id) {
    // The label's time is when it became known: training may only use it for decisions made after.
    await tx.query(
      `INSERT INTO labels (id, order_id, label, typology, known_at) VALUES ($1, $2, 'fraud_third_party', $3, $4)`,
      [ids.next('lbl'), caseRow.order_id, 'identity_misuse', at],
    );
    events.push({ kind: 'label', orderId: caseRow.order_id, at: at.getTime(), label: 'fraud_third_party' });
    // The values are opened now (the case keeps references): a person already erased has nothing left to flag.
    const evidence = await openCaseEvidence(tx, personalData, caseRow.evidence);
    for (const entity of entitiesToFlag(evidence as Partial<CaseEvidence>)) {
      await repository.insertFlag(tx, {
        id: ids.next('flg'),
        kind: entity.kind,
        value: entity.value,
        reason: 'fraud_third_party',
        caseId: caseRow.id,
        accountId: caseRow.account_id,
        at,
      });
    }
  }

  const data = { case_id: caseRow.id, order_id: caseRow.order_id, outcome };
  await enqueueWebhook(tx, ids, { merchantId: caseRow.merchant_id, event: 'case.resolved', payload: data, at });
  if (invoiceEvent && invoice) {
    await enqueueWebhook(tx, ids, {
      merchantId: caseRow.merchant_id,
      event: invoiceEvent,
      payload: { invoice_id: invoice.id, order_id: invoice.order_id, reason: `case_${outcome}` },
      at,
    });
  }
  const appeal =
    outcome === 'rejected'
      ? ' Our reason: ' +
        resolution.note +
        ' If you disagree, ask for a human review in your account (Checks & decisions, "Ask for a human review") or reply to ' +
        'this message: a person who did not handle this case will look again. You never need a police report.'
      : '';
  const refundText =
    refund > 0 && invoice
      ? ` The ${invoice.currency} ${(refund / 100).toFixed(2)} you already paid will be refunded.`
      : '';
  await enqueueConsumerNotice(tx, ids, personalData.accounts, {
    accountId: caseRow.account_id,
    template: outcome === 'rejected' ? 'claim_rejected' : 'claim_upheld',
    text: (caseRow.kind === 'review_request' ? reviewText : consumerText)[outcome] + refundText + appeal,
    data: { ...data, reason: resolution.note },
    at,
  });
  await repository.insertCaseEvent(tx, {
    id: ids.next('aud'),
    case_id: caseRow.id,
    actor: resolution.actor,
    action: 'resolved',
    details: { outcome, note: resolution.note, invoice: invoiceEvent },
    at,
  });
  return events;
}
