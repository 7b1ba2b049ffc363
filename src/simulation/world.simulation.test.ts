// Properties of a simulated world: reproducible, valid, in time order, with the fraud it was asked for.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  importRecordSchema,
  type ImportAccount,
  type ImportOrder,
  type ImportRecord,
} from '../ingest/import.schema.ts';
import { makeRecordSerializer } from './ndjson.simulation.ts';
import { typologies } from './options.simulation.ts';
import { simulatedCreditLimits } from './orders.simulation.ts';
import { simulate, type SimulationSummary } from './world.simulation.ts';

async function collect(
  options: Parameters<typeof simulate>[0],
): Promise<{ records: ImportRecord[]; summary: SimulationSummary }> {
  const records: ImportRecord[] = [];
  const summary = await simulate(options, { format: 'record', write: (record) => void records.push(record) });
  return { records, summary };
}

async function collectLines(options: Parameters<typeof simulate>[0]): Promise<string[]> {
  const lines: string[] = [];
  await simulate(options, { format: 'line', write: (line) => void lines.push(line) });
  return lines;
}

const orders = (records: ImportRecord[]) => records.filter((record): record is ImportOrder => record.type === 'order');
const accounts = (records: ImportRecord[]) =>
  records.filter((record): record is ImportAccount => record.type === 'account');
const addressKey = (address: ImportOrder['shipping_address']) => `${address?.postal_code} ${address?.house_number}`;

