// E-mail and phone as channels: on file and verified before this purchase, how old, and how widely shared.
import type { EntityView } from '../state/feature-state.ts';
import { daysSince, defineFamily } from './feature.family.ts';

const otherAccounts = (entity: EntityView | null, accountId: string | null): number =>
  entity === null ? 0 : entity.distinctAccounts - (accountId !== null && entity.accountIds.includes(accountId) ? 1 : 0);

export const channelFeatures = defineFamily('channel', (context) => context, [
  {
    name: 'email_on_file',
    type: 'boolean',
    meaning: 'The typed e-mail is on file for the resolved account.',
    compute: (c) => c.resolution.emailChannel !== null,
  },
  {
    name: 'email_verified',
    type: 'boolean',
    meaning: 'The typed e-mail is on file and was verified before this purchase.',
    compute: (c) => c.resolution.emailChannel?.verifiedAt != null,
  },
  {
    name: 'email_on_file_days',
    type: 'number',
    meaning: 'Days the typed e-mail has been on file.',
    compute: (c) => daysSince(c.input.at, c.resolution.emailChannel?.addedAt),
  },
  {
    name: 'email_verified_days',
    type: 'number',
    meaning: 'Days since the typed e-mail was verified.',
    compute: (c) => daysSince(c.input.at, c.resolution.emailChannel?.verifiedAt),
  },
  {
    name: 'phone_on_file',
    type: 'boolean',
    meaning: 'The typed phone is on file for the resolved account.',
    compute: (c) => c.resolution.phoneChannel !== null,
  },
  {
    name: 'phone_verified',
    type: 'boolean',
    meaning: 'The typed phone is on file and was verified before this purchase.',
    compute: (c) => c.resolution.phoneChannel?.verifiedAt != null,
  },
  {
    name: 'phone_on_file_days',
    type: 'number',
    meaning: 'Days the typed phone has been on file.',
    compute: (c) => daysSince(c.input.at, c.resolution.phoneChannel?.addedAt),
  },
  {
    name: 'phone_verified_days',
    type: 'number',
    meaning: 'Days since the typed phone was verified.',
    compute: (c) => daysSince(c.input.at, c.resolution.phoneChannel?.verifiedAt),
  },
  {
    name: 'email_has_plus_tag',
    type: 'boolean',
    meaning: 'The e-mail carried a +tag.',
    compute: (c) => c.claim.email?.hadPlusTag ?? false,
  },
  {
    name: 'email_new_globally',
    type: 'boolean',
    meaning: 'No order ever used this e-mail.',
    compute: (c) => c.snapshot.email === null,
  },
  {
    name: 'email_first_seen_days',
    type: 'number',
    meaning: 'Days since an order first used this e-mail.',
    compute: (c) => daysSince(c.input.at, c.snapshot.email?.firstSeenAt),
  },
  {
    name: 'email_distinct_accounts',
    type: 'number',
    meaning: 'Accounts whose orders used this e-mail.',
    compute: (c) => c.snapshot.email?.distinctAccounts ?? 0,
  },
  {
    name: 'email_other_order_accounts',
    type: 'number',
    meaning: 'Accounts other than the resolved one whose orders used this e-mail.',
    compute: (c) => otherAccounts(c.snapshot.email, c.resolution.accountId),
  },
  {
    name: 'email_distinct_names',
    type: 'number',
    meaning: 'Different names typed with this e-mail.',
    compute: (c) => c.snapshot.email?.distinctNames ?? 0,
  },
  {
    name: 'email_unpaid_orders',
    type: 'number',
    meaning: 'Unpaid invoices of orders that used this e-mail.',
    compute: (c) => c.snapshot.email?.unpaidOrders ?? 0,
  },
  {
    name: 'email_fraud_orders',
    type: 'number',
    meaning: 'Confirmed fraud orders that used this e-mail.',
    compute: (c) => c.snapshot.email?.fraudOrders ?? 0,
  },
  {
    name: 'phone_new_globally',
    type: 'boolean',
    meaning: 'No order ever used this phone.',
    compute: (c) => c.snapshot.phone === null,
  },
  {
    name: 'phone_first_seen_days',
    type: 'number',
    meaning: 'Days since an order first used this phone.',
    compute: (c) => daysSince(c.input.at, c.snapshot.phone?.firstSeenAt),
  },
  {
    name: 'phone_distinct_accounts',
    type: 'number',
    meaning: 'Accounts whose orders used this phone.',
    compute: (c) => c.snapshot.phone?.distinctAccounts ?? 0,
  },
  {
    name: 'phone_other_order_accounts',
    type: 'number',
    meaning: 'Accounts other than the resolved one whose orders used this phone.',
    compute: (c) => otherAccounts(c.snapshot.phone, c.resolution.accountId),
  },
  {
    name: 'phone_distinct_names',
    type: 'number',
    meaning: 'Different names typed with this phone.',
    compute: (c) => c.snapshot.phone?.distinctNames ?? 0,
  },
  {
    name: 'phone_unpaid_orders',
    type: 'number',
    meaning: 'Unpaid invoices of orders that used this phone.',
    compute: (c) => c.snapshot.phone?.unpaidOrders ?? 0,
  },
  {
    name: 'phone_fraud_orders',
    type: 'number',
    meaning: 'Confirmed fraud orders that used this phone.',
    compute: (c) => c.snapshot.phone?.fraudOrders ?? 0,
  },
]);
