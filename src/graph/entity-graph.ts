// The entity graph as pure data: which identifier was asked for, how orders link entities, and drop-address clusters.
import { z } from 'zod';
import type { Address } from '../checkout/session.schema.ts';
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { normaliseEmail } from '../risk/normalise/email.normaliser.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';

export const entityKinds = ['account', 'order', 'email', 'phone', 'device', 'ip', 'address', 'iban'] as const;
export type EntityKind = (typeof entityKinds)[number];

/** An entity by its normalised key, as the engine and the lists see it. */
export interface EntityRef {
  readonly kind: EntityKind;
  readonly key: string;
}

export const nodeId = (ref: EntityRef) => `${ref.kind}:${ref.key}`;

const ipPattern = /^(?:\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]*:[0-9a-f:.]+$/i;
const phonePattern = /^\+?[0-9 ()-]{6,20}$/;

/** What kind of identifier an analyst typed, normalised; with `kind` given, only that kind is tried. */
export function classifyIdentifier(raw: string, kind?: EntityKind): EntityRef | null {
  const value = raw.trim();
  if (value === '') return null;
  const guess = kind ?? guessKind(value);
  const key = normaliseAs(guess, value);
  return key === null ? null : { kind: guess, key };
}

function guessKind(value: string): EntityKind {
  if (/^acc_[0-9a-z]+$/.test(value)) return 'account';
  if (/^ord_[0-9a-z]+$/.test(value)) return 'order';
  if (value.includes('@')) return 'email';
  if (value.includes('|')) return 'address';
  if (ipPattern.test(value)) return 'ip';
  if (/^[A-Za-z]{2}\d{2}/.test(value) && normaliseIban(value) !== null) return 'iban';
  if (phonePattern.test(value) && phoneKey(value) !== null) return 'phone';
  return 'device';
}

function normaliseAs(kind: EntityKind, value: string): string | null {
  switch (kind) {
    case 'account':
    case 'order':
    case 'device':
      return value;
    case 'email':
      return normaliseEmail(value)?.key ?? null;
    case 'phone':
      return phoneKey(value);
    case 'ip':
      return value.toLowerCase();
    case 'iban':
      return normaliseIban(value);
    case 'address':
      // An address is searched by its key (as a node shows it): "NL|1012LG|1||damrak|amsterdam".
      return value.split('|').length >= 3 ? value : null;
  }
}

/** One order as the graph reads it: its account, the identifiers it carried, and what became known about it. */
export interface OrderFacts {
  readonly id: string;
  readonly accountId: string;
  readonly accountName: string | null;
  readonly placedAt: Date;
  readonly amount: number;
  readonly currency: string;
  readonly state: string;
  readonly shipped: boolean;
  readonly fraudLabel: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly deviceId: string | null;
  readonly ip: string | null;
  readonly iban: string | null;
  readonly billingAddress: Address | null;
  readonly shippingAddress: Address | null;
}

export const graphNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(entityKinds),
  key: z.string(),
  label: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
  fraud: z.boolean().describe('An order labelled fraud, or an account or identifier linked to one'),
  pickup_point: z.boolean().describe('An address that is a parcel locker or pick-up point, not a home'),
  open_order: z.boolean().describe('An order not shipped, cancelled or refunded: its shipment can still be held'),
});
export type GraphNode = z.infer<typeof graphNodeSchema>;

export const graphEdgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  relation: z.enum([
    'placed',
    'used_device',
    'used_ip',
    'billed_to',
    'ships_to',
    'used_email',
    'used_phone',
    'paid_from',
  ]),
  first_seen: z.string(),
  last_seen: z.string(),
});
export type GraphEdge = z.infer<typeof graphEdgeSchema>;

const closedStates = new Set(['cancelled', 'refunded', 'expired', 'closed']);

