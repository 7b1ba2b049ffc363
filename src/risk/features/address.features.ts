// Shipping address: new to the account, far from billing, shared by unrelated accounts ("drop"), or a locker/forwarder.
import { addressDistanceClass, postcodeNumericGap } from '../normalise/address.normaliser.ts';
import type { EntityView, KnownEntity } from '../state/feature-state.ts';
import { daysSince, defineFamily } from './feature.family.ts';

interface Prepared {
  readonly shipping: EntityView | null;
  readonly billing: EntityView | null;
  readonly known: KnownEntity | null;
  readonly accountId: string | null;
  readonly homeKey: string | null;
}

export const addressFeatures = defineFamily<Prepared>(
  'address',
  ({ snapshot, resolution, claim }) => ({
    shipping: snapshot.shippingAddress,
    billing: snapshot.billingAddress,
    known: resolution.account?.shippingAddresses.find((entry) => entry.key === claim.shipping.key) ?? null,
    accountId: resolution.accountId,
    homeKey: resolution.account?.homeAddressKey ?? null,
  }),
  [
    {
      name: 'shipping_differs_from_billing',
      type: 'boolean',
      meaning: 'The delivery address is not the billing address.',
      compute: (_p, c) => c.claim.shipping.key !== c.claim.billing.key,
    },
    {
      name: 'shipping_known_to_account',
      type: 'boolean',
      meaning: 'The resolved account had parcels delivered here before.',
      compute: (p) => p.known !== null,
    },
    {
      name: 'shipping_is_account_home',
      type: 'boolean',
      meaning: "The delivery address is the resolved account's home address.",
      compute: (p, c) => p.homeKey !== null && p.homeKey === c.claim.shipping.key,
    },
    {
      name: 'shipping_on_file',
      type: 'boolean',
      meaning: 'The delivery address is the home address or a previous delivery address of the account.',
      compute: (p, c) => p.known !== null || (p.homeKey !== null && p.homeKey === c.claim.shipping.key),
    },
    {
      name: 'shipping_account_age_days',
      type: 'number',
      meaning: 'Days since the account first had a parcel delivered here.',
      compute: (p, c) => daysSince(c.input.at, p.known?.firstSeenAt),
    },
    {
      name: 'shipping_distance_class',
      type: 'number',
      meaning: 'Billing to delivery: 0 same, 1 same postcode, 2 same area, 3 same region, 4 same country, 5 abroad.',
      compute: (_p, c) => addressDistanceClass(c.claim.billing, c.claim.shipping),
    },
    {
      name: 'shipping_postcode_gap',
      type: 'number',
      meaning: 'Numeric gap between Dutch 4-digit postcodes of billing and delivery (a rough distance).',
      compute: (_p, c) => postcodeNumericGap(c.claim.billing, c.claim.shipping),
    },
    {
      name: 'shipping_other_city',
      type: 'boolean',
      meaning: 'Delivery is to another city than billing.',
      compute: (_p, c) => c.claim.shipping.city !== c.claim.billing.city,
    },
    {
      name: 'shipping_other_country',
      type: 'boolean',
      meaning: 'Delivery is to another country than billing.',
      compute: (_p, c) => c.claim.shipping.country !== c.claim.billing.country,
    },
    {
      name: 'shipping_country',
      type: 'string',
      meaning: 'Delivery country (ISO 3166-1 alpha-2).',
      compute: (_p, c) => c.claim.shipping.country,
    },
    {
      name: 'shipping_is_parcel_locker',
      type: 'boolean',
      meaning: 'Delivery to a parcel locker or pick-up point (keyword list).',
      compute: (_p, c) => c.claim.shipping.isParcelLocker,
    },
    {
      name: 'shipping_is_forwarder',
      type: 'boolean',
      meaning: 'Delivery to a parcel forwarding service (keyword list).',
      compute: (_p, c) => c.claim.shipping.isForwarder,
    },
    {
      name: 'shipping_is_po_box',
      type: 'boolean',
      meaning: 'Delivery to a PO box.',
      compute: (_p, c) => c.claim.shipping.isPoBox,
    },
    {
      name: 'shipping_new_globally',
      type: 'boolean',
      meaning: 'No parcel was ever delivered to this address.',
      compute: (p) => p.shipping === null,
    },
    {
      name: 'shipping_first_seen_days',
      type: 'number',
      meaning: 'Days since the first delivery to this address.',
      compute: (p, c) => daysSince(c.input.at, p.shipping?.firstSeenAt),
    },
    {
      name: 'shipping_orders',
      type: 'number',
      meaning: 'Orders ever delivered to this address.',
      compute: (p) => p.shipping?.orderCount ?? 0,
    },
    {
      name: 'shipping_distinct_accounts',
      type: 'number',
      meaning: 'Accounts that had parcels delivered here.',
      compute: (p) => p.shipping?.distinctAccounts ?? 0,
    },
    {
      name: 'shipping_other_accounts',
      type: 'number',
      meaning: 'Accounts other than the resolved one delivered here.',
      compute: (p) =>
        p.shipping === null
          ? 0
          : p.shipping.distinctAccounts - (p.accountId !== null && p.shipping.accountIds.includes(p.accountId) ? 1 : 0),
    },
    {
      name: 'shipping_distinct_surnames',
      type: 'number',
      meaning: 'Different surnames on orders delivered here (households share one, drop addresses collect many).',
      compute: (p) => p.shipping?.distinctSurnames ?? 0,
    },
    {
      name: 'shipping_distinct_names',
      type: 'number',
      meaning: 'Different full names on orders delivered here.',
      compute: (p) => p.shipping?.distinctNames ?? 0,
    },
    {
      name: 'shipping_unpaid_orders',
      type: 'number',
      meaning: 'Unpaid invoices for orders delivered here.',
      compute: (p) => p.shipping?.unpaidOrders ?? 0,
    },
    {
      name: 'shipping_fraud_orders',
      type: 'number',
      meaning: 'Confirmed fraud orders delivered here.',
      compute: (p) => p.shipping?.fraudOrders ?? 0,
    },
    {
      name: 'billing_distinct_names',
      type: 'number',
      meaning: 'Different names on orders delivered to the billing address.',
      compute: (p) => p.billing?.distinctNames ?? 0,
    },
    {
      name: 'billing_fraud_orders',
      type: 'number',
      meaning: 'Confirmed fraud orders delivered to the billing address.',
      compute: (p) => p.billing?.fraudOrders ?? 0,
    },
  ],
);
