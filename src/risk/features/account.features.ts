// Account history and payment behaviour of the resolved account; null or 0 for a new customer.
import type { AccountView } from '../state/feature-state.ts';
import { daysSince, defineFamily, ratio } from './feature.family.ts';

const none = (account: AccountView | null): account is null => account === null;

export const accountFeatures = defineFamily('account', ({ resolution }) => resolution.account, [
  {
    name: 'account_tenure_days',
    type: 'number',
    meaning: 'Days since the account was created.',
    compute: (a, c) => (none(a) ? null : daysSince(c.input.at, a.createdAt)),
  },
  { name: 'account_orders', type: 'number', meaning: 'Orders placed on the account.', compute: (a) => a?.orders ?? 0 },
  {
    name: 'account_paid_on_time',
    type: 'number',
    meaning: 'Invoices paid on time.',
    compute: (a) => a?.paidOnTime ?? 0,
  },
  { name: 'account_paid_late', type: 'number', meaning: 'Invoices paid late.', compute: (a) => a?.paidLate ?? 0 },
  { name: 'account_unpaid', type: 'number', meaning: 'Invoices never paid.', compute: (a) => a?.unpaid ?? 0 },
  {
    name: 'account_paid_orders',
    type: 'number',
    meaning: 'Invoices paid, on time or late.',
    compute: (a) => (a === null ? 0 : a.paidOnTime + a.paidLate),
  },
  {
    name: 'account_on_time_ratio',
    type: 'number',
    meaning: 'Share of settled invoices paid on time.',
    compute: (a) => (a === null ? null : ratio(a.paidOnTime, a.paidOnTime + a.paidLate + a.unpaid)),
  },
  {
    name: 'account_unpaid_ratio',
    type: 'number',
    meaning: 'Share of settled invoices never paid.',
    compute: (a) => (a === null ? null : ratio(a.unpaid, a.paidOnTime + a.paidLate + a.unpaid)),
  },
  {
    name: 'account_open_orders',
    type: 'number',
    meaning: 'Invoices not yet settled.',
    compute: (a) => a?.openOrders ?? 0,
  },
  {
    name: 'account_open_exposure',
    type: 'number',
    meaning: 'Amount (minor units) still owed on open invoices.',
    compute: (a) => a?.openExposure ?? 0,
  },
  {
    name: 'account_third_party_fraud',
    type: 'number',
    meaning: 'Orders on the account confirmed as identity fraud by someone else.',
    compute: (a) => a?.thirdPartyFraudOrders ?? 0,
  },
  {
    name: 'account_first_party_fraud',
    type: 'number',
    meaning: 'Orders on the account confirmed as first-party fraud.',
    compute: (a) => a?.firstPartyFraudOrders ?? 0,
  },
  {
    name: 'account_average_amount',
    type: 'number',
    meaning: 'Average order amount (minor units).',
    compute: (a) => (a === null || a.orders === 0 ? null : a.amountSum / a.orders),
  },
  {
    name: 'account_max_amount',
    type: 'number',
    meaning: 'Largest order amount so far (minor units).',
    compute: (a) => (a === null || a.orders === 0 ? null : a.amountMax),
  },
  {
    name: 'account_days_since_last_order',
    type: 'number',
    meaning: 'Days since the previous order.',
    compute: (a, c) => daysSince(c.input.at, a?.lastOrderAt),
  },
  {
    name: 'account_days_since_first_order',
    type: 'number',
    meaning: 'Days since the first order.',
    compute: (a, c) => daysSince(c.input.at, a?.firstOrderAt),
  },
  {
    name: 'account_always_verify',
    type: 'boolean',
    meaning: 'The customer asked to verify every purchase.',
    compute: (a) => a?.alwaysVerify ?? false,
  },
  {
    name: 'account_identity_proven',
    type: 'boolean',
    meaning: 'A bank identification or verification payment showed the buyer is the person on the account.',
    compute: (a) => a !== null && a.identityProvenAt !== null,
  },
  {
    name: 'account_known_devices',
    type: 'number',
    meaning: 'Devices the account has ordered from.',
    compute: (a) => a?.devices.length ?? 0,
  },
  {
    name: 'account_known_shipping_addresses',
    type: 'number',
    meaning: 'Delivery addresses the account has used.',
    compute: (a) => a?.shippingAddresses.length ?? 0,
  },
  {
    name: 'account_known_ips',
    type: 'number',
    meaning: 'IP addresses the account has ordered from.',
    compute: (a) => a?.ips.length ?? 0,
  },
  {
    name: 'account_verified_channels',
    type: 'number',
    meaning: 'Verified e-mail and phone channels on file before this purchase.',
    compute: (a) => a?.channels.filter((channel) => channel.verifiedAt !== null).length ?? 0,
  },
  {
    name: 'account_good_standing',
    type: 'boolean',
    meaning: 'At least two invoices paid and none unpaid or fraudulent.',
    compute: (a) =>
      a !== null &&
      a.paidOnTime + a.paidLate >= 2 &&
      a.unpaid === 0 &&
      a.thirdPartyFraudOrders + a.firstPartyFraudOrders === 0,
  },
]);
