// Order records: legitimate shopping with repeat behaviour, payment outcomes and the merchant's own signals.
import type { Address, ExtraMerchantData, Line } from '../checkout/session.schema.ts';
import type { ImportOrder, OrderOutcome } from '../ingest/import.schema.ts';
import {
  categories,
  linesTotal,
  makeLines,
  pickMerchant,
  type Category,
  type Merchant,
} from './catalogue.simulation.ts';
import type { SimulationContext } from './context.simulation.ts';
import { dayMilliseconds, type Typology } from './options.simulation.ts';
import { applyLifeEvents, type Consumer, type MerchantRelationship } from './population.simulation.ts';
import { hashString, scramble32, type Random } from './random.simulation.ts';
import { isoTime } from './time.simulation.ts';

export type DeliveryMethod = 'home' | 'pickup_point' | 'parcel_locker';

export interface OrderParts {
  readonly at: number;
  readonly merchant: Merchant;
  /** Undefined for a guest purchase: the import attaches it to a guest account per e-mail address. */
  readonly accountId: string | undefined;
  readonly customer: { name: string; email: string; phone: string; date_of_birth?: string };
  readonly billingAddress: Address;
  readonly shippingAddress: Address;
  readonly device: { readonly id: string; readonly userAgent: string };
  /** Undefined when the merchant sent no IP. */
  readonly ip: string | undefined;
  readonly lines: Line[];
  readonly extra: ExtraMerchantData | undefined;
  readonly outcome: OrderOutcome;
  readonly outcomeAt: number;
  readonly fraud?: { readonly kind: 'fraud_third_party' | 'fraud_first_party'; readonly typology: Typology };
}

/** Builds the import record; keys in one fixed order keep the output byte-for-byte reproducible. */
export function buildOrder(context: SimulationContext, parts: OrderParts): ImportOrder {
  const merchant = parts.merchant;
  merchant.orderCount += 1;
  // One literal with every key in a fixed place (extra data may be undefined, which JSON leaves out):
  // a stable object shape keeps V8 on its fast paths, and the output order readable.
  const order: ImportOrder = {
    type: 'order',
    id: context.nextOrderId(),
    placed_at: isoTime(parts.at),
    account_id: parts.accountId,
    merchant: merchant.name,
    merchant_reference: `${merchant.code}-${merchant.orderCount.toString().padStart(7, '0')}`,
    amount: { value: linesTotal(parts.lines), currency: 'EUR' },
    lines: parts.lines,
    customer: parts.customer,
    billing_address: parts.billingAddress,
    shipping_address: parts.shippingAddress,
    device: { id: parts.device.id, ip: parts.ip, user_agent: parts.device.userAgent },
    extra_merchant_data: parts.extra,
    merchant_account: shopAccount(context, parts),
    outcome: parts.outcome,
    outcome_at: isoTime(parts.outcomeAt),
  };
  if (parts.fraud !== undefined) {
    order.fraud_kind = parts.fraud.kind;
    order.typology = parts.fraud.typology;
  }
  return order;
}

/**
 * The shopper's own account in the shop, as a merchant that sends extra data also sends it (none for a guest):
 * registered the account's age ago, last changed when the contact details last changed.
 */
function shopAccount(context: SimulationContext, parts: OrderParts): ImportOrder['merchant_account'] {
  const extra = parts.extra;
  if (extra === undefined || extra.is_guest_checkout !== false) return undefined;
  const ageDays = typeof extra.merchant_account_age_days === 'number' ? extra.merchant_account_age_days : 0;
  const changedDays = extra.merchant_days_since_contact_change;
  const owner = parts.accountId ?? parts.customer.email;
  // Within the day the age was rounded down from; minutes for an account opened at this checkout.
  const offset =
    ageDays === 0 ? context.random.integer(60_000, 1_800_000) : context.random.integer(0, dayMilliseconds - 1);
  return {
    id: `${parts.merchant.code}-${scramble32(hashString(owner)).toString(36)}`,
    registered_at: isoTime(parts.at - ageDays * dayMilliseconds - offset),
    ...(typeof changedDays === 'number' && changedDays < ageDays
      ? { changed_at: isoTime(parts.at - changedDays * dayMilliseconds - context.random.integer(0, 3_600_000)) }
      : {}),
  };
}

/**
 * The claimed identity of an honest shopper, one shared object per version of the consumer's details:
 * most orders reuse it, which spares an allocation and lets the serialiser cache its JSON.
 */
