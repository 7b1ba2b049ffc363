// Table-driven feature tests per family, computed by the engine over a small, known history.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureValue, HistoryEvent, RiskEngine } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import {
  customerHistory,
  dayMs,
  decisionInput,
  person,
  sessionFor,
  testNow,
  type Person,
  type SessionOptions,
} from '../testing/scenario.fixtures.ts';
import { amsterdamTime } from './time.features.ts';

const owner = person(20);
const neighbour = person(21);
const drop = person(30).address;
let engine: RiskEngine;

/** Owner: 4 paid orders (5,000..8,000), 1 unpaid; three other accounts each had a parcel sent to `drop`. */
beforeAll(async () => {
  engine = makeRiskEngine();
  const history: HistoryEvent[] = [
    ...customerHistory(owner, { since: testNow - 200 * dayMs, orders: 4 }),
    ...customerHistory(neighbour, { since: testNow - 200 * dayMs, orders: 1 }),
  ];
  history.push({
    kind: 'order',
    orderId: 'ord_unpaid',
    accountId: owner.accountId,
    merchantId: 'm',
    at: testNow - 10 * dayMs,
    session: sessionFor(owner, { amount: 2_000 }),
  });
  history.push({ kind: 'payment', orderId: 'ord_unpaid', at: testNow - 2 * dayMs, outcome: 'unpaid' });
  for (const index of [31, 32, 33]) {
    const account = person(index);
    history.push(...customerHistory(account, { since: testNow - 100 * dayMs, orders: 0 }));
    history.push({
      kind: 'order',
      orderId: `ord_drop_${index}`,
      accountId: account.accountId,
      merchantId: 'm',
      at: testNow - index * 60_000,
      session: sessionFor(account, { shipping: drop, deviceId: 'dev_shared', ip: '5.5.5.5' }),
    });
  }
  history.push({ kind: 'label', orderId: 'ord_drop_31', at: testNow - 10_000, label: 'fraud_third_party' });
  for (const event of history.sort((left, right) => left.at - right.at)) await engine.record(event);
});

async function features(
  options: SessionOptions,
  buyer: Person = owner,
  at = testNow,
): Promise<Readonly<Record<string, FeatureValue>>> {
  return (await engine.decide(decisionInput(sessionFor(buyer, options), at))).features;
}

type Row = readonly [string, SessionOptions, Readonly<Record<string, FeatureValue>>, Person?];

