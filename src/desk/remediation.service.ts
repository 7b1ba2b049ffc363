// What an analyst does about a case besides deciding it: hold the shipment, pause or write off the invoice (refunding
// what was paid), unlink a device or address from the account, and ask the real customer through their verified
// channel, recording the answer as a label. Each action is one transaction with its audit entry.
import type { PersonalData } from '../privacy/personal-data.ts';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import { recordAudit } from '../staff/audit.ts';
import { enqueueWebhook } from '../webhooks/webhook.enqueue.ts';
import { enqueue } from '../outbox/outbox.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { channelForNotice } from '../notify/on-file-channel.ts';
import { lockInvoiceByOrder, pauseInvoice, writeOffInvoice } from '../invoicing/invoice.transitions.ts';
import { refundTopic } from '../protection/case.resolution.ts';
import type { PortalService } from '../portal/portal.service.ts';

export const contactAnswers = ['confirmed_mine', 'not_mine'] as const;
export type ContactAnswer = (typeof contactAnswers)[number];

export const remediationResultSchema = z.object({
  action: z.string(),
  subject: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

interface OrderRow {
  id: string;
  merchant_id: string | null;
  account_id: string;
  status: string;
  session_id: string | null;
  input: { merchant_reference?: string; shipping_address?: unknown; billing_address?: unknown };
}

/** What the answer means for training: the customer's own word, known from the moment they gave it. */
const labelOf = { confirmed_mine: 'legit', not_mine: 'fraud_third_party' } as const;

export function makeRemediation(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: Pick<RiskEngine, 'record'>;
  portal: Pick<PortalService, 'disownEntity'>;
  /** Opens the order's session input: the delivery address the merchant must hold. */
  personalData: PersonalData;
}) {
  const { database, clock, ids } = dependencies;

  async function audited<T>(
    member: StaffMember,
    action: string,
    subject: string,
    work: (tx: SqlExecutor, at: Date) => Promise<{ before: unknown; after: unknown; result?: T }>,
  ) {
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      const { before, after } = await work(tx, at);
      await recordAudit(tx, ids, { staffId: member.id, actor: member.name, action, subject, before, after, at });
      return { action, subject, before, after };
    });
  }

  async function lockedOrder(tx: SqlExecutor, orderId: string): Promise<OrderRow> {
    const [order] = await tx.query<OrderRow>(
      'SELECT id, merchant_id, account_id, status, session_id, input FROM orders WHERE id = $1 FOR UPDATE',
      [orderId],
    );
    if (!order) throw notFound('order');
    const [input] = await dependencies.personalData.inputsOf(tx, [order]);
    return { ...order, input: input! };
  }

  /** Tells the merchant not to ship (or to stop the parcel): the same webhook a "not mine" claim sends. */
  const holdShipment = (member: StaffMember, orderId: string, reason: string) =>
    audited(member, 'order.hold_shipment', orderId, async (tx, at) => {
      const order = await lockedOrder(tx, orderId);
      await enqueueWebhook(tx, ids, {
        merchantId: order.merchant_id,
        event: 'order.hold_shipment',
        payload: {
          order_id: order.id,
          merchant_reference: order.input.merchant_reference ?? null,
          reason: 'analyst_hold',
          note: reason,
          delivery_address: order.input.shipping_address ?? order.input.billing_address ?? null,
        },
        at,
      });
      return { before: { status: order.status }, after: { hold_shipment_sent: true, reason } };
    });

  const pause = (member: StaffMember, orderId: string) =>
    audited(member, 'invoice.pause', orderId, async (tx, at) => {
      const order = await lockedOrder(tx, orderId);
      const invoice = await lockInvoiceByOrder(tx, orderId);
      if (!invoice) throw new ApiError(409, 'no_invoice', 'this order has no invoice');
      if (!(await pauseInvoice(tx, invoice, at))) {
        throw new ApiError(409, 'invoice_not_pausable', `an invoice that is ${invoice.status} cannot be paused`);
      }
      await enqueueWebhook(tx, ids, {
        merchantId: order.merchant_id,
        event: 'invoice.paused',
        payload: { invoice_id: invoice.id, order_id: order.id, reason: 'analyst_pause' },
        at,
      });
      return { before: { invoice: invoice.id, status: invoice.status }, after: { status: 'paused' } };
    });

  /** The consumer owes nothing; anything already paid goes back through the processor's refund instruction. */
  const writeOff = (member: StaffMember, orderId: string, note: string) =>
    audited(member, 'invoice.write_off', orderId, async (tx, at) => {
      const order = await lockedOrder(tx, orderId);
      const invoice = await lockInvoiceByOrder(tx, orderId);
      if (!invoice) throw new ApiError(409, 'no_invoice', 'this order has no invoice');
      const writtenOff = await writeOffInvoice(tx, invoice);
      if (!writtenOff) {
        throw new ApiError(
          409,
          'invoice_not_writable_off',
          `an invoice that is ${invoice.status} cannot be written off`,
        );
      }
      if (writtenOff.refund > 0) {
        await enqueue(tx, ids, {
          topic: refundTopic,
          recipient: invoice.id,
          payload: {
            invoice_id: invoice.id,
            order_id: order.id,
            amount: writtenOff.refund,
            currency: invoice.currency,
          },
          at,
        });
      }
      await enqueueWebhook(tx, ids, {
        merchantId: order.merchant_id,
        event: 'invoice.written_off',
        payload: { invoice_id: invoice.id, order_id: order.id, reason: 'analyst_write_off' },
        at,
      });
      return {
        before: { invoice: invoice.id, status: invoice.status, paid: invoice.paid_amount },
        after: { status: 'written_off', refund: writtenOff.refund, note },
      };
    });

  /** Same effect as the consumer's own "this was not me" in the portal: hidden there, flagged for the engine. */
  async function unlink(member: StaffMember, accountId: string, kind: 'device' | 'address', value: string) {
    await dependencies.portal.disownEntity(accountId, kind, value);
    return audited(member, `account.unlink_${kind}`, accountId, async () => ({
      before: { [kind]: value, linked: true },
      after: { [kind]: value, linked: false },
    }));
  }

  /** Asks the account holder on the channel they verified before (never one typed at a checkout). */
  const contact = (member: StaffMember, accountId: string, request: { orderId: string; question: string }) =>
    audited(member, 'account.contact', accountId, async (tx, at) => {
      const order = await lockedOrder(tx, request.orderId);
      if (order.account_id !== accountId)
        throw new ApiError(409, 'order_not_of_account', 'order is not this account’s');
      const channel = await channelForNotice(tx, dependencies.personalData.accounts, accountId);
      if (!channel) {
        throw new ApiError(409, 'no_verified_channel', 'this account has no verified channel; send a letter instead');
      }
      const contactId = ids.next('dct');
      await enqueueNotification(
        tx,
        ids,
        {
          channel: channel.kind === 'email' ? 'email' : 'sms',
          to: channel.value,
          subject: 'A question about a recent order',
          text: `${request.question}\n\nOrder ${order.input.merchant_reference ?? order.id}. Reply to this message; our fraud team reads it.`,
          kind: 'desk_question',
        },
        at,
      );
      await tx.query(
        `INSERT INTO desk_contacts (id, account_id, order_id, channel_id, question, asked_by, asked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [contactId, accountId, order.id, channel.id, request.question, member.name, at],
      );
      return { before: null, after: { contact_id: contactId, order_id: order.id, channel: channel.kind } };
    });

  /** Records what the customer answered; the label feeds training and the online state from now on. */
  async function answer(member: StaffMember, contactId: string, given: ContactAnswer) {
    const events: HistoryEvent[] = [];
    const result = await audited(member, 'contact.answer', contactId, async (tx, at) => {
      const [row] = await tx.query<{ order_id: string; answer: string | null }>(
        'SELECT order_id, answer FROM desk_contacts WHERE id = $1 FOR UPDATE',
        [contactId],
      );
      if (!row) throw notFound('contact');
      if (row.answer !== null) throw new ApiError(409, 'contact_answered', 'this question already has its answer');
      const labelId = ids.next('lbl');
      await tx.query(`INSERT INTO labels (id, order_id, label, typology, known_at) VALUES ($1, $2, $3, $4, $5)`, [
        labelId,
        row.order_id,
        labelOf[given],
        given === 'not_mine' ? 'identity_misuse' : null,
        at,
      ]);
      await tx.query('UPDATE desk_contacts SET answer = $2, answered_at = $3, label_id = $4 WHERE id = $1', [
        contactId,
        given,
        at,
        labelId,
      ]);
      events.push({ kind: 'label', orderId: row.order_id, at: at.getTime(), label: labelOf[given] });
      return { before: { answer: null }, after: { answer: given, label: labelOf[given], label_id: labelId } };
    });
    for (const event of events) await dependencies.engine.record(event);
    return result;
  }

  return { holdShipment, pause, writeOff, unlink, contact, answer };
}

export type Remediation = ReturnType<typeof makeRemediation>;
