// The case view: one queue item with everything an analyst needs to decide it: the decision record explained, the
// claim against the account on file, the account's identity timeline, linked entities, orders and contacts so far.
import type { PersonalData } from '../privacy/personal-data.ts';
import { z } from 'zod';
import type { Database } from '../storage/database.ts';
import { findDecision } from '../checkout/checkout.repository.ts';
import type { ServingModel } from '../training/model.artifact.ts';
import type { PortalService } from '../portal/portal.service.ts';
import { listAudit } from '../staff/audit.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import { decisionExplanationSchema, explainDecision, addressLine } from './decision.explanation.ts';
import { queueItemSchema, type WorkQueue } from './work-queue.service.ts';
import * as repository from './case-view.repository.ts';

export const caseViewSchema = z.object({
  item: queueItemSchema,
  decision: decisionExplanationSchema.nullable(),
  account: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      address: z.string().nullable(),
      created_at: z.string(),
      channels: z.array(
        z.object({ id: z.string(), kind: z.string(), value: z.string(), verified_at: z.string().nullable() }),
      ),
      devices: z.array(z.object({ id: z.string(), user_agent: z.string().nullable(), last_seen: z.string() })),
      addresses: z.array(z.object({ key: z.string(), text: z.string(), last_used: z.string() })),
    })
    .nullable(),
  timeline: z.array(z.object({ at: z.string(), kind: z.string(), detail: z.string().nullable() })),
  linked_entities: z.array(
    z.object({ kind: z.string(), value: z.string(), orders: z.number(), other_accounts: z.array(z.string()) }),
  ),
  orders: z.array(
    z.object({
      id: z.string(),
      merchant: z.string().nullable(),
      amount: z.object({ value: z.number(), currency: z.string() }),
      status: z.string(),
      placed_at: z.string(),
      invoice: z.object({ id: z.string(), status: z.string() }).nullable(),
    }),
  ),
  contacts: z.array(
    z.object({
      id: z.string(),
      order_id: z.string(),
      question: z.string(),
      asked_by: z.string(),
      asked_at: z.string(),
      answer: z.string().nullable(),
      answered_at: z.string().nullable(),
    }),
  ),
  audit: z.array(z.object({ actor: z.string(), action: z.string(), at: z.string() })),
});
export type CaseView = z.infer<typeof caseViewSchema>;

interface AccountOrderRow {
  id: string;
  merchant_name: string | null;
  amount: string | number;
  currency: string;
  status: string;
  placed_at: Date;
  invoice_id: string | null;
  invoice_status: string | null;
}

