// Device and network: is this device (and IP) the account's own, new to everyone, or shared across accounts?
import type { EntityView, KnownEntity } from '../state/feature-state.ts';
import { daysSince, defineFamily } from './feature.family.ts';

interface Prepared {
  readonly device: EntityView | null;
  readonly knownDevice: KnownEntity | null;
  readonly ip: EntityView | null;
  readonly knownIp: KnownEntity | null;
  readonly accountId: string | null;
}

const others = (entity: EntityView | null, accountId: string | null): number =>
  entity === null ? 0 : entity.distinctAccounts - (accountId !== null && entity.accountIds.includes(accountId) ? 1 : 0);

export const deviceFeatures = defineFamily<Prepared>(
  'device',
  ({ snapshot, resolution, claim }) => ({
    device: snapshot.device,
    knownDevice: resolution.account?.devices.find((entry) => entry.key === claim.deviceKey) ?? null,
    ip: snapshot.ip,
    knownIp: resolution.account?.ips.find((entry) => entry.key === claim.ip) ?? null,
    accountId: resolution.accountId,
  }),
  [
    {
      name: 'device_present',
      type: 'boolean',
      meaning: 'The merchant sent a device id.',
      compute: (_p, c) => c.claim.deviceKey !== null,
    },
    {
      name: 'device_known_to_account',
      type: 'boolean',
      meaning: 'The resolved account ordered from this device before.',
      compute: (p) => p.knownDevice !== null,
    },
    {
      name: 'device_verified_for_account',
      type: 'boolean',
      meaning:
        'The account holder passed a step-up on this device before (a code to a channel on file, a passkey, a bank check).',
      compute: (_p, c) =>
        c.resolution.account?.verifiedDevices.some((entry) => entry.key === c.claim.deviceKey) ?? false,
    },
    {
      name: 'device_account_age_days',
      type: 'number',
      meaning: 'Days since the resolved account first used this device.',
      compute: (p, c) => daysSince(c.input.at, p.knownDevice?.firstSeenAt),
    },
    {
      name: 'device_account_orders',
      type: 'number',
      meaning: 'Orders the resolved account placed from this device.',
      compute: (p) => p.knownDevice?.orders ?? 0,
    },
    {
      name: 'device_new_globally',
      type: 'boolean',
      meaning: 'No order was ever placed from this device.',
      compute: (p, c) => c.claim.deviceKey !== null && p.device === null,
    },
    {
      name: 'device_first_seen_days',
      type: 'number',
      meaning: 'Days since any order came from this device.',
      compute: (p, c) => daysSince(c.input.at, p.device?.firstSeenAt),
    },
    {
      name: 'device_orders',
      type: 'number',
      meaning: 'Orders ever placed from this device.',
      compute: (p) => p.device?.orderCount ?? 0,
    },
    {
      name: 'device_distinct_accounts',
      type: 'number',
      meaning: 'Accounts that ordered from this device.',
      compute: (p) => p.device?.distinctAccounts ?? 0,
    },
    {
      name: 'device_other_accounts',
      type: 'number',
      meaning: 'Accounts other than the resolved one that ordered from this device.',
      compute: (p) => others(p.device, p.accountId),
    },
    {
      name: 'device_distinct_names',
      type: 'number',
      meaning: 'Different customer names typed on this device.',
      compute: (p) => p.device?.distinctNames ?? 0,
    },
    {
      name: 'device_unpaid_orders',
      type: 'number',
      meaning: 'Unpaid invoices for orders from this device.',
      compute: (p) => p.device?.unpaidOrders ?? 0,
    },
    {
      name: 'device_fraud_orders',
      type: 'number',
      meaning: 'Confirmed fraud orders from this device.',
      compute: (p) => p.device?.fraudOrders ?? 0,
    },
    {
      name: 'device_established',
      type: 'boolean',
      meaning: 'The account has used this device for at least 30 days.',
      compute: (p, c) => (daysSince(c.input.at, p.knownDevice?.firstSeenAt) ?? 0) >= 30,
    },
    {
      name: 'ip_present',
      type: 'boolean',
      meaning: 'The merchant sent an IP address.',
      compute: (_p, c) => c.claim.ip !== null,
    },
    {
      name: 'ip_known_to_account',
      type: 'boolean',
      meaning: 'The resolved account ordered from this IP before.',
      compute: (p) => p.knownIp !== null,
    },
    {
      name: 'ip_new_globally',
      type: 'boolean',
      meaning: 'No order came from this IP before.',
      compute: (p, c) => c.claim.ip !== null && p.ip === null,
    },
    {
      name: 'ip_distinct_accounts',
      type: 'number',
      meaning: 'Accounts that ordered from this IP.',
      compute: (p) => p.ip?.distinctAccounts ?? 0,
    },
    {
      name: 'ip_other_accounts',
      type: 'number',
      meaning: 'Accounts other than the resolved one that ordered from this IP.',
      compute: (p) => others(p.ip, p.accountId),
    },
    {
      name: 'ip_distinct_names',
      type: 'number',
      meaning: 'Different customer names typed from this IP.',
      compute: (p) => p.ip?.distinctNames ?? 0,
    },
    {
      name: 'ip_fraud_orders',
      type: 'number',
      meaning: 'Confirmed fraud orders from this IP.',
      compute: (p) => p.ip?.fraudOrders ?? 0,
    },
  ],
);
