// In-process FeatureState: history applied in time order into compact tables; snapshots are point-in-time views.
import { isPossessionProof, type HistoryEvent } from '../engine.ts';
import { normaliseAddress } from '../normalise/address.normaliser.ts';
import { normaliseEmail } from '../normalise/email.normaliser.ts';
import { phoneKey } from '../normalise/phone.normaliser.ts';
import { orderKeys } from '../normalise/session.normaliser.ts';
import { AccountRecord, accountFromData, accountToData, touchKnown, type AccountData } from './account.record.ts';
import { indexAdd, indexFromData, indexGet, indexToData, type AccountIndex } from './account.index.ts';
import { EntityTable, type EntityTableData } from './entity.table.ts';
import { entityKinds, type EntityKind } from './feature-state.ts';
import type { AccountView, FeatureState, SnapshotQuery, StateSnapshot } from './feature-state.ts';
import { longestWindow } from './feature-state.ts';
import { hashText } from '../normalise/text.normaliser.ts';
import { pruneRecent } from './window.counter.ts';
import { OrderTable, type OrderStatus, type OrderTableData } from './order.table.ts';

export interface MemoryFeatureState extends FeatureState {
  /** Synchronous forms for replay and benchmarks; the async ones exist for the port. */
  applySync(event: HistoryEvent): void;
  snapshotSync(query: SnapshotQuery): StateSnapshot;
  sizes(): Readonly<Record<string, number>>;
  /**
   * The state as plain data for a snapshot (a copy: later changes to the state do not reach it, so it can be written
   * out a slice at a time while the state goes on), and loading one into a state that has applied nothing yet.
   */
  exportData(): StateData;
  importData(data: StateData): void;
  /**
   * Takes over the contents of a state rebuilt beside this one (after an erasure): a decision reads the old or the
   * new tables, never a mix, and the erased person's keys are gone with the old ones.
   */
  replaceWith(rebuilt: MemoryFeatureState): void;
}

type MemoryTables = Omit<MemoryFeatureState, 'replaceWith'>;
const tablesOf = new WeakMap<MemoryFeatureState, () => MemoryTables>();

export function makeMemoryFeatureState(): MemoryFeatureState {
  let tables = makeMemoryTables();
  const state: MemoryFeatureState = {
    applySync: (event) => tables.applySync(event),
    snapshotSync: (query) => tables.snapshotSync(query),
    exportData: () => tables.exportData(),
    importData: (data) => tables.importData(data),
    apply: async (event) => tables.applySync(event),
    snapshot: async (query) => tables.snapshotSync(query),
    sizes: () => tables.sizes(),
    replaceWith(rebuilt) {
      const current = tablesOf.get(rebuilt);
      if (current === undefined) throw new Error('not a memory feature state');
      tables = current();
    },
  };
  tablesOf.set(state, () => tables);
  return state;
}

const snapshotAccountsPerIndex = 5;
const sweepEvery = 1024;
/** Bump when the snapshot layout or the meaning of a stored field changes: an older snapshot is then rebuilt. */
export const stateDataVersion = 2;

/** The whole state in structured-clone-able form (v8.serialize), for the snapshot file. */
export interface StateData {
  readonly version: typeof stateDataVersion;
  readonly accounts: AccountData[];
  readonly tables: Readonly<Record<EntityKind, EntityTableData>>;
  readonly orders: OrderTableData;
  readonly indexes: { readonly email: Int32Array; readonly phone: Int32Array; readonly address: Int32Array };
  readonly applied: number;
  readonly latestAt: number;
  readonly accountSweepCursor: number;
}

/** Whether a known-entity list already holds this row last touched at exactly `at` (the same fact applied again). */
function alreadyTouched(list: readonly number[], row: number | undefined, at: number): boolean {
  if (row === undefined) return false;
  for (let index = 0; index < list.length; index += 4) if (list[index] === row && list[index + 2] === at) return true;
  return false;
}

