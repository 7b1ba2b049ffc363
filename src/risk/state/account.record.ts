// One account's running history in the in-memory state, and its read-only view at a point in time.
import type { AccountView, ChannelView, KnownEntity } from './feature-state.ts';
import { appendRecent, windowTotals, type RecentList } from './window.counter.ts';

export interface ChannelRecord {
  /** null for channels known only from the account record: the id is derived when read, saving a string per account. */
  channelId: string | null;
  readonly channel: 'email' | 'phone';
  readonly key: string;
  readonly addedAt: number;
  verifiedAt: number | null;
}

/** Flat [row, firstSeenAt, lastSeenAt, orders, ...]: an account uses few devices/addresses/IPs, objects would cost more. */
export type KnownList = number[];
const knownStride = 4;

/**
 * Returns the list to keep. A new entry makes a new, exactly sized array (concat): `push` or spread reserve slack, and
 * with three lists per account that slack was the largest single cost of the state.
 */
export function touchKnown(list: KnownList, row: number, at: number): KnownList {
  for (let index = 0; index < list.length; index += knownStride) {
    if (list[index] === row) {
      list[index + 2] = at;
      list[index + 3] = (list[index + 3] ?? 0) + 1;
      return list;
    }
  }
  return list.concat([row, at, at, 1]);
}

function knownView(list: KnownList, at: number, keys: readonly string[]): KnownEntity[] {
  const result: KnownEntity[] = [];
  for (let index = 0; index < list.length; index += knownStride) {
    const firstSeenAt = list[index + 1] ?? 0;
    if (firstSeenAt >= at) continue;
    result.push({
      key: keys[list[index] ?? 0] ?? '',
      firstSeenAt,
      lastSeenAt: Math.min(list[index + 2] ?? 0, at),
      orders: list[index + 3] ?? 0,
    });
  }
  return result;
}

export class AccountRecord {
  createdAt: number;
  name: string | null = null;
  dateOfBirth: string | null = null;
  homeAddressKey: string | null = null;
  channels: ChannelRecord[] = [];
  orders = 0;
  paidOnTime = 0;
  paidLate = 0;
  unpaid = 0;
  openOrders = 0;
  openExposure = 0;
  thirdPartyFraudOrders = 0;
  firstPartyFraudOrders = 0;
  amountSum = 0;
  amountMax = 0;
  firstOrderAt: number | null = null;
  lastOrderAt: number | null = null;
  alwaysVerify = false;
  identityProvenAt: number | null = null;
  /** When a bank identification first linked the person's bank subject; times a different subject came along. */
  bankLinkedAt: number | null = null;
  bankConflictTimes: number[] | undefined = undefined;
  devices: KnownList = [];
  /** Devices on which the holder passed a step-up; [row, firstVerifiedAt, lastVerifiedAt, count]. */
  verifiedDevices: KnownList = [];
  shippingAddresses: KnownList = [];
  ips: KnownList = [];
  recent: RecentList | undefined = undefined;

  constructor(
    readonly accountId: string,
    createdAt: number,
  ) {
    this.createdAt = createdAt;
  }

  recordOrder(at: number, amount: number): void {
    this.orders += 1;
    this.openOrders += 1;
    this.openExposure += amount;
    this.amountSum += amount;
    if (amount > this.amountMax) this.amountMax = amount;
    if (this.firstOrderAt === null) this.firstOrderAt = at;
    this.lastOrderAt = at;
    this.recent = appendRecent(this.recent, at, amount);
  }

