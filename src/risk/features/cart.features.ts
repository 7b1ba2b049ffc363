// The cart: amount against the account's usual, risky categories, and the size of a first order.
import type { Line } from '../../checkout/session.schema.ts';
import { defineFamily } from './feature.family.ts';

/** Categories resold easily for cash, the usual loot of pay-later fraud. */
const riskyCategories = new Set([
  'electronics',
  'phones',
  'mobile_phones',
  'computers',
  'gift_cards',
  'gift_card',
  'giftcards',
  'consoles',
  'gaming',
  'jewellery',
  'jewelry',
  'watches',
  'luxury',
]);
const giftCardWords = /gift ?card|cadeaukaart|cadeaubon|tegoedbon|voucher/i;

interface Prepared {
  readonly amount: number;
  readonly lines: readonly Line[];
  readonly riskyValue: number;
  readonly giftCard: boolean;
  readonly average: number | null;
  readonly maximum: number | null;
  readonly firstOrder: boolean;
}

const isRisky = (line: Line): boolean =>
  riskyCategories.has((line.category ?? '').toLowerCase()) || giftCardWords.test(line.name);

export const cartFeatures = defineFamily<Prepared>(
  'cart',
  ({ input, resolution }) => {
    const lines = input.session.lines;
    let riskyValue = 0;
    for (const line of lines) if (isRisky(line)) riskyValue += line.unit_price * line.quantity;
    const account = resolution.account;
    return {
      amount: input.session.amount.value,
      lines,
      riskyValue,
      giftCard: lines.some((line) => giftCardWords.test(line.name) || /gift/i.test(line.category ?? '')),
      average: account === null || account.orders === 0 ? null : account.amountSum / account.orders,
      maximum: account === null || account.orders === 0 ? null : account.amountMax,
      firstOrder: account === null || account.orders === 0,
    };
  },
  [
    { name: 'cart_amount', type: 'number', meaning: 'Order amount in minor units.', compute: (p) => p.amount },
    {
      name: 'cart_currency',
      type: 'string',
      meaning: 'Order currency.',
      compute: (_p, c) => c.input.session.amount.currency,
    },
    { name: 'cart_lines', type: 'number', meaning: 'Number of cart lines.', compute: (p) => p.lines.length },
    {
      name: 'cart_items',
      type: 'number',
      meaning: 'Number of items (sum of quantities).',
      compute: (p) => p.lines.reduce((sum, line) => sum + line.quantity, 0),
    },
    {
      name: 'cart_max_unit_price',
      type: 'number',
      meaning: 'Highest unit price in the cart.',
      compute: (p) => p.lines.reduce((maximum, line) => Math.max(maximum, line.unit_price), 0),
    },
    {
      name: 'cart_max_quantity',
      type: 'number',
      meaning: 'Largest quantity of one line (several of the same phone is a resale sign).',
      compute: (p) => p.lines.reduce((maximum, line) => Math.max(maximum, line.quantity), 0),
    },
    {
      name: 'cart_risky_share',
      type: 'number',
      meaning: 'Share of the cart value in easily resold categories (electronics, gift cards, jewellery).',
      compute: (p) => (p.amount === 0 ? 0 : Math.min(1, p.riskyValue / p.amount)),
    },
    {
      name: 'cart_has_risky_category',
      type: 'boolean',
      meaning: 'Any line is in an easily resold category.',
      compute: (p) => p.riskyValue > 0,
    },
    {
      name: 'cart_has_gift_card',
      type: 'boolean',
      meaning: 'Any line is a gift card or voucher.',
      compute: (p) => p.giftCard,
    },
    {
      name: 'cart_amount_vs_average',
      type: 'number',
      meaning: "Amount divided by the account's average order amount.",
      compute: (p) => (p.average === null || p.average === 0 ? null : p.amount / p.average),
    },
    {
      name: 'cart_amount_vs_max',
      type: 'number',
      meaning: "Amount divided by the account's largest order so far.",
      compute: (p) => (p.maximum === null || p.maximum === 0 ? null : p.amount / p.maximum),
    },
    {
      name: 'cart_is_first_order',
      type: 'boolean',
      meaning: 'The first order of this customer.',
      compute: (p) => p.firstOrder,
    },
    {
      name: 'cart_first_order_amount',
      type: 'number',
      meaning: 'Amount when this is a first order, else 0.',
      compute: (p) => (p.firstOrder ? p.amount : 0),
    },
    {
      name: 'cart_amount_plus_exposure',
      type: 'number',
      meaning: 'Amount plus what the account still owes: the total at stake.',
      compute: (p, c) => p.amount + (c.resolution.account?.openExposure ?? 0),
    },
  ],
);
