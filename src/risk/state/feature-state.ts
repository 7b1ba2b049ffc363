// The online feature state as the engine sees it: apply history, then read a point-in-time snapshot of a few entities.
import type { HistoryEvent } from '../engine.ts';

export const windowNames = ['1h', '24h', '7d', '30d'] as const;
export type WindowName = (typeof windowNames)[number];
export const windowDurations: Readonly<Record<WindowName, number>> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};
/** Nothing older than the longest window is needed for velocity. */
export const longestWindow = windowDurations['30d'];

export interface WindowTotals {
  readonly count: number;
  readonly amount: number;
}
export type Windows = Readonly<Record<WindowName, WindowTotals>>;

/** Distinct parties seen with an entity in one window (from its most recent orders, up to a cap). */
export interface DistinctParties {
  readonly accounts: number;
  readonly emails: number;
  readonly names: number;
}

export const entityKinds = ['device', 'address', 'email', 'phone', 'ip', 'iban'] as const;
export type EntityKind = (typeof entityKinds)[number];

/** What the history says about one device, delivery address, e-mail, phone or IP, before the decision time. */
export interface EntityView {
  readonly kind: EntityKind;
  readonly key: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly orderCount: number;
  readonly distinctAccounts: number;
  /** Up to a handful of the accounts seen with this entity. */
  readonly accountIds: readonly string[];
  readonly distinctNames: number;
  readonly distinctSurnames: number;
  readonly unpaidOrders: number;
  readonly fraudOrders: number;
  /** When the latest fraud label on an order with this entity became known (null: none). */
  readonly lastFraudLabelAt: number | null;
  readonly windows: Windows;
  /** Distinct accounts, e-mails and names per window: a device or IP that many people use at once. */
  readonly distinctByWindow: Readonly<Record<WindowName, DistinctParties>>;
}

/** A device, shipping address or IP the account used, with first and last use. */
export interface KnownEntity {
  readonly key: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly orders: number;
}

/** An e-mail or phone on file for the account; only a verified one may receive a one-time code. */
export interface ChannelView {
  readonly channelId: string;
  readonly channel: 'email' | 'phone';
  /** Normalised value (e-mail key or E.164). */
  readonly key: string;
  readonly addedAt: number;
  readonly verifiedAt: number | null;
}

export interface AccountView {
  readonly accountId: string;
  readonly createdAt: number;
  readonly name: string | null;
  readonly dateOfBirth: string | null;
  readonly homeAddressKey: string | null;
  readonly homePostalCode: string | null;
  readonly channels: readonly ChannelView[];
  readonly orders: number;
  readonly paidOnTime: number;
  readonly paidLate: number;
  readonly unpaid: number;
  readonly openOrders: number;
  readonly openExposure: number;
  readonly thirdPartyFraudOrders: number;
  readonly firstPartyFraudOrders: number;
  readonly amountSum: number;
  readonly amountMax: number;
  readonly firstOrderAt: number | null;
  readonly lastOrderAt: number | null;
  readonly alwaysVerify: boolean;
  /**
   * When a possession proof (bank identification, verification payment) first showed the buyer is the person named;
   * null while the identity was never proven: channels verified on such an account only show who typed them.
   */
  readonly identityProvenAt: number | null;
  /** When a bank identification linked this account to the person's bank subject (null: never, before `at`). */
  readonly bankIdentifiedAt: number | null;
  /** Bank identifications of this identity that came with a different bank subject, before `at`. */
  readonly bankSubjectConflicts: number;
  readonly devices: readonly KnownEntity[];
  /** Devices on which the holder passed a step-up before `at` (firstSeenAt: the first verification). */
  readonly verifiedDevices: readonly KnownEntity[];
  readonly shippingAddresses: readonly KnownEntity[];
  readonly ips: readonly KnownEntity[];
  readonly windows: Windows;
}

/** The entities one session touches, by normalised key. */
export interface SnapshotQuery {
  readonly at: number;
  readonly emailKey: string | null;
  readonly phoneKey: string | null;
  readonly billingAddressKey: string | null;
  readonly shippingAddressKey: string | null;
  readonly deviceKey: string | null;
  readonly ip: string | null;
  readonly ibanKey: string | null;
}

export interface StateSnapshot {
  readonly at: number;
  /** Accounts that have the claimed e-mail / phone on file, and accounts whose home or billing address is the claimed billing address. */
  readonly accountsByEmail: readonly string[];
  readonly accountsByPhone: readonly string[];
  readonly accountsByBillingAddress: readonly string[];
  readonly accounts: ReadonlyMap<string, AccountView>;
  readonly device: EntityView | null;
  readonly email: EntityView | null;
  readonly phone: EntityView | null;
  readonly billingAddress: EntityView | null;
  readonly shippingAddress: EntityView | null;
  readonly ip: EntityView | null;
  /** The claimed IBAN as an entity: orders, accounts and outcomes seen with it. */
  readonly iban: EntityView | null;
}

/**
 * A port: the in-memory implementation serves one process; a Redis one can follow with the same two calls,
 * because the engine fetches one snapshot per decision and never reaches into the state afterwards.
 */
export interface FeatureState {
  apply(event: HistoryEvent): Promise<void>;
  snapshot(query: SnapshotQuery): Promise<StateSnapshot>;
}