  view(
    at: number,
    keysOf: { device: readonly string[]; address: readonly string[]; ip: readonly string[] },
  ): AccountView {
    const channels: ChannelView[] = this.channels
      .filter((channel) => channel.addedAt < at)
      .map((channel) => ({
        channelId: channel.channelId ?? `${this.accountId}:${channel.channel}`,
        channel: channel.channel,
        key: channel.key,
        addedAt: channel.addedAt,
        verifiedAt: channel.verifiedAt !== null && channel.verifiedAt < at ? channel.verifiedAt : null,
      }));
    return {
      accountId: this.accountId,
      createdAt: this.createdAt,
      name: this.name,
      dateOfBirth: this.dateOfBirth,
      homeAddressKey: this.homeAddressKey,
      // Address keys start with country and postal code ("NL|1012LG|12|A"), so the postcode needs no field of its own.
      homePostalCode: this.homeAddressKey?.split('|')[1] ?? null,
      channels,
      orders: this.orders,
      paidOnTime: this.paidOnTime,
      paidLate: this.paidLate,
      unpaid: this.unpaid,
      openOrders: this.openOrders,
      openExposure: this.openExposure,
      thirdPartyFraudOrders: this.thirdPartyFraudOrders,
      firstPartyFraudOrders: this.firstPartyFraudOrders,
      amountSum: this.amountSum,
      amountMax: this.amountMax,
      firstOrderAt: this.firstOrderAt,
      lastOrderAt: this.lastOrderAt,
      alwaysVerify: this.alwaysVerify,
      identityProvenAt: this.identityProvenAt !== null && this.identityProvenAt < at ? this.identityProvenAt : null,
      bankIdentifiedAt: this.bankLinkedAt !== null && this.bankLinkedAt < at ? this.bankLinkedAt : null,
      bankSubjectConflicts: this.bankConflictTimes?.filter((time) => time < at).length ?? 0,
      devices: knownView(this.devices, at, keysOf.device),
      verifiedDevices: knownView(this.verifiedDevices, at, keysOf.device),
      shippingAddresses: knownView(this.shippingAddresses, at, keysOf.address),
      ips: knownView(this.ips, at, keysOf.ip),
      windows: windowTotals(this.recent, at),
    };
  }
}

/** How an account's interned keys are stored in a snapshot: as rows of the entity tables that hold the strings. */
export interface KeyRows {
  rowOf(table: 'email' | 'phone' | 'address', key: string): number;
  keyOf(table: 'email' | 'phone' | 'address', row: number): string;
}

/** A channel in a snapshot: [channelId, 'email' | 'phone', key row, addedAt, verifiedAt]. */
type ChannelData = [string | null, 'email' | 'phone', number, number, number | null];

/** An account in a snapshot, as a tuple: field names repeated per account would double the file. */
export type AccountData = [
  accountId: string,
  createdAt: number,
  name: string | null,
  dateOfBirth: string | null,
  homeAddressRow: number,
  channels: ChannelData[],
  counters: number[],
  firstOrderAt: number | null,
  lastOrderAt: number | null,
  alwaysVerify: boolean,
  identityProvenAt: number | null,
  bankLinkedAt: number | null,
  bankConflictTimes: number[] | undefined,
  known: [KnownList, KnownList, KnownList, KnownList],
  recent: RecentList | undefined,
];

const counterFields = [
  'orders',
  'paidOnTime',
  'paidLate',
  'unpaid',
  'openOrders',
  'openExposure',
  'thirdPartyFraudOrders',
  'firstPartyFraudOrders',
  'amountSum',
  'amountMax',
] as const;

export function accountToData(account: AccountRecord, keys: KeyRows): AccountData {
  return [
    account.accountId,
    account.createdAt,
    account.name,
    account.dateOfBirth,
    account.homeAddressKey === null ? -1 : keys.rowOf('address', account.homeAddressKey),
    account.channels.map((channel) => [
      channel.channelId,
      channel.channel,
      keys.rowOf(channel.channel, channel.key),
      channel.addedAt,
      channel.verifiedAt,
    ]),
    counterFields.map((field) => account[field]),
    account.firstOrderAt,
    account.lastOrderAt,
    account.alwaysVerify,
    account.identityProvenAt,
    account.bankLinkedAt,
    account.bankConflictTimes?.slice(),
    // Copies: these lists change in place, and a snapshot is serialised a slice at a time after this cut.
    [account.devices.slice(), account.verifiedDevices.slice(), account.shippingAddresses.slice(), account.ips.slice()],
    account.recent?.slice(),
  ];
}

export function accountFromData(data: AccountData, keys: KeyRows): AccountRecord {
  const account = new AccountRecord(data[0], data[1]);
  account.name = data[2];
  account.dateOfBirth = data[3];
  account.homeAddressKey = data[4] < 0 ? null : keys.keyOf('address', data[4]);
  account.channels = data[5].map(([channelId, channel, row, addedAt, verifiedAt]) => ({
    channelId,
    channel,
    key: keys.keyOf(channel, row),
    addedAt,
    verifiedAt,
  }));
  counterFields.forEach((field, index) => (account[field] = data[6][index] ?? 0));
  account.firstOrderAt = data[7];
  account.lastOrderAt = data[8];
  account.alwaysVerify = data[9];
  account.identityProvenAt = data[10];
  account.bankLinkedAt = data[11];
  account.bankConflictTimes = data[12];
  [account.devices, account.verifiedDevices, account.shippingAddresses, account.ips] = data[13];
  account.recent = data[14];
  return account;
}
