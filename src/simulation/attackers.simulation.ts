// Fraudsters and the shared mechanics of their orders: who they are, which shops they hit, how labels arrive.
import type { ImportOrder } from '../ingest/import.schema.ts';
import { categories, makeLines, pickMerchant, type Category, type Merchant } from './catalogue.simulation.ts';
import type { SimulationContext } from './context.simulation.ts';
import type { SimulatedAddress, SimulatedDevice } from './identity.simulation.ts';
import { dayMilliseconds, type Typology } from './options.simulation.ts';
import { WeightedPicker } from './random.simulation.ts';
import type { OrderBuilder } from './schedule.simulation.ts';
import { buildOrder, merchantData, type DeliveryMethod, type OrderParts } from './orders.simulation.ts';
import { attackerEmailDomains } from './vocabulary.simulation.ts';

export interface Attacker {
  /** Where the goods really go: an address no consumer in the population lives at. */
  readonly address: SimulatedAddress;
  readonly devices: readonly SimulatedDevice[];
  readonly ip: string;
  readonly phone: string;
  readonly emailDomain: string;
}

export interface AttackContext extends SimulationContext {
  schedule(at: number, build: OrderBuilder): void;
  readonly attackers: Attacker[];
}

/** Fraud goes where goods resell: electronics and gift cards far above their share of honest trade. */
const fraudCategoryPicker = new WeightedPicker(
  categories.map(
    (category) =>
      ({
        electronics: 0.42,
        gift_cards: 0.16,
        fashion: 0.14,
        home: 0.1,
        sports: 0.08,
        beauty: 0.05,
        toys: 0.03,
        groceries: 0.02,
      })[category],
  ),
);

/** Some fraudsters come back for more: reusing one links campaigns through devices and addresses. */
export function recruitAttacker(context: AttackContext): Attacker {
  const { random, identities } = context;
  if (context.attackers.length > 0 && random.chance(0.35)) return random.pick(context.attackers);
  const attacker: Attacker = {
    address: identities.address(),
    devices: random.chance(0.3)
      ? [identities.device('phone'), identities.device('desktop')]
      : [identities.device(random.chance(0.5) ? 'phone' : 'desktop')],
    ip: identities.ip(random.chance(0.4) ? 'anonymising' : random.chance(0.5) ? 'mobile' : 'home'),
    phone: identities.mobilePhone(),
    emailDomain: random.pick(attackerEmailDomains),
  };
  context.attackers.push(attacker);
  return attacker;
}

export function fraudCategory(context: SimulationContext): Category {
  return categories[fraudCategoryPicker.pick(context.random)] as Category;
}

export function fraudMerchant(context: SimulationContext): Merchant {
  return pickMerchant(context.market, context.random, fraudCategory(context));
}

/** Days until each typology's label is known, as a multiple of the configured mean delay. */
const labelDelayFactors: Record<Typology, number> = {
  identity_misuse: 0.5,
  account_takeover: 0.5,
  burst: 0.7,
  drop_address: 1,
  parcel_redirection: 1,
  // The victim of a ghost invoice hears of it from a paper reminder a month later.
  ghost_invoice: 1.6,
  // Nobody complains about these: they surface in collections, weeks after the due date.
  first_party: 3,
  synthetic_identity: 3,
  // The victim finds the invoice for a parcel that never reached them: as fast as plain identity misuse.
  interception: 0.6,
  // Small amounts: the victim notices on the monthly overview, if at all.
  low_value_probing: 1.2,
  billing_kept: 0.6,
};

export function fraudParts(
  context: SimulationContext,
  typology: Typology,
  at: number,
): Pick<OrderParts, 'outcome' | 'outcomeAt' | 'fraud'> {
  const factor = labelDelayFactors[typology];
  const days = context.options.labelDelayDays * factor * (0.25 + 0.75 * context.random.exponential(1));
  return {
    outcome: 'fraud_confirmed',
    outcomeAt: at + Math.round(days * dayMilliseconds),
    fraud: { kind: typology === 'first_party' ? 'fraud_first_party' : 'fraud_third_party', typology },
  };
}

/** A made-up date of birth when the shop asks for one: the attacker rarely knows the victim's. */
export function claimedDateOfBirth(
  context: SimulationContext,
  merchant: Merchant,
  known: string | null,
  at: number,
): { date_of_birth?: string } {
  if (!merchant.asksDateOfBirth) return {};
  return {
    date_of_birth: known !== null && context.random.chance(0.3) ? known : context.identities.dateOfBirth(19, 60, at),
  };
}

/** What the merchant sees of a stranger: a guest, or a shop account opened minutes ago. */
export function strangerMerchantData(
  context: SimulationContext,
  merchant: Merchant,
  at: number,
  delivery: DeliveryMethod,
) {
  const guest = context.random.chance(0.6);
  return merchantData(merchant, at, delivery, {
    guest,
    createdAt: at - context.random.integer(1, 30) * 60_000,
    orders: 0,
    contactChangedAt: at,
  });
}

export interface AttackOrder extends Omit<OrderParts, 'outcome' | 'outcomeAt' | 'fraud' | 'lines'> {
  readonly typology: Typology;
  readonly category?: Category;
  /** `cheap`: one inexpensive article, to test whether an identity works before the big order. */
  readonly basket?: 'cheap';
}

export function attackOrder(context: SimulationContext, parts: AttackOrder): ImportOrder {
  const { random } = context;
  const category = parts.category ?? parts.merchant.category;
  // Not every fraudster fills the basket with the dearest goods: many shop like anyone else, to pass unnoticed.
  let lines = makeLines(
    random,
    category,
    parts.basket !== 'cheap' && random.chance(context.options.profile.fraudGreed),
  );
  if (parts.basket === 'cheap') {
    const first = lines.reduce((cheapest, line) => (line.unit_price < cheapest.unit_price ? line : cheapest));
    lines = [{ ...first, quantity: 1, unit_price: Math.min(first.unit_price, random.integer(5, 40) * 100 - 1) }];
  }
  return buildOrder(context, { ...parts, lines, ...fraudParts(context, parts.typology, parts.at) });
}

/** Gaps between a campaign's orders: the first at the start, the rest spread by an exponential. */
export function scheduleSeries(
  context: AttackContext,
  startAt: number,
  count: number,
  meanGapMilliseconds: number,
  build: (at: number, step: number) => ImportOrder | null,
): void {
  let at = startAt;
  for (let step = 0; step < count; step += 1) {
    const stepAt = at;
    context.schedule(stepAt, (when) => build(when, step));
    at += Math.max(1000, Math.round(context.random.exponential(meanGapMilliseconds)));
  }
}