/** Accumulates nodes and edges from orders; seeing an entity again widens its first/last seen times. */
export function makeGraphBuilder() {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();

  function touch(ref: EntityRef, label: string, at: Date, extra: Partial<GraphNode> = {}): string {
    const id = nodeId(ref);
    const seen = at.toISOString();
    const existing = nodes.get(id);
    if (!existing) {
      nodes.set(id, {
        id,
        kind: ref.kind,
        key: ref.key,
        label,
        first_seen: seen,
        last_seen: seen,
        fraud: false,
        pickup_point: false,
        open_order: false,
        ...extra,
      });
    } else {
      if (seen < existing.first_seen) existing.first_seen = seen;
      if (seen > existing.last_seen) existing.last_seen = seen;
      if (extra.fraud) existing.fraud = true;
    }
    return id;
  }

  function link(source: string, target: string, relation: GraphEdge['relation'], at: Date) {
    const id = `${source}>${relation}>${target}`;
    const seen = at.toISOString();
    const existing = edges.get(id);
    if (!existing) edges.set(id, { id, source, target, relation, first_seen: seen, last_seen: seen });
    else {
      if (seen < existing.first_seen) existing.first_seen = seen;
      if (seen > existing.last_seen) existing.last_seen = seen;
    }
  }

  /** Adds one order and returns the identifiers it links to (to search from next). */
  function addOrder(order: OrderFacts): EntityRef[] {
    const at = order.placedAt;
    const fraud = order.fraudLabel !== null;
    const orderNode = touch(
      { kind: 'order', key: order.id },
      `${(order.amount / 100).toFixed(2)} ${order.currency}`,
      at,
      {
        fraud,
        open_order: !order.shipped && !closedStates.has(order.state),
      },
    );
    const account: EntityRef = { kind: 'account', key: order.accountId };
    link(touch(account, order.accountName ?? order.accountId, at, { fraud }), orderNode, 'placed', at);
    const linked: EntityRef[] = [account];
    const attach = (ref: EntityRef | null, label: string, relation: GraphEdge['relation'], extra = {}) => {
      if (ref === null) return;
      link(orderNode, touch(ref, label, at, { fraud, ...extra }), relation, at);
      linked.push(ref);
    };
    const email = order.email === null ? null : normaliseEmail(order.email);
    attach(email ? { kind: 'email', key: email.key } : null, order.email ?? '', 'used_email');
    const phone = order.phone === null ? null : phoneKey(order.phone);
    attach(phone ? { kind: 'phone', key: phone } : null, phone ?? '', 'used_phone');
    attach(order.deviceId ? { kind: 'device', key: order.deviceId } : null, order.deviceId ?? '', 'used_device');
    attach(order.ip ? { kind: 'ip', key: order.ip.toLowerCase() } : null, order.ip ?? '', 'used_ip');
    const iban = order.iban === null ? null : normaliseIban(order.iban);
    attach(iban ? { kind: 'iban', key: iban } : null, iban ?? '', 'paid_from');
    for (const [address, relation] of [
      [order.billingAddress, 'billed_to'],
      [order.shippingAddress ?? order.billingAddress, 'ships_to'],
    ] as const) {
      if (address === null) continue;
      const normalised = normaliseAddress(address);
      const label = `${address.street} ${address.house_number}, ${address.city}`;
      attach({ kind: 'address', key: normalised.key }, label, relation, {
        pickup_point: normalised.isParcelLocker,
      });
    }
    return linked;
  }

  return {
    addOrder,
    touch,
    has: (ref: EntityRef) => nodes.has(nodeId(ref)),
    size: () => nodes.size,
    nodes: () => [...nodes.values()],
    edges: () => [...edges.values()],
  };
}

export const clusterSchema = z.object({
  address: z.string().describe('The address node shared by the accounts'),
  label: z.string(),
  accounts: z.array(z.string()).describe('Account node ids shipping to this address'),
  devices: z.array(z.string()).describe('Device node ids used by orders shipping to this address'),
  open_orders: z.array(z.string()).describe('Order node ids shipping here whose shipment can still be held'),
});
export type DropCluster = z.infer<typeof clusterSchema>;

/**
 * Drop addresses: a home that several accounts ship to. A pick-up point is shared by many honest neighbours, so it is
 * never a cluster by itself (the analyst still sees it in the graph).
 */
export function dropAddressClusters(nodes: readonly GraphNode[], edges: readonly GraphEdge[], minimumAccounts: number) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const orderAccount = new Map<string, string>();
  const orderDevices = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.relation === 'placed') orderAccount.set(edge.target, edge.source);
    if (edge.relation === 'used_device')
      orderDevices.set(edge.source, [...(orderDevices.get(edge.source) ?? []), edge.target]);
  }
  const clusters = new Map<string, { accounts: Set<string>; devices: Set<string>; openOrders: Set<string> }>();
  for (const edge of edges) {
    if (edge.relation !== 'ships_to') continue;
    const address = byId.get(edge.target);
    const account = orderAccount.get(edge.source);
    if (!address || address.pickup_point || account === undefined) continue;
    const cluster = clusters.get(address.id) ?? { accounts: new Set(), devices: new Set(), openOrders: new Set() };
    cluster.accounts.add(account);
    for (const device of orderDevices.get(edge.source) ?? []) cluster.devices.add(device);
    if (byId.get(edge.source)?.open_order) cluster.openOrders.add(edge.source);
    clusters.set(address.id, cluster);
  }
  return [...clusters.entries()]
    .filter(([, cluster]) => cluster.accounts.size >= minimumAccounts)
    .map(([address, cluster]): DropCluster => ({
      address,
      label: byId.get(address)!.label,
      accounts: [...cluster.accounts].sort(),
      devices: [...cluster.devices].sort(),
      open_orders: [...cluster.openOrders].sort(),
    }))
    .sort((left, right) => right.accounts.length - left.accounts.length);
}

/** Every entity an order touches, by normalised key: the search keeps an order only if it touches the frontier. */
export function orderEntities(order: OrderFacts): EntityRef[] {
  const refs: EntityRef[] = [
    { kind: 'order', key: order.id },
    { kind: 'account', key: order.accountId },
  ];
  const email = order.email === null ? null : normaliseEmail(order.email);
  if (email) refs.push({ kind: 'email', key: email.key });
  const phone = order.phone === null ? null : phoneKey(order.phone);
  if (phone) refs.push({ kind: 'phone', key: phone });
  if (order.deviceId) refs.push({ kind: 'device', key: order.deviceId });
  if (order.ip) refs.push({ kind: 'ip', key: order.ip.toLowerCase() });
  const iban = order.iban === null ? null : normaliseIban(order.iban);
  if (iban) refs.push({ kind: 'iban', key: iban });
  for (const address of [order.billingAddress, order.shippingAddress]) {
    if (address !== null) refs.push({ kind: 'address', key: normaliseAddress(address).key });
  }
  return refs;
}