export function customerOf(consumer: Consumer, merchant: Merchant): OrderParts['customer'] {
  let cache = consumer.customerCache;
  if (cache === null || cache.email !== consumer.email || cache.phone !== consumer.phone) {
    const base = { name: consumer.name, email: consumer.email, phone: consumer.phone };
    cache = {
      email: consumer.email,
      phone: consumer.phone,
      withoutBirth: base,
      withBirth: { ...base, date_of_birth: consumer.dateOfBirth },
    };
    consumer.customerCache = cache;
  }
  return merchant.asksDateOfBirth ? cache.withBirth : cache.withoutBirth;
}

/** Makes sure the consumer has an account with the provider, opening one at the first order. */
export function ensureAccount(context: SimulationContext, consumer: Consumer, at: number): string {
  if (consumer.accountId !== null) return consumer.accountId;
  consumer.accountId = context.openAccount(
    {
      name: consumer.name,
      email: consumer.email,
      phone: consumer.phone,
      date_of_birth: consumer.dateOfBirth,
      address: consumer.household.address.value,
    },
    at,
  );
  consumer.accountCreatedAt = at;
  consumer.contactChangedAt = at;
  context.population.accountHolders.push(consumer);
  return consumer.accountId;
}

/** The merchant's own account for this shopper: old accounts with many orders are a sign of trust. */
export function merchantRelationship(
  random: Random,
  consumer: Consumer,
  merchant: Merchant,
  at: number,
): MerchantRelationship {
  consumer.merchants ??= new Map();
  let relationship = consumer.merchants.get(merchant.index);
  if (relationship === undefined) {
    const guest = random.chance(0.25);
    const preexisting = !guest && random.chance(0.5);
    relationship = {
      guest,
      createdAt: preexisting ? at - random.integer(30, 2000) * dayMilliseconds : at,
      orders: preexisting ? random.count(3) - 1 : 0,
    };
    consumer.merchants.set(merchant.index, relationship);
  }
  return relationship;
}

export function merchantData(
  merchant: Merchant,
  at: number,
  delivery: DeliveryMethod,
  account: {
    readonly guest: boolean;
    readonly createdAt: number;
    readonly orders: number;
    readonly contactChangedAt: number;
  },
): ExtraMerchantData | undefined {
  if (!merchant.sendsExtraData) return undefined;
  return {
    merchant_account_age_days: account.guest ? 0 : Math.floor((at - account.createdAt) / dayMilliseconds),
    merchant_previous_orders: account.guest ? 0 : account.orders,
    is_guest_checkout: account.guest,
    delivery_method: delivery,
    merchant_days_since_contact_change: account.guest
      ? null
      : Math.floor((at - Math.max(account.contactChangedAt, account.createdAt)) / dayMilliseconds),
  };
}

/** When and how a legitimate invoice was settled, by the consumer's payment habits. */
export function paymentOutcome(
  random: Random,
  consumer: Consumer,
  merchant: Merchant,
  at: number,
): { outcome: OrderOutcome; outcomeAt: number } {
  const lateChance = consumer.payment === 0 ? 0.04 : consumer.payment === 1 ? 0.3 : 0.4;
  const unpaidChance = consumer.payment === 0 ? 0.004 : consumer.payment === 1 ? 0.02 : 0.15;
  const due = at + merchant.paymentTermDays * dayMilliseconds;
  const draw = random.next();
  if (draw < unpaidChance) return { outcome: 'unpaid', outcomeAt: due + random.integer(45, 110) * dayMilliseconds };
  if (draw < unpaidChance + lateChance)
    return { outcome: 'paid_late', outcomeAt: due + (0.5 + random.exponential(12)) * dayMilliseconds };
  return {
    outcome: 'paid_on_time',
    outcomeAt: at + (0.3 + random.next() * (merchant.paymentTermDays - 0.3)) * dayMilliseconds,
  };
}

/** Where the parcel goes: mostly home; a pick-up point near home, the office, or a gift (more in December). */
export function deliveryFor(
  context: SimulationContext,
  consumer: Consumer,
  at: number,
): { method: DeliveryMethod; address: Address } {
  const random = context.random;
  const delivery = context.options.profile.delivery;
  const home = consumer.household.address;
  const gift = new Date(at).getUTCMonth() === 11 ? delivery.gift * delivery.decemberGiftFactor : delivery.gift;
  const draw = random.next();
  let edge = delivery.pickupPoint;
  if (draw < edge)
    return { method: 'pickup_point', address: context.identities.locker(home.cityIndex, hashString(home.key)).value };
  if (draw < (edge += delivery.parcelLocker))
    return {
      method: 'parcel_locker',
      address: context.identities.locker(home.cityIndex, hashString(home.key) + 7).value,
    };
  if (draw < (edge += gift))
    return { method: 'home', address: random.pick(context.population.consumers).household.address.value };
  if (consumer.workAddress !== null && draw < edge + delivery.toWork)
    return { method: 'home', address: consumer.workAddress.value };
  return { method: 'home', address: home.value };
}

