// Merchants, categories and products of the simulated market, and the order lines a basket is made of.
import type { Line } from '../checkout/session.schema.ts';
import { Random, WeightedPicker } from './random.simulation.ts';

export const categories = [
  'fashion',
  'electronics',
  'home',
  'groceries',
  'beauty',
  'sports',
  'toys',
  'gift_cards',
] as const;
export type Category = (typeof categories)[number];

/** Share of legitimate orders per category (pay-later is fashion-heavy in the Netherlands). */
export const categoryPopularity: Record<Category, number> = {
  fashion: 0.3,
  electronics: 0.16,
  home: 0.14,
  groceries: 0.1,
  beauty: 0.1,
  sports: 0.08,
  toys: 0.07,
  gift_cards: 0.05,
};

/** Products with a typical price in cents; fraudsters go for the top of each list. */
const products: Record<Category, readonly (readonly [string, number])[]> = {
  electronics: [
    ['USB-C cable', 1499],
    ['Wireless earbuds', 7999],
    ['Bluetooth speaker', 5999],
    ['Smartwatch', 24900],
    ['Tablet 11 inch', 44900],
    ['Games console', 54900],
    ['Laptop 14 inch', 89900],
    ['Smartphone 256GB', 93900],
  ],
  fashion: [
    ['T-shirt', 1999],
    ['Socks 5-pack', 1299],
    ['Jeans', 5999],
    ['Dress', 6999],
    ['Sneakers', 9999],
    ['Winter coat', 17999],
    ['Leather boots', 14999],
  ],
  home: [
    ['Cushion', 2499],
    ['Bed linen set', 4999],
    ['Desk lamp', 3999],
    ['Coffee machine', 12999],
    ['Vacuum cleaner', 19999],
    ['Office chair', 24999],
    ['Espresso machine', 49900],
  ],
  groceries: [
    ['Coffee beans 1kg', 1599],
    ['Olive oil', 899],
    ['Fruit box', 1999],
    ['Cheese', 1299],
    ['Wine 6 bottles', 4999],
    ['Household box', 2999],
  ],
  beauty: [
    ['Shampoo', 899],
    ['Face cream', 2999],
    ['Perfume 50ml', 6999],
    ['Hair dryer', 8999],
    ['Shaver', 12999],
  ],
  sports: [
    ['Running shoes', 11999],
    ['Yoga mat', 2999],
    ['Sports watch', 29900],
    ['Bike helmet', 5999],
    ['Electric bike battery', 49900],
  ],
  toys: [
    ['Puzzle', 1499],
    ['Board game', 3499],
    ['Building set', 7999],
    ['Doll house', 12999],
    ['Remote car', 5999],
  ],
  gift_cards: [
    ['Gift card 25', 2500],
    ['Gift card 50', 5000],
    ['Gift card 100', 10000],
    ['Gift card 150', 15000],
  ],
};

const merchantNames: Record<Category, readonly string[]> = {
  fashion: [
    'Modehuis Amstel',
    'Jas & Jurk',
    'Zoom Fashion',
    'Kledingkast.nl',
    'Stof en Steek',
    'Urban Noord',
    'Schoenenpaleis',
  ],
  electronics: ['PixelPlein', 'Voltera', 'Stroomlijn Elektronica', 'Beeldbuis.nl', 'Kabelkoning', 'TechTuin'],
  home: ['Huis & Haard', 'Woonwinkel De Linde', 'Kussenkamer', 'Tafelgoed', 'Keukenkoning'],
  groceries: ['Versmarkt Online', 'Boodschappenbus', 'De Groenteboer', 'Wijnkelder Zuid'],
  beauty: ['Glans & Geur', 'Huidhuys', 'Parfumerie Pels'],
  sports: ['Sportief Oost', 'Fietsfort', 'Loopwerk'],
  toys: ['Speelgoedzolder', 'Blokkenbaas', 'Knikkerkoning'],
  gift_cards: ['Cadeaukaart Centraal', 'GiftPlaza', 'Bonnenbank'],
};

