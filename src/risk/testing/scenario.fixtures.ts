// Test fixtures: people, sessions and history events for engine tests and the benchmark, from a seeded generator.
import type { Address, SessionInput } from '../../checkout/session.schema.ts';
import type { DecisionInput, HistoryEvent } from '../engine.ts';

export const dayMs = 86_400_000;
/** A fixed "now" for tests: 2026-03-10T12:00:00Z, a Tuesday afternoon. */
export const testNow = Date.UTC(2026, 2, 10, 12, 0, 0);

/** mulberry32: small, fast, seeded; tests and the bench must be reproducible. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const firstNames = [
  'Jan',
  'Anna',
  'Pieter',
  'Sanne',
  'Mohamed',
  'Fatima',
  'Daan',
  'Emma',
  'Lucas',
  'Julia',
  'Sem',
  'Mila',
  'Noah',
  'Tess',
  'Finn',
  'Zoë',
];
const surnames = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'El Amrani',
  'Yılmaz',
];
const streets = [
  'Kalverstraat',
  'Damrak',
  'Hoofdweg',
  'Dorpsstraat',
  'Stationsweg',
  'Kerkstraat',
  'Molenlaan',
  'Schoolstraat',
];
const cities = ['Amsterdam', 'Rotterdam', 'Utrecht', 'Den Haag', 'Eindhoven', 'Groningen', 'Tilburg', 'Almere'];

export interface Person {
  readonly index: number;
  readonly accountId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly address: Address;
  readonly deviceId: string;
  readonly ip: string;
}

/** Person n is always the same person: distinct names, e-mails, phones, devices, IPs and addresses. */
export function person(index: number): Person {
  const first = firstNames[index % firstNames.length]!;
  const last = surnames[Math.floor(index / firstNames.length) % surnames.length]!;
  const postcodeNumber = 1000 + ((index * 37) % 8900);
  const letters = String.fromCharCode(65 + (index % 26), 65 + (Math.floor(index / 26) % 26));
  return {
    index,
    accountId: `acc_${index}`,
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase().replace(/[^a-z]/g, '')}${index}@gmail.com`,
    phone: `+3161${String(1_000_000 + index).padStart(7, '0')}`,
    address: {
      street: streets[index % streets.length]!,
      house_number: String(1 + (index % 180)),
      postal_code: `${postcodeNumber} ${letters}`,
      city: cities[index % cities.length]!,
      country: 'NL',
    },
    deviceId: `dev_${index}`,
    ip: `81.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
  };
}

export interface SessionOptions {
  readonly amount?: number;
  readonly category?: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly billing?: Address;
  readonly shipping?: Address;
  readonly deviceId?: string;
  readonly ip?: string;
  readonly extra?: SessionInput['extra_merchant_data'];
}

export function sessionFor(buyer: Person, options: SessionOptions = {}): SessionInput {
  const amount = options.amount ?? 4_995;
  const session: SessionInput = {
    amount: { value: amount, currency: 'EUR' },
    merchant_reference: 'order',
    lines: [{ name: 'Item', quantity: 1, unit_price: amount, category: options.category ?? 'fashion' }],
    customer: {
      name: options.name ?? buyer.name,
      email: options.email ?? buyer.email,
      phone: options.phone ?? buyer.phone,
    },
    billing_address: options.billing ?? buyer.address,
    device: { id: options.deviceId ?? buyer.deviceId, ip: options.ip ?? buyer.ip },
  };
  const withShipping = options.shipping === undefined ? session : { ...session, shipping_address: options.shipping };
  return options.extra === undefined ? withShipping : { ...withShipping, extra_merchant_data: options.extra };
}

export function decisionInput(session: SessionInput, at: number, sessionId = `ses_${at}`): DecisionInput {
  return { sessionId, merchantId: 'mer_test', merchantName: 'Test shop', at, session };
}

/** An account with verified e-mail and phone, `orders` paid orders from its own device to its own address. */
export function customerHistory(
  who: Person,
  options: { readonly since: number; readonly orders: number; readonly verified?: boolean; readonly amount?: number },
): HistoryEvent[] {
  const verifiedAt = options.verified === false ? null : options.since + 1_000;
  const events: HistoryEvent[] = [
    {
      kind: 'account',
      accountId: who.accountId,
      at: options.since,
      name: who.name,
      email: who.email,
      phone: who.phone,
      dateOfBirth: null,
      address: who.address,
    },
    {
      kind: 'channel',
      accountId: who.accountId,
      channelId: `ch_${who.index}_email`,
      channel: 'email',
      value: who.email,
      verifiedAt,
      at: options.since + 1_000,
    },
    {
      kind: 'channel',
      accountId: who.accountId,
      channelId: `ch_${who.index}_phone`,
      channel: 'phone',
      value: who.phone,
      verifiedAt,
      at: options.since + 1_000,
    },
  ];
  for (let order = 0; order < options.orders; order += 1) {
    const at = options.since + (order + 1) * 20 * dayMs;
    const orderId = `ord_${who.index}_${order}`;
    events.push({
      kind: 'order',
      orderId,
      accountId: who.accountId,
      merchantId: 'mer_test',
      at,
      session: sessionFor(who, { amount: options.amount ?? 5_000 + order * 1_000 }),
    });
    events.push({ kind: 'payment', orderId, at: at + 14 * dayMs, outcome: 'paid_on_time' });
  }
  return events.sort((left, right) => left.at - right.at);
}
