// Pure mapping of one batch of import records to the rows to insert and the history events they imply.
import type { Ids } from '../shared/ids.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import type { KeptInput } from '../privacy/personal-data.ts';
import type { ImportAccount, ImportOrder, ImportRecord } from './import.schema.ts';
import type { RejectedLine } from './import.parser.ts';

/** An imported order row: its whole input until sealing (import.sealing.ts) leaves it the person-free copy. */
export interface ImportedOrderRow {
  id: string;
  merchant_name: string | null;
  account_id: string;
  external_id: string | null;
  merchant_reference: string | null;
  amount: number;
  currency: string;
  input: SessionInput | KeptInput;
  session_id: string | null;
  source: 'import';
  status: string;
  placed_at: string;
}

export interface BatchRows {
  accounts: object[];
  channels: object[];
  orders: ImportedOrderRow[];
  invoices: object[];
  payments: object[];
  labels: object[];
  events: HistoryEvent[];
  /** Channels of imported accounts whose line did not say whether they were verified: decided by paid history. */
  verifyByHistory: string[];
  rejected: RejectedLine[];
}

interface BatchContext {
  /** external id -> internal id, for accounts and orders already stored. */
  readonly knownAccounts: Map<string, string>;
  readonly knownOrders: Map<string, string>;
  readonly ids: Ids;
  readonly invoiceDueDays: number;
}

const dayMilliseconds = 86_400_000;

const orderStatus: Record<ImportOrder['outcome'], string> = {
  paid_on_time: 'paid',
  paid_late: 'paid',
  unpaid: 'unpaid',
  fraud_confirmed: 'fraud',
  open: 'approved',
};
const invoiceStatus: Record<ImportOrder['outcome'], string> = {
  paid_on_time: 'paid',
  paid_late: 'paid',
  unpaid: 'unpaid',
  fraud_confirmed: 'written_off',
  open: 'open',
};

/**
 * An import may leave the billing address out; the live API never does. A per-account placeholder stands for
 * "unknown": never new for that account and never shared with another, so it signals nothing to the features.
 */
export function unknownAddress(accountId: string): SessionInput['billing_address'] {
  return { street: 'unknown', house_number: '0', postal_code: accountId, city: 'unknown', country: 'ZZ' };
}

/** Imported orders keep what they have; the session shape fills the gaps so the same feature code reads them. */
function toSessionInput(record: ImportOrder, accountId: string): SessionInput {
  return {
    amount: record.amount,
    merchant_reference: record.merchant_reference ?? record.id ?? 'import',
    lines: record.lines ?? [],
    customer: {
      name: record.customer?.name ?? '',
      email: record.customer?.email ?? '',
      phone: record.customer?.phone ?? '',
      ...(record.customer?.date_of_birth ? { date_of_birth: record.customer.date_of_birth } : {}),
    },
    billing_address: record.billing_address ?? unknownAddress(accountId),
    ...(record.shipping_address ? { shipping_address: record.shipping_address } : {}),
    ...(record.device ? { device: record.device } : {}),
    ...(record.extra_merchant_data ? { extra_merchant_data: record.extra_merchant_data } : {}),
    ...(record.merchant_account ? { merchant_account: record.merchant_account } : {}),
  };
}