export interface Merchant {
  readonly index: number;
  readonly name: string;
  readonly code: string;
  readonly category: Category;
  /** Not every merchant sends extra data: the evaluation must cope with files that lack it. */
  readonly sendsExtraData: boolean;
  readonly asksDateOfBirth: boolean;
  readonly paymentTermDays: number;
  orderCount: number;
}

export interface Market {
  readonly merchants: readonly Merchant[];
  readonly byCategory: Record<Category, readonly Merchant[]>;
  readonly merchantPickers: Record<Category, WeightedPicker>;
  readonly categoryPicker: WeightedPicker;
}

export function makeMarket(random: Random, merchantCount: number): Market {
  const merchants: Merchant[] = [];
  const byCategory = Object.fromEntries(categories.map((category) => [category, [] as Merchant[]])) as Record<
    Category,
    Merchant[]
  >;
  const categoryPicker = new WeightedPicker(categories.map((category) => categoryPopularity[category]));
  // Every category gets a merchant first; the rest follow category popularity.
  for (let index = 0; index < merchantCount; index += 1) {
    const category =
      index < categories.length
        ? (categories[index] as Category)
        : (categories[categoryPicker.pick(random)] as Category);
    const names = merchantNames[category];
    const serial = byCategory[category].length;
    const baseName = names[serial % names.length] as string;
    const name = serial < names.length ? baseName : `${baseName} ${Math.floor(serial / names.length) + 1}`;
    const merchant: Merchant = {
      index,
      name,
      category,
      code: `M${(index + 1).toString().padStart(3, '0')}`,
      sendsExtraData: random.chance(0.7),
      asksDateOfBirth: random.chance(0.5),
      paymentTermDays: random.chance(0.8) ? 14 : 30,
      orderCount: 0,
    };
    merchants.push(merchant);
    byCategory[category].push(merchant);
  }
  // Zipf-like popularity inside a category: a few big shops and a long tail.
  const merchantPickers = Object.fromEntries(
    categories.map((category) => [
      category,
      new WeightedPicker(byCategory[category].map((_, rank) => 1 / Math.pow(rank + 1, 0.8))),
    ]),
  ) as Record<Category, WeightedPicker>;
  return { merchants, byCategory, merchantPickers, categoryPicker };
}

export function pickMerchant(market: Market, random: Random, category: Category): Merchant {
  const list = market.byCategory[category];
  return list[market.merchantPickers[category].pick(random)] as Merchant;
}

/** A basket; `greedy` baskets (fraud) take the dearest products and sometimes several of them. */
export function makeLines(random: Random, category: Category, greedy: boolean): Line[] {
  const list = products[category];
  // Grocery baskets hold a handful of cheap lines; other shops mostly one or two articles.
  const lineCount = category === 'groceries' ? random.integer(2, 6) : greedy ? random.integer(1, 2) : random.count(1.5);
  const lines: Line[] = [];
  for (let index = 0; index < lineCount; index += 1) {
    const product = greedy
      ? (list[list.length - 1 - Math.floor(random.next() * Math.min(2, list.length))] as readonly [string, number])
      : (list[Math.floor(Math.pow(random.next(), 1.6) * list.length)] as readonly [string, number]);
    const quantity =
      greedy && category === 'gift_cards'
        ? random.integer(2, 6)
        : random.chance(category === 'groceries' ? 0.7 : 0.9)
          ? 1
          : 2;
    lines.push({ name: product[0], quantity, unit_price: unitPrice(random, category, product[1]), category });
  }
  return lines;
}

function unitPrice(random: Random, category: Category, typical: number): number {
  if (category === 'gift_cards') return typical;
  // Prices vary around the typical one and end in 99 cents like real shelf prices.
  const euros = Math.max(1, Math.round(random.logNormal(typical / 100, 0.25)));
  return euros * 100 - 1;
}

export function linesTotal(lines: readonly Line[]): number {
  let total = 0;
  for (const line of lines) total += line.unit_price * line.quantity;
  return total;
}