const families: Readonly<Record<string, readonly Row[]>> = {
  identity: [
    [
      'own claim',
      {},
      {
        identity_account_matched: true,
        identity_email_match: 1,
        identity_phone_match: 1,
        identity_name_similarity: 1,
        identity_conflict_count: 0,
        identity_email_resembles_name: true,
      },
    ],
    [
      'neighbour phone',
      { phone: neighbour.phone },
      { identity_email_phone_conflict: true, identity_phone_other_account: true, identity_phone_accounts: 1 },
    ],
    [
      'stranger at owner address',
      { billing: owner.address },
      { identity_new_customer: true, identity_known_address_unknown_name: true },
      person(90),
    ],
    [
      'own address, new contact details',
      { email: 'new@outlook.com', phone: '+31612121212' },
      { identity_typed_channels_unknown: true, identity_account_matched: true },
    ],
  ],
  account: [
    [
      'history',
      {},
      {
        account_orders: 5,
        account_paid_on_time: 4,
        account_unpaid: 1,
        account_paid_orders: 4,
        account_unpaid_ratio: 0.2,
        account_open_orders: 0,
        account_max_amount: 8_000,
        account_average_amount: 5_600,
        account_good_standing: false,
        account_verified_channels: 2,
        account_days_since_last_order: 10,
      },
    ],
    ['new customer', {}, { account_orders: 0, account_tenure_days: null, account_average_amount: null }, person(91)],
  ],
  device: [
    [
      'own device',
      {},
      {
        device_known_to_account: true,
        device_established: true,
        device_other_accounts: 0,
        device_new_globally: false,
        ip_known_to_account: true,
      },
    ],
    [
      'shared device',
      { deviceId: 'dev_shared', ip: '5.5.5.5' },
      {
        device_known_to_account: false,
        device_distinct_accounts: 3,
        device_other_accounts: 3,
        device_fraud_orders: 1,
        ip_other_accounts: 3,
        device_distinct_names: 3,
      },
    ],
    [
      'brand-new device',
      { deviceId: 'never_seen' },
      { device_new_globally: true, device_orders: 0, device_first_seen_days: null },
    ],
  ],
  address: [
    [
      'home',
      {},
      {
        shipping_differs_from_billing: false,
        shipping_on_file: true,
        shipping_is_account_home: true,
        shipping_distance_class: 0,
      },
    ],
    [
      'drop address',
      { shipping: drop },
      {
        shipping_on_file: false,
        shipping_distinct_accounts: 3,
        shipping_other_accounts: 3,
        shipping_distinct_surnames: 2,
        shipping_fraud_orders: 1,
        shipping_other_city: true,
      },
    ],
    [
      'abroad',
      { shipping: { street: 'Hauptstraße', house_number: '1', postal_code: '10115', city: 'Berlin', country: 'DE' } },
      { shipping_other_country: true, shipping_distance_class: 5, shipping_country: 'DE', shipping_new_globally: true },
    ],
    [
      'parcel locker',
      {
        shipping: {
          street: 'PostNL Pakketautomaat',
          house_number: '1',
          postal_code: '3511 CE',
          city: 'Utrecht',
          country: 'NL',
        },
      },
      { shipping_is_parcel_locker: true },
    ],
  ],
  channel: [
    [
      'own channels',
      {},
      {
        email_on_file: true,
        email_verified: true,
        phone_on_file: true,
        phone_verified: true,
        email_distinct_accounts: 1,
        phone_new_globally: false,
      },
    ],
    [
      'typed phone not on file',
      { phone: '+31612121212' },
      { phone_on_file: false, phone_verified: false, phone_new_globally: true },
    ],
    ['plus-tag', { email: owner.email.replace('@', '+shop@') }, { email_has_plus_tag: true, email_on_file: true }],
  ],
  velocity: [
    [
      'drop address burst',
      { shipping: drop },
      {
        velocity_shipping_orders_1h: 3,
        velocity_shipping_orders_24h: 3,
        velocity_shipping_amount_1h: 3 * 4_995,
        velocity_account_orders_30d: 1,
      },
    ],
    [
      'account windows',
      {},
      {
        velocity_account_orders_1h: 0,
        velocity_account_orders_30d: 1,
        velocity_account_amount_30d: 2_000,
        velocity_device_orders_7d: 0,
      },
    ],
  ],
  cart: [
    [
      'usual',
      {},
      {
        cart_amount: 4_995,
        cart_is_first_order: false,
        cart_has_risky_category: false,
        cart_amount_vs_max: 4_995 / 8_000,
      },
    ],
    [
      'phone',
      { amount: 93_900, category: 'electronics' },
      { cart_risky_share: 1, cart_has_risky_category: true, cart_amount_plus_exposure: 93_900 },
    ],
    [
      'first order',
      { amount: 12_000 },
      { cart_is_first_order: true, cart_first_order_amount: 12_000, cart_amount_vs_average: null },
      person(92),
    ],
  ],
  time: [
    ['afternoon', {}, { time_hour_local: 13, time_weekday_local: 2, time_is_night: false, time_is_weekend: false }],
  ],
  provider: [
    [
      'ordinary',
      {},
      {
        provider_phone_valid: true,
        provider_phone_mobile: true,
        provider_email_free_mail: true,
        provider_email_disposable: false,
        provider_ip_public: true,
        provider_billing_postal_code_valid: true,
        provider_unavailable_count: 0,
      },
    ],
    [
      'disposable and private IP',
      { email: 'x@mailinator.com', ip: '10.0.0.1' },
      {
        provider_email_disposable: true,
        provider_ip_public: false,
        provider_ip_range: 'private',
        provider_ip_country: null,
      },
    ],
    ['foreign IP', { ip: '8.8.8.8' }, { provider_ip_country: 'US', provider_ip_country_differs: true }],
  ],
  merchant: [
    [
      'extra merchant data',
      { extra: { 'Account Age (days)': 400, logged_in: true, note: 'text' } },
      { emd_account_age_days: 400, emd_logged_in: 1 },
    ],
  ],
};

for (const [family, rows] of Object.entries(families)) {
  describe(`${family} features`, () => {
    for (const [name, options, expected, buyer] of rows) {
      it(name, async () => {
        expect(await features(options, buyer)).toMatchObject(expected);
      });
    }
  });
}

describe('amsterdamTime', () => {
  it.each([
    [Date.UTC(2026, 0, 15, 12), 13],
    [Date.UTC(2026, 6, 15, 12), 14],
    [Date.UTC(2026, 2, 29, 0, 59), 1],
    [Date.UTC(2026, 2, 29, 1, 0), 3],
    [Date.UTC(2026, 9, 25, 0, 59), 2],
    [Date.UTC(2026, 9, 25, 1, 0), 2],
  ])('%d is hour %d in Amsterdam', (at, hour) => {
    expect(amsterdamTime(at).hour).toBe(hour);
  });
});
