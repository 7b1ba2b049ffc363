// World profiles: the genuine behaviours and attacks of a realistic world appear at their configured rates.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  importRecordSchema,
  type ImportAccount,
  type ImportOrder,
  type ImportRecord,
} from '../ingest/import.schema.ts';
import { makeRecordSerializer } from './ndjson.simulation.ts';
import { worldProfiles } from './profiles.simulation.ts';
import { ispEmailDomains, lockerStreets, pickupPointPlaces } from './vocabulary.simulation.ts';
import { simulate } from './world.simulation.ts';

async function world(options: Parameters<typeof simulate>[0]): Promise<ImportRecord[]> {
  const records: ImportRecord[] = [];
  await simulate(options, { format: 'record', write: (record) => void records.push(record) });
  return records;
}

const orders = (records: ImportRecord[]) => records.filter((record): record is ImportOrder => record.type === 'order');
const genuine = (records: ImportRecord[]) => orders(records).filter((order) => order.typology === undefined);
const share = (list: readonly ImportOrder[], test: (order: ImportOrder) => boolean) =>
  list.filter(test).length / list.length;
const key = (address: ImportOrder['billing_address']) => `${address?.postal_code} ${address?.house_number}`;

const bigFreeMail = /@(gmail\.com|hotmail\.com|outlook\.com|live\.nl|icloud\.com|yahoo\.com)$/;
const ispDomains = new Set<string>(ispEmailDomains.map((entry) => entry.domain));
const domainOf = (order: ImportOrder) => order.customer?.email?.split('@')[1] ?? '';
const isIsp = (order: ImportOrder) => ispDomains.has(domainOf(order));
const isOwnDomain = (order: ImportOrder) => !isIsp(order) && !bigFreeMail.test(order.customer?.email ?? '');
const ip = (order: ImportOrder) => order.device?.ip;
const isIpv6 = (order: ImportOrder) => ip(order)?.includes(':') === true && !ip(order)!.startsWith('2001:db8:');
const isCarrierNat = (order: ImportOrder) => /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(ip(order) ?? '');
const isReserved = (order: ImportOrder) =>
  /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|10\.|192\.168\.|2001:db8:)/.test(ip(order) ?? '');
const pickupNames = [...lockerStreets, ...pickupPointPlaces];
const isPickup = (address: ImportOrder['shipping_address']) =>
  pickupNames.some((name) => address?.street.startsWith(name) === true);