export function makeCaseView(dependencies: {
  database: Database;
  queue: WorkQueue;
  portal: Pick<PortalService, 'devices' | 'addresses'>;
  /** The loaded model with this version, if it still is (champion or challenger). */
  modelFor: (version: string | null) => ServingModel | null;
  /** Opens sealed session inputs: the decision's claim and the values behind this account's pseudonyms. */
  personalData: PersonalData;
}) {
  const { database, queue, portal, personalData } = dependencies;

  async function decisionOf(decisionId: string | null, decidedAt: Date | null = null) {
    if (decisionId === null) return null;
    const decision = await findDecision(database, decisionId, decidedAt);
    if (!decision) return null;
    const [input] = await personalData.inputsOf(database, [decision]);
    return explainDecision({ ...decision, input }, dependencies.modelFor(decision.versions.model));
  }

  /**
   * Orders keep pseudonyms of devices, IPs and addresses, so links between accounts are found without the values;
   * the analyst reads the values of this account's own ones, opened from its sessions.
   */
  async function readableValues(accountId: string): Promise<Map<string, string>> {
    const [rows, channels] = await Promise.all([
      repository.storedOrdersOf(database, accountId),
      repository.channelsOnFile(database, accountId),
    ]);
    const inputs = await personalData.inputsOf(database, rows);
    const values = new Map<string, string>();
    // The timeline names channels by pseudonym (channels keep no value in plain): the analyst reads kind and value.
    for (const channel of channels) {
      const value = personalData.accounts.channelValue(channel);
      if (channel.value_pseudonym && value !== null) values.set(channel.value_pseudonym, `${channel.kind} ${value}`);
    }
    for (const input of inputs) {
      const pseudonyms = personalData.pseudonymsOf(input);
      const delivery = input.shipping_address ?? input.billing_address;
      if (pseudonyms.device && input.device?.id) values.set(pseudonyms.device, input.device.id);
      if (pseudonyms.ip && input.device?.ip) values.set(pseudonyms.ip, input.device.ip);
      const deliveryPseudonym = pseudonyms.shipping_address ?? pseudonyms.billing_address;
      values.set(deliveryPseudonym, [delivery.street, delivery.house_number, delivery.postal_code].join(' '));
    }
    return values;
  }

  async function accountView(accountId: string): Promise<CaseView['account']> {
    const account = await repository.accountOnFile(database, accountId);
    if (!account) return null;
    const [channels, devices, addresses] = await Promise.all([
      repository.channelsOnFile(database, accountId),
      portal.devices(accountId, { limit: 200 }), // the 200 most recent: a case view, not an export
      portal.addresses(accountId, { limit: 200 }),
    ]);
    const person = personalData.accounts.accountPerson(account);
    return {
      id: account.id,
      name: person.name,
      email: person.email,
      phone: person.phone,
      address: addressLine(person.address as Parameters<typeof addressLine>[0]),
      created_at: account.created_at.toISOString(),
      channels: channels.map((channel) => ({
        id: channel.id,
        kind: channel.kind,
        value: personalData.accounts.channelValue(channel) ?? '[erased]',
        verified_at: channel.verified_at?.toISOString() ?? null,
      })),
      devices: devices.data.map((device) => ({
        id: device.id,
        user_agent: device.user_agent,
        last_seen: device.last_seen,
      })),
      addresses: addresses.data.map((address) => ({
        key: address.key,
        text: address.text,
        last_used: address.last_used,
      })),
    };
  }

  async function ordersOf(accountId: string): Promise<CaseView['orders']> {
    const rows = await database.query<AccountOrderRow>(
      `SELECT o.id, COALESCE(m.name, o.merchant_name) AS merchant_name, o.amount, o.currency, o.status, o.placed_at,
         i.id AS invoice_id, i.status AS invoice_status
       FROM orders o LEFT JOIN merchants m ON m.id = o.merchant_id LEFT JOIN invoices i ON i.order_id = o.id
       WHERE o.account_id = $1 ORDER BY o.placed_at DESC LIMIT 50`,
      [accountId],
    );
    return rows.map((row) => ({
      id: row.id,
      merchant: row.merchant_name,
      amount: { value: Number(row.amount), currency: row.currency },
      status: row.status,
      placed_at: row.placed_at.toISOString(),
      invoice: row.invoice_id ? { id: row.invoice_id, status: row.invoice_status ?? 'unknown' } : null,
    }));
  }

  async function get(member: StaffMember, itemId: string): Promise<CaseView> {
    const { item, decisionDecidedAt } = await queue.itemWithDecisionTime(member, itemId);
    const accountId = item.account_id;
    const [decision, account, timeline, linked, orders, contacts, audit] = await Promise.all([
      decisionOf(item.decision_id, decisionDecidedAt),
      accountId ? accountView(accountId) : null,
      accountId ? repository.identityTimeline(database, accountId, 200) : [],
      accountId ? repository.linkedEntities(database, accountId) : [],
      accountId ? ordersOf(accountId) : [],
      accountId ? repository.contactsOf(database, accountId) : [],
      listAudit(database, { subject: itemId, after: undefined, limit: 100 }),
    ]);
    const values = accountId ? await readableValues(accountId) : new Map<string, string>();
    const readable = (value: string | null) => (value === null ? null : (values.get(value) ?? value));
    return {
      item,
      decision,
      account,
      timeline: timeline.map((entry) => ({
        at: entry.at.toISOString(),
        kind: entry.kind,
        detail: readable(entry.detail),
      })),
      linked_entities: linked.map((entity) => ({
        kind: entity.kind,
        value: readable(entity.value) ?? entity.value,
        orders: Number(entity.orders),
        other_accounts: entity.other_accounts ?? [],
      })),
      orders,
      contacts: contacts.map((contact) => ({
        id: contact.id,
        order_id: contact.order_id,
        question: contact.question,
        asked_by: contact.asked_by,
        asked_at: contact.asked_at.toISOString(),
        answer: contact.answer,
        answered_at: contact.answered_at?.toISOString() ?? null,
      })),
      audit: audit.data.map((entry) => ({ actor: entry.actor, action: entry.action, at: entry.at })),
    };
  }

  return { get, decision: (decisionId: string | null) => decisionOf(decisionId) };
}

export type CaseViewService = ReturnType<typeof makeCaseView>;