function makeMemoryTables(): MemoryTables {
  const accounts: AccountRecord[] = [];
  const accountRows = new Map<string, number>();
  const devices = new EntityTable('device');
  const addresses = new EntityTable('address');
  const emails = new EntityTable('email');
  const phones = new EntityTable('phone');
  const ips = new EntityTable('ip');
  const ibans = new EntityTable('iban');
  const orders = new OrderTable();
  const byEmail: AccountIndex = new Map();
  const byPhone: AccountIndex = new Map();
  const byAddress: AccountIndex = new Map();
  let applied = 0;
  let latestAt = 0;
  let accountSweepCursor = 0;
  const keysOf = { device: devices.keys, address: addresses.keys, ip: ips.keys };
  const accountIdOf = (row: number): string => accounts[row]?.accountId ?? '';

  function accountRow(accountId: string, at: number): number {
    const existing = accountRows.get(accountId);
    if (existing !== undefined) return existing;
    const row = accounts.length;
    accounts.push(new AccountRecord(accountId, at));
    accountRows.set(accountId, row);
    return row;
  }

  /** One string per distinct key: indexes and accounts share the entity table's copy. */
  function intern(table: EntityTable, key: string): string {
    return table.keys[table.rowOf(key)] ?? key;
  }

  function addChannel(
    row: number,
    channel: 'email' | 'phone',
    key: string,
    channelId: string | null,
    at: number,
    verifiedAt: number | null,
  ): void {
    const account = accounts[row];
    if (account === undefined) return;
    const existing = account.channels.find((candidate) => candidate.channel === channel && candidate.key === key);
    if (existing === undefined) {
      key = intern(channel === 'email' ? emails : phones, key);
      account.channels = account.channels.concat([{ channelId, channel, key, addedAt: at, verifiedAt }]);
    } else {
      if (channelId !== null) existing.channelId = channelId;
      if (verifiedAt !== null) existing.verifiedAt = verifiedAt;
    }
    indexAdd(channel === 'email' ? byEmail : byPhone, key, row);
  }

  function setStatus(orderRow: number, next: OrderStatus): void {
    const previous = orders.status(orderRow);
    if (previous === next) return;
    const account = accounts[orders.account(orderRow)];
    const amount = orders.amount(orderRow);
    const delta = (status: OrderStatus, sign: number): void => {
      if (account === undefined) return;
      if (status === 'open') {
        account.openOrders += sign;
        account.openExposure += sign * amount;
      } else if (status === 'paid_on_time') account.paidOnTime += sign;
      else if (status === 'paid_late') account.paidLate += sign;
      else {
        account.unpaid += sign;
        for (const [table, row] of orders.entityRows(orderRow, { devices, addresses, emails, phones, ips, ibans }))
          table.adjustUnpaid(row, sign);
      }
    };
    delta(previous, -1);
    delta(next, 1);
    orders.setStatus(orderRow, next);
  }

  function applySync(event: HistoryEvent): void {
    latestAt = Math.max(latestAt, event.at);
    switch (event.kind) {
      case 'account': {
        const row = accountRow(event.accountId, event.at);
        const account = accounts[row]!;
        if (event.name !== null) account.name = event.name;
        if (event.dateOfBirth !== null) account.dateOfBirth = event.dateOfBirth;
        if (event.address !== null) {
          const homeKey = intern(addresses, normaliseAddress(event.address).key);
          account.homeAddressKey = homeKey;
          indexAdd(byAddress, homeKey, row);
        }
        const email = event.email === null ? null : normaliseEmail(event.email);
        if (email !== null) addChannel(row, 'email', email.key, null, event.at, null);
        const phone = event.phone === null ? null : phoneKey(event.phone);
        if (phone !== null) addChannel(row, 'phone', phone, null, event.at, null);
        break;
      }
      case 'channel': {
        const row = accountRow(event.accountId, event.at);
        const key = event.channel === 'email' ? normaliseEmail(event.value)?.key : phoneKey(event.value);
        if (key !== undefined && key !== null)
          addChannel(row, event.channel, key, event.channelId, event.at, event.verifiedAt);
        break;
      }
      case 'order':
      case 'normalised_order': {
        // Applying is idempotent: a replay after a snapshot may bring an order the live state already has.
        if (orders.rowOf(event.orderId) !== undefined) break;
        const row = accountRow(event.accountId, event.at);
        const account = accounts[row]!;
        const session = event.kind === 'order' ? orderKeys(event.session) : event.keys;
        const amount = session.amount;
        // An account known only from orders still needs channels and an address to be found by.
        if (session.emailKey !== null && !account.channels.some((channel) => channel.channel === 'email'))
          addChannel(row, 'email', session.emailKey, null, event.at, null);
        if (session.phoneKey !== null && !account.channels.some((channel) => channel.channel === 'phone'))
          addChannel(row, 'phone', session.phoneKey, null, event.at, null);
        if (account.homeAddressKey === null) {
          const homeKey = intern(addresses, session.billingKey);
          account.homeAddressKey = homeKey;
          indexAdd(byAddress, homeKey, row);
        }
        account.recordOrder(event.at, amount);
        const emailHash = session.emailKey === null ? 0 : hashText(session.emailKey) || 1;
        const record = (table: EntityTable, key: string | null): number => {
          if (key === null) return -1;
          const entityRow = table.rowOf(key);
          table.recordOrder(entityRow, event.at, amount, row, session.nameHash, session.surnameHash, emailHash);
          return entityRow;
        };
        const deviceRow = record(devices, session.deviceKey);
        const addressRow = record(addresses, session.shippingKey);
        const emailRow = record(emails, session.emailKey);
        const phoneRow = record(phones, session.phoneKey);
        const ipRow = record(ips, session.ip);
        const ibanRow = record(ibans, session.ibanKey);
        if (deviceRow >= 0) account.devices = touchKnown(account.devices, deviceRow, event.at);
        account.shippingAddresses = touchKnown(account.shippingAddresses, addressRow, event.at);
        if (ipRow >= 0) account.ips = touchKnown(account.ips, ipRow, event.at);
        orders.add(event.orderId, {
          accountRow: row,
          amount,
          deviceRow,
          addressRow,
          emailRow,
          phoneRow,
          ipRow,
          ibanRow,
        });
        break;
      }
      case 'payment': {
        const orderRow = orders.rowOf(event.orderId);
        if (orderRow !== undefined) setStatus(orderRow, event.outcome);
        break;
      }
      case 'exposure': {
        // Only an open order counts towards exposure; a settled or unpaid one keeps its history as it was.
        const orderRow = orders.rowOf(event.orderId);
        if (orderRow === undefined) break;
        const account = accounts[orders.account(orderRow)];
        if (account !== undefined && orders.status(orderRow) === 'open') {
          account.openExposure += event.amount - orders.amount(orderRow);
        }
        orders.setAmount(orderRow, event.amount);
        break;
      }
      case 'label': {
        const orderRow = orders.rowOf(event.orderId);
        if (orderRow === undefined) break;
        const previous = orders.label(orderRow);
        if (previous === event.label) break;
        const account = accounts[orders.account(orderRow)];
        const adjust = (label: string | null, sign: number): void => {
          if (label === null || label === 'legit' || account === undefined) return;
          if (label === 'fraud_third_party') account.thirdPartyFraudOrders += sign;
          else account.firstPartyFraudOrders += sign;
          for (const [table, row] of orders.entityRows(orderRow, { devices, addresses, emails, phones, ips, ibans }))
            table.adjustFraud(row, sign, event.at);
        };
        adjust(previous, -1);
        adjust(event.label, 1);
        orders.setLabel(orderRow, event.label);
        break;
      }
      case 'verification': {
        const account = accounts[accountRow(event.accountId, event.at)]!;
        if (isPossessionProof(event.method) && account.identityProvenAt === null) account.identityProvenAt = event.at;
        const key = event.deviceId?.trim() || null;
        if (key === null || alreadyTouched(account.verifiedDevices, devices.index.get(key), event.at)) break;
        account.verifiedDevices = touchKnown(account.verifiedDevices, devices.rowOf(key), event.at);
        break;
      }
      case 'bank_identity': {
        const account = accounts[accountRow(event.accountId, event.at)]!;
        if (event.outcome === 'linked') account.bankLinkedAt ??= event.at;
        else if (!account.bankConflictTimes?.includes(event.at))
          account.bankConflictTimes = (account.bankConflictTimes ?? []).concat([event.at]);
        break;
      }
      case 'preference': {
        accounts[accountRow(event.accountId, event.at)]!.alwaysVerify = event.alwaysVerify;
        break;
      }
    }
    applied += 1;
    if (applied % sweepEvery === 0) sweep();
  }

  function sweep(): void {
    const cutoff = latestAt - longestWindow;
    for (const table of [devices, addresses, emails, phones, ips, ibans]) table.sweep(cutoff, sweepEvery);
    for (let step = 0; step < sweepEvery && accounts.length > 0; step += 1) {
      accountSweepCursor = (accountSweepCursor + 1) % accounts.length;
      const account = accounts[accountSweepCursor]!;
      if (account.recent !== undefined && !pruneRecent(account.recent, cutoff)) account.recent = undefined;
    }
  }

  const keyRows = {
    rowOf: (table: 'email' | 'phone' | 'address', key: string) => tableOf[table].rowOf(key),
    keyOf: (table: 'email' | 'phone' | 'address', row: number) => tableOf[table].keys[row] ?? '',
  };
  const tableOf = { email: emails, phone: phones, address: addresses };
  const tables: Record<EntityKind, EntityTable> = {
    device: devices,
    address: addresses,
    email: emails,
    phone: phones,
    ip: ips,
    iban: ibans,
  };

  function exportData(): StateData {
    return {
      version: stateDataVersion,
      accounts: accounts.map((account) => accountToData(account, keyRows)),
      indexes: {
        email: indexToData(byEmail, emails),
        phone: indexToData(byPhone, phones),
        address: indexToData(byAddress, addresses),
      },
      // After the accounts and indexes: turning their keys into rows may intern a key, which must be in the tables.
      tables: Object.fromEntries(entityKinds.map((kind) => [kind, tables[kind].toData()])) as StateData['tables'],
      orders: orders.toData(),
      applied,
      latestAt,
      accountSweepCursor,
    };
  }

  function importData(data: StateData): void {
    if (applied > 0 || accounts.length > 0) throw new Error('a snapshot loads only into an empty state');
    for (const kind of entityKinds) tables[kind].load(data.tables[kind]);
    for (const account of data.accounts) {
      accountRows.set(account[0], accounts.length);
      accounts.push(accountFromData(account, keyRows));
    }
    orders.load(data.orders);
    indexFromData(byEmail, data.indexes.email, emails);
    indexFromData(byPhone, data.indexes.phone, phones);
    indexFromData(byAddress, data.indexes.address, addresses);
    applied = data.applied;
    latestAt = data.latestAt;
    accountSweepCursor = data.accountSweepCursor;
  }

  function snapshotSync(query: SnapshotQuery): StateSnapshot {
    const views = new Map<string, AccountView>();
    const idsFor = (rows: readonly number[]): string[] => {
      const ids: string[] = [];
      for (const row of rows.slice(0, snapshotAccountsPerIndex)) {
        const account = accounts[row];
        if (account === undefined || account.createdAt >= query.at) continue;
        if (!views.has(account.accountId)) views.set(account.accountId, account.view(query.at, keysOf));
        ids.push(account.accountId);
      }
      return ids;
    };
    const onFile = (ids: string[], channel: 'email' | 'phone', key: string | null): string[] =>
      ids.filter((id) => views.get(id)?.channels.some((entry) => entry.channel === channel && entry.key === key));
    return {
      at: query.at,
      accountsByEmail: onFile(idsFor(indexGet(byEmail, query.emailKey)), 'email', query.emailKey),
      accountsByPhone: onFile(idsFor(indexGet(byPhone, query.phoneKey)), 'phone', query.phoneKey),
      accountsByBillingAddress: idsFor(indexGet(byAddress, query.billingAddressKey)),
      accounts: views,
      device: devices.view(query.deviceKey, query.at, accountIdOf),
      email: emails.view(query.emailKey, query.at, accountIdOf),
      phone: phones.view(query.phoneKey, query.at, accountIdOf),
      billingAddress: addresses.view(query.billingAddressKey, query.at, accountIdOf),
      shippingAddress: addresses.view(query.shippingAddressKey, query.at, accountIdOf),
      ip: ips.view(query.ip, query.at, accountIdOf),
      iban: ibans.view(query.ibanKey, query.at, accountIdOf),
    };
  }

  return {
    applySync,
    snapshotSync,
    exportData,
    importData,
    apply: async (event) => applySync(event),
    snapshot: async (query) => snapshotSync(query),
    sizes: () => ({
      accounts: accounts.length,
      orders: orders.size,
      devices: devices.size,
      addresses: addresses.size,
      emails: emails.size,
      phones: phones.size,
      ips: ips.size,
      ibans: ibans.size,
    }),
  };
}