describe('world profiles', () => {
  let base: ImportRecord[];
  let shifted: ImportRecord[];
  beforeAll(async () => {
    base = await world({ orders: 20_000, seed: 11, fraudRate: 0.05, months: 3 });
    shifted = await world({ orders: 20_000, seed: 11, fraudRate: 0.05, months: 3, profile: 'shifted' });
  });

  it('writes valid import lines in every profile, IPv6 and missing IPs included', () => {
    const recordLine = makeRecordSerializer();
    for (const record of [...base.slice(0, 5000), ...shifted.slice(0, 5000)]) {
      const line = recordLine(record);
      expect(line).toBe(JSON.stringify(record));
      const parsed = importRecordSchema.safeParse(JSON.parse(line));
      expect(parsed.error, line).toBeUndefined();
    }
  });

  it('mixes own-domain, ISP and free mail, and every kind of network address, near the profile rates', () => {
    const list = genuine(base);
    const profile = worldProfiles.default;
    expect(share(list, isIsp)).toBeGreaterThan(profile.email.isp * 0.6);
    expect(share(list, isIsp)).toBeLessThan(profile.email.isp * 1.4);
    expect(share(list, isOwnDomain)).toBeGreaterThan(profile.email.ownDomain * 0.5);
    expect(share(list, isOwnDomain)).toBeLessThan(profile.email.ownDomain * 1.6);
    expect(share(list, isIpv6)).toBeGreaterThan(0.15);
    expect(share(list, isCarrierNat)).toBeGreaterThan(0.03);
    expect(share(list, (order) => ip(order) === undefined)).toBeGreaterThan(profile.network.missing * 0.6);
    expect(share(list, (order) => ip(order) === undefined)).toBeLessThan(profile.network.missing * 1.4);
    expect(list.filter(isReserved).length).toBeGreaterThan(20);
  });

  it('has hundreds of pick-up points in a large city, each shared by several shoppers', () => {
    const amsterdam = genuine(base).filter(
      (order) => order.shipping_address?.city === 'Amsterdam' && isPickup(order.shipping_address),
    );
    const points = new Set(amsterdam.map((order) => key(order.shipping_address)));
    expect(points.size).toBeGreaterThan(100);
    expect(amsterdam.length).toBeGreaterThan(points.size);
  });

  it('places first purchases as guests, without an account with the provider', () => {
    const list = genuine(base);
    const guests = list.filter((order) => order.account_id === undefined);
    expect(guests.length / list.length).toBeGreaterThan(0.02);
    for (const order of guests) expect(order.customer?.email).toBeDefined();
  });

  it("sends the shop's own account for shoppers with one, registered before the order, never for guests", () => {
    const list = orders(base);
    const withAccount = list.filter((order) => order.merchant_account !== undefined);
    expect(withAccount.length / list.length).toBeGreaterThan(0.2);
    for (const order of withAccount) {
      expect(order.extra_merchant_data?.is_guest_checkout).toBe(false);
      expect(order.merchant_account!.registered_at < order.placed_at).toBe(true);
    }
  });

  it('shows new phone numbers and e-mail addresses on existing accounts', () => {
    const firstContact = new Map<string, { email?: string; phone?: string }>();
    for (const record of base)
      if (record.type === 'account') firstContact.set(record.id, { email: record.email, phone: record.phone });
    let newEmail = 0;
    let newPhone = 0;
    for (const order of genuine(base)) {
      const first = firstContact.get(order.account_id ?? '');
      if (first === undefined) continue;
      if (order.customer?.email !== first.email) newEmail += 1;
      if (order.customer?.phone !== first.phone) newPhone += 1;
    }
    expect(newEmail).toBeGreaterThan(50);
    expect(newPhone).toBeGreaterThan(50);
  });

  it('sends more gifts elsewhere in December than in November', async () => {
    const records = await world({ orders: 20_000, seed: 3, fraudRate: 0, months: 2, start: '2025-11-01' });
    const elsewhere = (order: ImportOrder) =>
      key(order.shipping_address) !== key(order.billing_address) && !isPickup(order.shipping_address);
    const november = genuine(records).filter((order) => order.placed_at < '2025-12-01');
    const december = genuine(records).filter((order) => order.placed_at >= '2025-12-01');
    expect(share(december, elsewhere)).toBeGreaterThan(share(november, elsewhere) + 0.05);
  });

  it('attacks in the new shapes: interception at home, cheap probes, billing kept, ghost invoices', () => {
    // Every address a real consumer lived at (attackers' addresses are never consumers' homes); a victim's
    // household may have moved through another member's order, so the match is not per account.
    const homes = new Set<string>();
    for (const record of base)
      if (record.type === 'account') homes.add(key((record as ImportAccount).address));
      else if (record.typology === undefined) homes.add(key(record.billing_address));
    const isHome = (order: ImportOrder) => homes.has(key(order.billing_address));
    const fraud = orders(base).filter((order) => order.typology !== undefined);
    const of = (typology: string) => fraud.filter((order) => order.typology === typology);
    expect(of('interception').length).toBeGreaterThan(10);
    for (const order of of('interception')) {
      expect(key(order.shipping_address)).toBe(key(order.billing_address));
      expect(isHome(order)).toBe(true);
    }
    expect(of('low_value_probing').length).toBeGreaterThan(10);
    for (const order of of('low_value_probing')) expect(order.amount.value).toBeLessThanOrEqual(4000);
    expect(of('billing_kept').length).toBeGreaterThan(10);
    for (const order of of('billing_kept')) expect(isHome(order)).toBe(true);
    // Fraud baskets are no longer always the dearest: some are ordinary amounts.
    const identity = of('identity_misuse');
    expect(identity.some((order) => order.amount.value < 5000)).toBe(true);
  });

  it('shifts the e-mail and network mix, pick-up density and attack mix in the shifted profile', () => {
    expect(share(genuine(shifted), isOwnDomain)).toBeGreaterThan(share(genuine(base), isOwnDomain) + 0.03);
    expect(share(genuine(shifted), isIpv6)).toBeGreaterThan(share(genuine(base), isIpv6) + 0.05);
    const fraudShare = (records: ImportRecord[], typology: string) =>
      share(
        orders(records).filter((order) => order.typology !== undefined),
        (order) => order.typology === typology,
      );
    expect(fraudShare(shifted, 'interception')).toBeGreaterThan(fraudShare(base, 'interception'));
    const pointsIn = (records: ImportRecord[]) =>
      new Set(
        genuine(records)
          .filter((order) => order.shipping_address?.city === 'Amsterdam' && isPickup(order.shipping_address))
          .map((order) => key(order.shipping_address)),
      ).size;
    expect(pointsIn(shifted)).toBeLessThan(pointsIn(base));
  });
});
