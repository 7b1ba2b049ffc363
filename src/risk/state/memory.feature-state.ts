// In-process FeatureState: history applied in time order into compact tables; snapshots are point-in-time views.
import { isPossessionProof, type HistoryEvent } from '../engine.ts';
import { normaliseAddress } from '../normalise/address.normaliser.ts';
import { normaliseEmail } from '../normalise/email.normaliser.ts';
import { phoneKey } from '../normalise/phone.normaliser.ts';
import { orderKeys } from '../normalise/session.normaliser.ts';
import { AccountRecord, accountFromData, accountToData, touchKnown, type AccountData } from './account.record.ts';
import { indexAdd, indexCutPart, indexFromData, indexGet, type AccountIndex } from './account.index.ts';
import {
  EntityTable,
  joinEntityRows,
  type EntityRows,
  type EntityTableData,
  type EntityTableHead,
} from './entity.table.ts';
import { entityKinds, type EntityKind } from './feature-state.ts';
import type { AccountView, FeatureState, SnapshotQuery, StateSnapshot } from './feature-state.ts';
import { longestWindow } from './feature-state.ts';
import { hashText } from '../normalise/text.normaliser.ts';
import { pruneRecent } from './window.counter.ts';
import { OrderTable, type OrderRowsData, type OrderStatus, type OrderTableData } from './order.table.ts';
import { GrowOnlyCut, RowCut } from './row-cut.ts';
import { joinTypedArrays } from './flat-lists.ts';