/**
 * The provider's credit limits as the default ruleset draws them (rules/default.json: `exposure_limit`,
 * `unpaid_invoices`). A real pay-later history only holds orders the provider accepted: a consumer whose order
 * would take what they owe above the limit, or who left two invoices unpaid, pays that order another way (iDEAL,
 * card), so it never appears in the provider's history.
 */
export const simulatedCreditLimits = { exposure: 300_000, unpaidInvoices: 2 } as const;

/** Whether the provider would still offer pay later for this amount, by what the consumer owes right now. */
function withinCreditLimits(consumer: Consumer, at: number, amount: number): boolean {
  consumer.openInvoices = consumer.openInvoices.filter((invoice) => invoice.until > at);
  const owed = consumer.openInvoices.reduce((sum, invoice) => sum + invoice.amount, 0);
  const unpaid = consumer.unpaidAt.filter((known) => known <= at).length;
  return owed + amount <= simulatedCreditLimits.exposure && unpaid < simulatedCreditLimits.unpaidInvoices;
}

/** A genuine pay-later order, or null when the consumer pays this one another way (see withinCreditLimits). */
export function legitimateOrder(context: SimulationContext, consumer: Consumer, at: number): ImportOrder | null {
  const random = context.random;
  applyLifeEvents(random, context.identities, context.options.profile, consumer, at);
  // A first purchase is often placed as a guest; the next one opens an account.
  const guestPurchase = consumer.accountId === null && random.chance(context.options.profile.guestFirstPurchase);
  const accountId = guestPurchase ? undefined : ensureAccount(context, consumer, at);
  const category: Category = random.chance(0.55)
    ? consumer.primaryCategory
    : (categories[context.market.categoryPicker.pick(random)] as Category);
  // Loyalty: each consumer has a favourite shop per category, derived from a hash so it needs no storage.
  const merchant = random.chance(0.6)
    ? (context.market.byCategory[category][
        scramble32(consumer.index * 16 + categories.indexOf(category)) % context.market.byCategory[category].length
      ] as Merchant)
    : pickMerchant(context.market, random, category);
  const relationship = merchantRelationship(random, consumer, merchant, at);
  const delivery = deliveryFor(context, consumer, at);
  const { device, ip } = legitimateDevice(context, consumer);
  const extra = merchantData(merchant, at, delivery.method, {
    ...relationship,
    contactChangedAt: consumer.contactChangedAt,
  });
  relationship.orders += 1;
  const lines = makeLines(random, category, false);
  const amount = linesTotal(lines);
  if (!withinCreditLimits(consumer, at, amount)) return null;
  const payment = paymentOutcome(random, consumer, merchant, at);
  consumer.openInvoices.push({ amount, until: payment.outcomeAt });
  if (payment.outcome === 'unpaid') consumer.unpaidAt.push(payment.outcomeAt);
  return buildOrder(context, {
    at,
    merchant,
    accountId,
    device,
    ip,
    extra,
    customer: customerOf(consumer, merchant),
    billingAddress: consumer.household.address.value,
    shippingAddress: delivery.address,
    lines,
    ...payment,
  });
}

function legitimateDevice(
  context: SimulationContext,
  consumer: Consumer,
): { device: { id: string; userAgent: string }; ip: string | undefined } {
  const random = context.random;
  const draw = random.next();
  const pick = (): { device: { id: string; userAgent: string }; ip: string } => {
    if (draw < 0.66)
      return {
        device: consumer.device,
        ip: random.chance(0.55) ? consumer.household.homeIp : mobileIp(context),
      };
    // The family tablet or laptop: several members of one household shop from it.
    if (draw < 0.93) return { device: consumer.household.sharedDevice, ip: consumer.household.homeIp };
    // A work laptop or a friend's computer: legitimate shoppers also appear on devices never seen before.
    return { device: context.identities.device('desktop'), ip: context.identities.ip('home') };
  };
  const chosen = pick();
  const network = context.options.profile.network;
  const leak = random.next();
  if (leak < network.missing) return { device: chosen.device, ip: undefined };
  if (leak < network.missing + network.reserved) return { device: chosen.device, ip: context.identities.reservedIp() };
  return chosen;
}

/** Dutch mobile carriers hand out IPv6, or IPv4 behind carrier NAT; a few still public IPv4. */
function mobileIp(context: SimulationContext): string {
  const network = context.options.profile.network;
  const draw = context.random.next();
  if (draw < network.mobileIpv6) return context.identities.ipv6('mobile');
  if (draw < network.mobileIpv6 + (1 - network.mobileIpv6) * network.mobileCarrierNat)
    return context.identities.carrierNatIp();
  return context.identities.ip('mobile');
}
