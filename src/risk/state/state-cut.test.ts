// A cut holds the state as it was when taken, whatever is applied while its frames are made (copy-on-write).
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../engine.ts';
import { assembleState, makeMemoryFeatureState, type FrameSizes, type StateFrame } from './memory.feature-state.ts';

const day = 86_400_000;
const start = Date.UTC(2026, 0, 1);
/** Customers with orders in both parts. */
const accounts = 60;
/**
 * Customers with orders in the first part only: in the second, each is touched by one kind of fact alone (or only by
 * the sweep), so a change that skipped the cut's copy would show in the cut.
 */
const quiet = 20;

const address = (n: number) => ({
  street: 'Damrak',
  house_number: String(n),
  postal_code: `10${String(10 + (n % 80)).padStart(2, '0')}AB`,
  city: 'Amsterdam',
  country: 'NL' as const,
});

/**
 * Every kind of fact, touching accounts, entities and orders made before (from `from` on, a day apart per 50): new
 * accounts and channels, orders on shared devices, IPs and addresses, payments, exposure changes, labels,
 * verifications, bank identities and preferences. Late enough (`at`) that the sweep prunes lists of the first part.
 */
function facts(from: number, count: number, at: number, customers: number): HistoryEvent[] {
  const list: HistoryEvent[] = [];
  for (let index = from; index < from + count; index += 1) {
    const customer = index % customers;
    const accountId = `account-${customer}`;
    const time = at + index * 1_800_000;
    if (index < customers || index % 97 === 0)
      list.push({
        kind: 'account',
        accountId: index < customers ? accountId : `account-new-${index}`,
        at: time,
        name: `Person ${customer}`,
        email: `person${customer}@example.nl`,
        phone: `+316${String(12_340_000 + customer)}`,
        dateOfBirth: '1980-02-03',
        address: address(customer),
      });
    if (index % 11 === 0)
      list.push({
        kind: 'channel',
        accountId,
        channelId: `channel-${index}`,
        channel: index % 2 === 0 ? 'email' : 'phone',
        value: index % 2 === 0 ? `other${index % 7}@example.nl` : `+316${String(22_340_000 + (index % 7))}`,
        verifiedAt: index % 3 === 0 ? time : null,
        at: time,
      });
    list.push({
      kind: 'normalised_order',
      orderId: `order-${index}`,
      accountId,
      at: time + 1,
      keys: {
        amount: 2000 + (index % 900),
        emailKey: `person${customer}@example.nl`,
        phoneKey: `+316${String(12_340_000 + customer)}`,
        nameHash: 1000 + customer,
        surnameHash: 2000 + (customer % 9),
        billingKey: `NL|10${customer % 80}AB|${customer}`,
        shippingKey: `NL|10${index % 80}AB|${index % 37}`,
        deviceKey: `device-${index % 41}`,
        ip: `203.0.113.${index % 29}`,
        ibanKey: index % 5 === 0 ? `NL91ABNA04171643${String(customer).padStart(2, '0')}` : null,
      },
    });
    const earlier = `order-${Math.max(0, index - 13)}`;
    if (index % 3 === 0)
      list.push({
        kind: 'payment',
        orderId: earlier,
        at: time + 2,
        outcome: index % 9 === 0 ? 'unpaid' : 'paid_on_time',
      });
    if (index % 7 === 0) list.push({ kind: 'exposure', orderId: earlier, at: time + 3, amount: 1500 + index });
    if (index % 17 === 0)
      list.push({ kind: 'label', orderId: earlier, at: time + 4, label: index % 2 ? 'fraud_third_party' : 'legit' });
    if (index % 19 === 0)
      list.push({ kind: 'verification', accountId, at: time + 5, method: 'otp_sms', deviceId: `device-${index % 41}` });
    if (index % 23 === 0)
      list.push({ kind: 'bank_identity', accountId, at: time + 6, outcome: index % 2 ? 'linked' : 'conflict' });
    if (index % 29 === 0) list.push({ kind: 'preference', accountId, at: time + 7, alwaysVerify: index % 2 === 0 });
  }
  return list;
}