export interface MemoryFeatureState extends FeatureState {
  /** Synchronous forms for replay and benchmarks; the async ones exist for the port. */
  applySync(event: HistoryEvent): void;
  snapshotSync(query: SnapshotQuery): StateSnapshot;
  sizes(): Readonly<Record<string, number>>;
  /**
   * A cut of the state for a snapshot, handed out as frames a slice at a time while the state goes on: every frame
   * holds the state as it was when `cut` was called (nothing is copied then; a row is copied only if it changes before
   * its frame is made). `release` ends it, whether or not every frame was taken.
   */
  cut(sizes?: FrameSizes): StateCut;
  /** The whole state as plain data (a cut taken at once), and loading one into a state that has applied nothing yet. */
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
    cut: (sizes) => tables.cut(sizes),
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
export const stateDataVersion = 3;
/**
 * What one frame of a cut holds at most: no frame (and no single serialise or deserialise call) grows with the whole
 * history, and making one frame is the longest the event loop is held while a snapshot is written.
 */
export interface FrameSizes {
  readonly accounts: number;
  readonly entityRows: number;
  readonly orderRows: number;
  readonly orderIndexPairs: number;
  readonly indexKeys: number;
}
const frameSizes: FrameSizes = {
  accounts: 2_000,
  entityRows: 10_000,
  orderRows: 50_000,
  orderIndexPairs: 50_000,
  indexKeys: 10_000,
};

type IndexName = 'email' | 'phone' | 'address';
const indexNames: readonly IndexName[] = ['email', 'phone', 'address'];

type StateMeta = Pick<StateData, 'version' | 'applied' | 'latestAt' | 'accountSweepCursor'>;

/** A cut's frames, in the order they are made: what one turn of the event loop makes. */
export type StateFrame =
  | readonly ['meta', StateMeta]
  | readonly ['table', EntityKind, EntityTableHead]
  | readonly ['tableRows', EntityKind, EntityRows]
  | readonly ['orders', { readonly count: number }]
  | readonly ['orderRows', OrderRowsData]
  | readonly ['orderIndex', Int32Array]
  | readonly ['index', IndexName, Int32Array]
  | readonly ['accounts', AccountData[]];

export interface StateCut {
  /** Made one at a time as they are taken (a generator): take them over several turns of the event loop. */
  readonly frames: Iterable<StateFrame>;
  release(): void;
}

/** A whole state from a cut's frames, or why it cannot be one. */
export function assembleState(frames: Iterable<StateFrame>): StateData | string {
  let meta: StateMeta | undefined;
  const heads: Partial<Record<EntityKind, EntityTableHead>> = {};
  const rows: Record<string, EntityRows[]> = {};
  let orderCount: number | undefined;
  const orderRows: OrderRowsData[] = [];
  const orderIndex: Int32Array[] = [];
  const indexParts: Record<IndexName, Int32Array[]> = { email: [], phone: [], address: [] };
  const accounts: AccountData[] = [];
  for (const frame of frames) {
    if (frame[0] === 'meta') meta = frame[1];
    else if (frame[0] === 'table') heads[frame[1]] = frame[2];
    else if (frame[0] === 'tableRows') (rows[frame[1]] ??= []).push(frame[2]);
    else if (frame[0] === 'orders') orderCount = frame[1].count;
    else if (frame[0] === 'orderRows') orderRows.push(frame[1]);
    else if (frame[0] === 'orderIndex') orderIndex.push(frame[1]);
    else if (frame[0] === 'index') indexParts[frame[1]].push(frame[2]);
    else for (const account of frame[1]) accounts.push(account);
  }
  if (!meta || orderCount === undefined || entityKinds.some((kind) => heads[kind] === undefined))
    return 'incomplete body';
  if (meta.version !== stateDataVersion) return `state layout ${String(meta.version)}`;
  const tables = {} as Record<EntityKind, EntityTableData>;
  for (const kind of entityKinds) {
    const head = heads[kind]!;
    const parts = rows[kind] ?? [];
    let expected = 0;
    for (const part of parts) {
      if (part.from !== expected) return `${kind} rows out of order`;
      expected += part.keys.length;
    }
    if (expected !== head.size) return `${kind} rows incomplete`;
    tables[kind] = { head, rows: parts.length === 0 ? joinEntityRows([emptyRows]) : joinEntityRows(parts) };
  }
  let expectedOrder = 0;
  for (const part of orderRows) {
    if (part.from !== expectedOrder) return 'order rows out of order';
    expectedOrder += part.amounts.length;
  }
  if (expectedOrder !== orderCount) return 'order rows incomplete';
  const ints = (parts: readonly Int32Array[]) => joinTypedArrays(parts, (length) => new Int32Array(length));
  const bytes = (parts: readonly Uint8Array[]) => joinTypedArrays(parts, (length) => new Uint8Array(length));
  return {
    ...meta,
    tables,
    orders: {
      count: orderCount,
      from: 0,
      columns: ints(orderRows.map((part) => part.columns)),
      amounts: joinTypedArrays(
        orderRows.map((part) => part.amounts),
        (length) => new Float64Array(length),
      ),
      statuses: bytes(orderRows.map((part) => part.statuses)),
      labelCodes: bytes(orderRows.map((part) => part.labelCodes)),
      index: ints(orderIndex),
    },
    indexes: { email: ints(indexParts.email), phone: ints(indexParts.phone), address: ints(indexParts.address) },
    accounts,
  };
}

const noLists = { values: new Float64Array(0), lengths: new Int32Array(0) };
const noFloats = new Float64Array(0);
const noInts = new Int32Array(0);
const emptyRows: EntityRows = {
  from: 0,
  keys: [],
  columns: {
    firstSeen: noFloats,
    lastSeen: noFloats,
    lastFraudAt: noFloats,
    orders: noInts,
    unpaid: noInts,
    fraud: noInts,
    accountsFirst: noInts,
    accountsCount: noInts,
    namesFirst: noInts,
    namesCount: noInts,
    surnamesFirst: noInts,
    surnamesCount: noInts,
  },
  recent: noLists,
  parties: noLists,
  accounts: noLists,
  names: noLists,
  surnames: noLists,
};

/** The whole state in structured-clone-able form (v8.serialize), for the snapshot file. */
export interface StateData {
  readonly version: typeof stateDataVersion;
  readonly accounts: AccountData[];
  readonly tables: Readonly<Record<EntityKind, EntityTableData>>;
  readonly orders: OrderTableData;
  readonly indexes: Readonly<Record<IndexName, Int32Array>>;
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
  /** The cut being written, if any: accounts it has not reached are copied before they change, index lengths kept. */
  let cutting: {
    readonly accounts: RowCut<AccountData>;
    readonly indexes: Record<IndexName, GrowOnlyCut<string>>;
  } | null = null;

  /** An account about to change: a cut being written keeps it as it was first, if it has not written it yet. */
  function writable(row: number): AccountRecord | undefined {
    const account = accounts[row];
    if (cutting !== null && account !== undefined) cutting.accounts.keep(row, () => accountToData(account, keyRows));
    return account;
  }
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
    const account = writable(row);
    if (account === undefined) return;
    const existing = account.channels.find((candidate) => candidate.channel === channel && candidate.key === key);
    if (existing === undefined) {
      key = intern(channel === 'email' ? emails : phones, key);
      account.channels = account.channels.concat([{ channelId, channel, key, addedAt: at, verifiedAt }]);
    } else {
      if (channelId !== null) existing.channelId = channelId;
      if (verifiedAt !== null) existing.verifiedAt = verifiedAt;
    }
    indexAdd(channel === 'email' ? byEmail : byPhone, key, row, cutting?.indexes[channel]);
  }