export function buildBatchRows(
  batch: readonly { line: number; record: ImportRecord }[],
  context: BatchContext,
): BatchRows {
  const rows: BatchRows = {
    accounts: [],
    channels: [],
    orders: [],
    invoices: [],
    payments: [],
    labels: [],
    events: [],
    verifyByHistory: [],
    rejected: [],
  };
  const accounts = context.knownAccounts;
  const orders = context.knownOrders;

  const addAccount = (
    externalId: string | null,
    details: {
      name?: string;
      email?: string;
      phone?: string;
      date_of_birth?: string;
      address?: ImportAccount['address'];
    },
    createdAt: string,
    verified: { email?: string | null; phone?: string | null } | 'unverified',
  ): string => {
    const accountId = context.ids.next('acc');
    const at = Date.parse(createdAt);
    rows.accounts.push({
      id: accountId,
      external_id: externalId,
      name: details.name ?? null,
      email: details.email ?? null,
      phone: details.phone ?? null,
      date_of_birth: details.date_of_birth ?? null,
      address: details.address ?? null,
      created_at: createdAt,
    });
    rows.events.push({
      kind: 'account',
      accountId,
      at,
      name: details.name ?? null,
      email: details.email ?? null,
      phone: details.phone ?? null,
      dateOfBirth: details.date_of_birth ?? null,
      address: details.address ?? null,
    });
    for (const [kind, value] of [
      ['email', details.email],
      ['phone', details.phone],
    ] as const) {
      if (!value) continue;
      const channelId = context.ids.next('chn');
      // A guest's typed channels prove nothing. An account's channel is verified when its line says so; when the
      // line is silent, paid history decides after the import (a ghost account's channels are the attacker's).
      const stated = verified === 'unverified' ? null : verified[kind];
      const verifiedAt = stated ?? null;
      if (verified !== 'unverified' && stated === undefined) rows.verifyByHistory.push(channelId);
      rows.channels.push({
        id: channelId,
        account_id: accountId,
        kind,
        value,
        verified_at: verifiedAt,
        created_at: createdAt,
      });
      rows.events.push({
        kind: 'channel',
        accountId,
        channelId,
        channel: kind,
        value,
        verifiedAt: verifiedAt ? Date.parse(verifiedAt) : null,
        at,
      });
    }
    if (externalId !== null) accounts.set(externalId, accountId);
    return accountId;
  };

  for (const { line, record } of batch) {
    if (record.type === 'account') {
      if (accounts.has(record.id)) {
        rows.rejected.push({ line, error: `duplicate_account: account ${record.id} was already imported` });
        continue;
      }
      addAccount(record.id, record, record.created_at, {
        email: record.email_verified_at,
        phone: record.phone_verified_at,
      });
      continue;
    }
    if (record.id && orders.has(record.id)) {
      rows.rejected.push({ line, error: `duplicate_order: order ${record.id} was already imported` });
      continue;
    }
    let accountId: string | undefined;
    if (record.account_id) {
      accountId = accounts.get(record.account_id);
      if (!accountId) {
        rows.rejected.push({
          line,
          error: `unknown_account: account_id ${record.account_id} is not imported (accounts come before their orders)`,
        });
        continue;
      }
    } else {
      const email = record.customer?.email;
      const key = email ? `guest:${email.trim().toLowerCase()}` : null;
      accountId =
        (key ? accounts.get(key) : undefined) ??
        addAccount(key, { ...record.customer, address: record.billing_address }, record.placed_at, 'unverified');
    }
    const orderId = context.ids.next('ord');
    if (record.id) orders.set(record.id, orderId);
    const placedAt = Date.parse(record.placed_at);
    const session = toSessionInput(record, accountId);
    rows.orders.push({
      id: orderId,
      merchant_name: record.merchant ?? null,
      account_id: accountId,
      external_id: record.id ?? null,
      merchant_reference: record.merchant_reference ?? null,
      amount: record.amount.value,
      currency: record.amount.currency,
      input: session,
      session_id: null,
      source: 'import',
      status: orderStatus[record.outcome],
      placed_at: record.placed_at,
    });
    rows.events.push({
      kind: 'order',
      orderId,
      accountId,
      merchantId: record.merchant ?? 'import',
      at: placedAt,
      session,
    });
    const invoiceId = context.ids.next('inv');
    const dueAt = new Date(placedAt + context.invoiceDueDays * dayMilliseconds).toISOString();
    rows.invoices.push({
      id: invoiceId,
      order_id: orderId,
      account_id: accountId,
      amount: record.amount.value,
      currency: record.amount.currency,
      status: invoiceStatus[record.outcome],
      // A paid history invoice owes nothing: the consumer must never see it as outstanding.
      paid_amount: record.outcome === 'paid_on_time' || record.outcome === 'paid_late' ? record.amount.value : 0,
      due_at: dueAt,
      created_at: record.placed_at,
    });
    const outcomeAt = record.outcome_at ?? (record.outcome === 'paid_on_time' ? record.placed_at : dueAt);
    if (record.outcome === 'paid_on_time' || record.outcome === 'paid_late' || record.outcome === 'unpaid') {
      rows.payments.push({
        id: context.ids.next('pay'),
        invoice_id: invoiceId,
        amount: record.outcome === 'unpaid' ? 0 : record.amount.value,
        outcome: record.outcome,
        paid_at: outcomeAt,
      });
      rows.events.push({ kind: 'payment', orderId, at: Date.parse(outcomeAt), outcome: record.outcome });
    }
    if (record.outcome === 'fraud_confirmed') {
      const label = record.fraud_kind ?? 'fraud_third_party';
      rows.labels.push({
        id: context.ids.next('lbl'),
        order_id: orderId,
        label,
        typology: record.typology ?? null,
        known_at: outcomeAt,
      });
      rows.events.push({ kind: 'label', orderId, at: Date.parse(outcomeAt), label });
    }
  }
  return rows;
}