/** Facts for the quiet customers: a preference, a verification and a label, or a bank identity (a quarter get none). */
function quietFacts(at: number): HistoryEvent[] {
  const list: HistoryEvent[] = [];
  for (let customer = accounts; customer < accounts + quiet; customer += 1) {
    const accountId = `account-${customer}`;
    const time = at + customer * 60_000;
    const kind = customer % 4;
    if (kind === 0) list.push({ kind: 'preference', accountId, at: time, alwaysVerify: true });
    else if (kind === 1) {
      list.push({ kind: 'verification', accountId, at: time, method: 'passkey', deviceId: `device-quiet-${customer}` });
      // One of its own orders of the first part (its e-mail and phone rows are touched by nothing else now).
      list.push({ kind: 'label', orderId: `order-${1360 + customer}`, at: time + 1, label: 'fraud_first_party' });
    } else if (kind === 2) list.push({ kind: 'bank_identity', accountId, at: time, outcome: 'conflict' });
  }
  return list;
}

const before = facts(0, 1500, start, accounts + quiet);
// After the first part's windows (30 days and more later): the sweep prunes and drops the lists it made. The quiet
// customers' facts come first, before a sweep (which prunes their lists) has copied them for the cut.
const during = [...quietFacts(start + 120 * day), ...facts(1500, 1500, start + 121 * day, accounts)];

function stateOf(list: readonly HistoryEvent[]) {
  const state = makeMemoryFeatureState();
  for (const event of list) state.applySync(event);
  return state;
}

/** Frames of a few rows each, so that facts land between the frames of every part of the state. */
const small: FrameSizes = { accounts: 4, entityRows: 5, orderRows: 40, orderIndexPairs: 50, indexKeys: 3 };

/** Takes a cut of the state after `before`, applying `during` a few facts after each frame (and some before any). */
function cutWhileApplying(firstBeforeAnyFrame: number, perFrame: number) {
  const live = stateOf(before);
  const cut = live.cut(small);
  let next = 0;
  const apply = (count: number) => {
    for (const end = Math.min(during.length, next + count); next < end; next += 1) live.applySync(during[next]!);
  };
  apply(firstBeforeAnyFrame);
  const frames: StateFrame[] = [];
  for (const frame of cut.frames) {
    frames.push(frame);
    apply(perFrame);
  }
  cut.release();
  apply(during.length);
  return { live, frames };
}

describe('state cut', () => {
  const expected = stateOf(before).exportData();
  const combined = stateOf([...before, ...during]).exportData();

  it('covers every part of the state in many frames', () => {
    const { frames } = cutWhileApplying(0, 0);
    const kinds = new Set(frames.map((frame) => frame[0]));
    expect([...kinds].sort()).toEqual([
      'accounts',
      'index',
      'meta',
      'orderIndex',
      'orderRows',
      'orders',
      'table',
      'tableRows',
    ]);
    expect(frames.length).toBeGreaterThan(100);
  });

  it.each([
    ['every fact applied before the first frame', during.length, 0],
    ['facts applied between the frames', 0, 3],
    ['some before, the rest between', 400, 2],
  ])('holds the state as it was at the cut: %s', (_name, first, perFrame) => {
    const { live, frames } = cutWhileApplying(first, perFrame);
    const assembled = assembleState(frames);
    if (typeof assembled === 'string') throw new Error(assembled);
    expect(assembled).toEqual(expected);
    // The live state went on as if no cut had been taken.
    expect(live.exportData()).toEqual(combined);
  });

  it('a loaded cut decides as the state it was taken from', () => {
    const { frames } = cutWhileApplying(0, 5);
    const assembled = assembleState(frames);
    if (typeof assembled === 'string') throw new Error(assembled);
    const loaded = makeMemoryFeatureState();
    loaded.importData(assembled);
    const original = stateOf(before);
    for (let customer = 0; customer < accounts; customer += 7) {
      const query = {
        at: start + 40 * day,
        emailKey: `person${customer}@example.nl`,
        phoneKey: `+316${String(12_340_000 + customer)}`,
        billingAddressKey: `NL|10${customer % 80}AB|${customer}`,
        shippingAddressKey: `NL|10${customer % 80}AB|${customer % 37}`,
        deviceKey: `device-${customer % 41}`,
        ip: `203.0.113.${customer % 29}`,
        ibanKey: null,
      };
      expect(loaded.snapshotSync(query)).toEqual(original.snapshotSync(query));
    }
    // And goes on from there as the original would.
    for (const event of during) loaded.applySync(event);
    expect(loaded.exportData()).toEqual(combined);
  });

  it('one cut at a time; a released cut lets the next one be taken', () => {
    const state = stateOf(before);
    const first = state.cut(small);
    expect(() => state.cut(small)).toThrow(/already being cut/);
    first.release();
    expect(state.exportData()).toEqual(expected);
  });
});