  function setStatus(orderRow: number, next: OrderStatus): void {
    const previous = orders.status(orderRow);
    if (previous === next) return;
    const account = writable(orders.account(orderRow));
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
        const account = writable(row)!;
        if (event.name !== null) account.name = event.name;
        if (event.dateOfBirth !== null) account.dateOfBirth = event.dateOfBirth;
        if (event.address !== null) {
          const homeKey = intern(addresses, normaliseAddress(event.address).key);
          account.homeAddressKey = homeKey;
          indexAdd(byAddress, homeKey, row, cutting?.indexes.address);
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
        const account = writable(row)!;
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
          indexAdd(byAddress, homeKey, row, cutting?.indexes.address);
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
        const account = writable(orders.account(orderRow));
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
        const account = writable(orders.account(orderRow));
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
        const account = writable(accountRow(event.accountId, event.at))!;
        if (isPossessionProof(event.method) && account.identityProvenAt === null) account.identityProvenAt = event.at;
        const key = event.deviceId?.trim() || null;
        if (key === null || alreadyTouched(account.verifiedDevices, devices.index.get(key), event.at)) break;
        account.verifiedDevices = touchKnown(account.verifiedDevices, devices.rowOf(key), event.at);
        break;
      }
      case 'bank_identity': {
        const account = writable(accountRow(event.accountId, event.at))!;
        if (event.outcome === 'linked') account.bankLinkedAt ??= event.at;
        else if (!account.bankConflictTimes?.includes(event.at))
          account.bankConflictTimes = (account.bankConflictTimes ?? []).concat([event.at]);
        break;
      }
      case 'preference': {
        writable(accountRow(event.accountId, event.at))!.alwaysVerify = event.alwaysVerify;
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
      const recent = account.recent;
      // Nothing to prune (the oldest entry is inside the windows): unchanged, so a cut being written need not copy it.
      if (recent === undefined || (recent[0] ?? 0) > cutoff) continue;
      writable(accountSweepCursor);
      if (!pruneRecent(recent, cutoff)) account.recent = undefined;
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

  function cut(sizes = frameSizes): StateCut {
    if (cutting !== null) throw new Error('the state is already being cut');
    const meta: StateMeta = { version: stateDataVersion, applied, latestAt, accountSweepCursor };
    // Nothing is copied now: each frame is made from the live state when it is taken, rows changed since the cut
    // taken from the copies made before they changed.
    const heads = entityKinds.map((kind) => [kind, tables[kind].cutHead()] as const);
    const orderHead = orders.cutHead();
    const accountCut = new RowCut<AccountData>(accounts.length);
    const indexCuts: Record<IndexName, GrowOnlyCut<string>> = {
      email: new GrowOnlyCut(),
      phone: new GrowOnlyCut(),
      address: new GrowOnlyCut(),
    };
    const indexes = { email: byEmail, phone: byPhone, address: byAddress };
    const mine = { accounts: accountCut, indexes: indexCuts };
    cutting = mine;
    function* frames(): Generator<StateFrame> {
      yield ['meta', meta];
      for (const [kind, head] of heads) yield ['table', kind, head];
      yield ['orders', orderHead];
      for (let from = 0; from < orderHead.count; from += sizes.orderRows)
        yield ['orderRows', orders.cutRows(from, from + sizes.orderRows)];
      for (const [kind, head] of heads)
        for (let from = 0; from < head.size; from += sizes.entityRows)
          yield ['tableRows', kind, tables[kind].cutRows(from, from + sizes.entityRows)];
      for (;;) {
        const pairs = orders.cutIndex(sizes.orderIndexPairs);
        if (pairs === null) break;
        yield ['orderIndex', pairs];
      }
      for (const name of indexNames) {
        const entries = indexes[name].entries();
        for (;;) {
          const part = indexCutPart(entries, indexCuts[name], tableOf[name], sizes.indexKeys);
          if (part === null) break;
          yield ['index', name, part];
        }
      }
      for (let from = 0; from < accountCut.size; from += sizes.accounts) {
        const end = Math.min(accountCut.size, from + sizes.accounts);
        const slice: AccountData[] = [];
        for (let row = from; row < end; row += 1)
          slice.push(accountCut.take(row) ?? accountToData(accounts[row]!, keyRows));
        accountCut.written = end;
        yield ['accounts', slice];
      }
    }
    return {
      frames: frames(),
      release() {
        if (cutting !== mine) return;
        cutting = null;
        for (const kind of entityKinds) tables[kind].endCut();
        orders.endCut();
      },
    };
  }

  function exportData(): StateData {
    const taken = cut();
    try {
      const data = assembleState(taken.frames);
      if (typeof data === 'string') throw new Error(`the state's own cut is unreadable: ${data}`);
      return data;
    } finally {
      taken.release();
    }
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
    cut,
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