describe('simulate', () => {
  let world: { records: ImportRecord[]; summary: SimulationSummary };
  beforeAll(async () => {
    world = await collect({ orders: 20_000, seed: 7, fraudRate: 0.04, months: 4 });
  });

  it('gives the same bytes for the same seed, and different ones for another seed', async () => {
    const options = { orders: 2000, seed: 42, fraudRate: 0.05 };
    const first = await collectLines(options);
    expect(await collectLines(options)).toEqual(first);
    expect(await collectLines({ ...options, seed: 43 })).not.toEqual(first);
  });

  it('writes exactly the orders asked for, each line valid in the import format', async () => {
    expect(orders(world.records)).toHaveLength(20_000);
    const lines = await collectLines({ orders: 3000, seed: 3, fraudRate: 0.1, censorAtEnd: true });
    for (const line of lines) {
      const result = importRecordSchema.safeParse(JSON.parse(line));
      expect(result.error, line).toBeUndefined();
    }
  });

  it('keeps genuine customers within the credit limits their history was accepted under', () => {
    // Per account (or guest e-mail): what was still owed when each genuine order was placed, and unpaid invoices.
    const owed = new Map<string, { amount: number; until: number; unpaid: boolean }[]>();
    let checked = 0;
    for (const order of orders(world.records)) {
      if (order.fraud_kind !== undefined) continue;
      const key = order.account_id ?? order.customer?.email ?? '';
      const at = Date.parse(order.placed_at);
      const invoices = owed.get(key) ?? [];
      const open = invoices.filter((invoice) => invoice.until > at).reduce((sum, invoice) => sum + invoice.amount, 0);
      const unpaid = invoices.filter((invoice) => invoice.unpaid && invoice.until <= at).length;
      expect(open + order.amount.value, order.id).toBeLessThanOrEqual(simulatedCreditLimits.exposure);
      expect(unpaid, order.id).toBeLessThan(simulatedCreditLimits.unpaidInvoices);
      const until = order.outcome_at === undefined ? Number.POSITIVE_INFINITY : Date.parse(order.outcome_at);
      invoices.push({ amount: order.amount.value, until, unpaid: order.outcome === 'unpaid' });
      owed.set(key, invoices);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15_000);
  });

  it('serialises byte for byte as JSON.stringify would', () => {
    const recordLine = makeRecordSerializer();
    for (const record of world.records) expect(recordLine(record)).toBe(JSON.stringify(record));
  });

  it('keeps time order, with every account written before its first order', () => {
    let previous = '';
    const opened = new Map<string, string>();
    for (const record of world.records) {
      const at = record.type === 'account' ? record.created_at : record.placed_at;
      expect(at >= previous, `${at} after ${previous}`).toBe(true);
      previous = at;
      if (record.type === 'account') {
        expect(opened.has(record.id)).toBe(false);
        opened.set(record.id, record.created_at);
      } else if (record.account_id !== undefined) {
        expect(opened.get(record.account_id)! <= record.placed_at).toBe(true);
      } else {
        // A guest purchase: the import attaches it to a guest account per e-mail address.
        expect(record.typology).toBeUndefined();
      }
    }
  });

  it('respects the configured fraud rate approximately', () => {
    const fraud = orders(world.records).filter((order) => order.outcome === 'fraud_confirmed').length;
    expect(fraud).toBe(world.summary.fraudOrders);
    expect(fraud / 20_000).toBeGreaterThan(0.03);
    expect(fraud / 20_000).toBeLessThan(0.05);
  });

  it('labels every typology with its kind and a label time not before the order', () => {
    const seen = new Set<string>();
    for (const order of orders(world.records)) {
      if (order.typology === undefined) {
        expect(order.outcome).not.toBe('fraud_confirmed');
        continue;
      }
      seen.add(order.typology);
      expect(order.outcome).toBe('fraud_confirmed');
      expect(order.fraud_kind).toBe(order.typology === 'first_party' ? 'fraud_first_party' : 'fraud_third_party');
      expect(order.outcome_at! >= order.placed_at).toBe(true);
    }
    expect([...seen].sort()).toEqual([...typologies].sort());
  });

  it('has legitimate outcomes of every kind, settled after the order', () => {
    const outcomes = new Set(orders(world.records).map((order) => order.outcome));
    expect([...outcomes].sort()).toEqual(['fraud_confirmed', 'paid_late', 'paid_on_time', 'unpaid']);
    for (const order of orders(world.records)) expect(order.outcome_at! > order.placed_at).toBe(true);
  });

  it('misuses identity with the account holder details on file, from a device and address the holder never used', () => {
    const known = new Map<
      string,
      { names: Set<string>; emails: Set<string>; phones: Set<string>; devices: Set<string>; addresses: Set<string> }
    >();
    const entry = (id: string) => {
      let value = known.get(id);
      if (value === undefined)
        known.set(
          id,
          (value = {
            names: new Set(),
            emails: new Set(),
            phones: new Set(),
            devices: new Set(),
            addresses: new Set(),
          }),
        );
      return value;
    };
    for (const account of accounts(world.records)) {
      const value = entry(account.id);
      value.names.add(account.name ?? '');
      value.emails.add(account.email ?? '');
      value.phones.add(account.phone ?? '');
      value.addresses.add(addressKey(account.address));
    }
    // A first-party fraudster is the holder: their own orders show details (a new phone) the holder really had.
    const holderOwn = orders(world.records).filter(
      (order) => order.typology === undefined || order.typology === 'first_party',
    );
    for (const order of holderOwn) {
      const value = entry(order.account_id ?? '');
      value.names.add(order.customer?.name ?? '');
      value.emails.add(order.customer?.email ?? '');
      value.phones.add(order.customer?.phone ?? '');
      value.devices.add(order.device?.id ?? '');
      value.addresses.add(addressKey(order.shipping_address));
      value.addresses.add(addressKey(order.billing_address));
    }
    const misuse = orders(world.records).filter((order) => order.typology === 'identity_misuse');
    expect(misuse.length).toBeGreaterThan(20);
    for (const order of misuse) {
      const holder = known.get(order.account_id ?? '');
      expect(holder, order.account_id).toBeDefined();
      expect(holder!.names.has(order.customer?.name ?? '')).toBe(true);
      expect(holder!.emails.has(order.customer?.email ?? '')).toBe(true);
      expect(holder!.phones.has(order.customer?.phone ?? '')).toBe(true);
      expect(holder!.devices.has(order.device?.id ?? '')).toBe(false);
      expect(holder!.addresses.has(addressKey(order.shipping_address))).toBe(false);
    }
  });

  it('takes over accounts from a new device and ships to an address the holder never used', () => {
    const holderDevices = new Map<string, Set<string>>();
    for (const order of orders(world.records)) {
      if (order.typology === undefined) {
        const devices = holderDevices.get(order.account_id ?? '') ?? new Set<string>();
        devices.add(order.device?.id ?? '');
        holderDevices.set(order.account_id ?? '', devices);
      } else if (order.typology === 'account_takeover') {
        expect(holderDevices.get(order.account_id ?? '')?.has(order.device?.id ?? '') ?? false).toBe(false);
        expect(addressKey(order.shipping_address)).not.toBe(addressKey(order.billing_address));
      }
    }
  });

  it('leaves outcomes known only after the window open when asked to censor', async () => {
    const { records } = await collect({
      orders: 3000,
      seed: 5,
      months: 1,
      fraudRate: 0.05,
      censorAtEnd: true,
      start: '2025-03-01',
    });
    const open = orders(records).filter((order) => order.outcome === 'open');
    expect(open.length).toBeGreaterThan(0);
    for (const order of orders(records))
      expect(order.outcome_at === undefined || order.outcome_at <= '2025-03-31T10:33:36.000Z').toBe(true);
    for (const order of open) expect(order.typology).toBeUndefined();
  });

  it('writes no fraud at a fraud rate of zero', async () => {
    const { summary } = await collect({ orders: 2000, seed: 1, fraudRate: 0 });
    expect(summary.fraudOrders).toBe(0);
  });
});
