// Fraud at scale or by the buyer himself: drop-address rings, bursts, first-party never-pay, synthetic identities.
import type { ImportOrder } from '../ingest/import.schema.ts';
import { makeLines, pickMerchant } from './catalogue.simulation.ts';
import {
  attackOrder,
  claimedDateOfBirth,
  fraudMerchant,
  recruitAttacker,
  scheduleSeries,
  strangerMerchantData,
} from './attackers.simulation.ts';
import type { CampaignLauncher } from './fraud.typologies.ts';
import type { SimulatedAddress } from './identity.simulation.ts';
import { dayMilliseconds } from './options.simulation.ts';
import { buildOrder, customerOf, ensureAccount, merchantData, merchantRelationship } from './orders.simulation.ts';
import { applyLifeEvents, pickAccountHolder, pickNonCustomer } from './population.simulation.ts';
import { firstNames, lastNames } from './vocabulary.simulation.ts';

const minute = 60_000;

interface RingIdentity {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly home: SimulatedAddress;
  readonly accountId: string;
}

/** A ring ships orders in many strangers' names to a few addresses it controls, over weeks. */
export const dropAddress: CampaignLauncher = (context, startAt, meanSize) => {
  const { random, identities } = context;
  const drops = Array.from({ length: random.integer(1, 3) }, () => identities.address());
  const devices = Array.from({ length: random.integer(1, 3) }, () =>
    identities.device(random.chance(0.5) ? 'phone' : 'desktop'),
  );
  const ips = [identities.ip('home'), identities.ip('mobile'), identities.ip('anonymising')];
  const phones = [identities.mobilePhone(), identities.mobilePhone()];
  const domain = recruitAttacker(context).emailDomain;
  const identitiesUsed: RingIdentity[] = [];
  scheduleSeries(context, startAt, random.count(meanSize), 2 * dayMilliseconds, (at) => {
    let identity = identitiesUsed.length > 0 && random.chance(0.35) ? random.pick(identitiesUsed) : null;
    if (identity === null) {
      const stranger = pickNonCustomer(random, context.population);
      const email = identities.throwawayEmail(domain, stranger);
      const phone = random.chance(0.5) ? random.pick(phones) : identities.mobilePhone();
      const home = stranger.household.address;
      identity = {
        name: stranger.name,
        email,
        phone,
        home,
        accountId: context.openAccount({ name: stranger.name, email, phone, address: home.value }, at),
      };
      identitiesUsed.push(identity);
    }
    const merchant = fraudMerchant(context);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'drop_address',
      accountId: identity.accountId,
      customer: {
        name: identity.name,
        email: identity.email,
        phone: identity.phone,
        ...claimedDateOfBirth(context, merchant, null, at),
      },
      billingAddress: identity.home.value,
      shippingAddress: random.pick(drops).value,
      device: random.pick(devices),
      ip: random.pick(ips),
      extra: strangerMerchantData(context, merchant, at, 'home'),
    });
  });
};

/** Many orders in minutes from one device and network, each in another name, often at one shop. */
export const burst: CampaignLauncher = (context, startAt, meanSize) => {
  const { random, identities } = context;
  const attacker = recruitAttacker(context);
  const device = random.pick(attacker.devices);
  const target = random.chance(0.7) ? fraudMerchant(context) : null;
  scheduleSeries(context, startAt, random.count(meanSize), 3 * minute, (at) => {
    const merchant = target ?? fraudMerchant(context);
    const holder = random.chance(0.4) ? pickAccountHolder(random, context.population) : null;
    const person = holder ?? pickNonCustomer(random, context.population);
    const email = holder !== null ? holder.email : identities.throwawayEmail(attacker.emailDomain, person);
    const phone = holder !== null ? holder.phone : attacker.phone;
    const accountId =
      holder?.accountId ??
      context.openAccount({ name: person.name, email, phone, address: person.household.address.value }, at);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'burst',
      accountId,
      customer: { name: person.name, email, phone, ...claimedDateOfBirth(context, merchant, null, at) },
      billingAddress: person.household.address.value,
      shippingAddress: attacker.address.value,
      device,
      ip: attacker.ip,
      extra: strangerMerchantData(context, merchant, at, 'home'),
    });
  });
};

/** A real customer, own device and address, who orders big and never means to pay. */
export const firstParty: CampaignLauncher = (context, startAt, meanSize) => {
  const { random } = context;
  const consumer = context.population.consumers[context.population.activityPicker.pick(random)];
  if (consumer === undefined) return;
  scheduleSeries(context, startAt, random.count(meanSize), 1.5 * dayMilliseconds, (at) => {
    applyLifeEvents(random, context.identities, context.options.profile, consumer, at);
    const accountId = ensureAccount(context, consumer, at);
    const merchant = fraudMerchant(context);
    const relationship = merchantRelationship(random, consumer, merchant, at);
    const extra = merchantData(merchant, at, 'home', { ...relationship, contactChangedAt: consumer.contactChangedAt });
    relationship.orders += 1;
    return attackOrder(context, {
      at,
      merchant,
      typology: 'first_party',
      accountId,
      extra,
      customer: customerOf(consumer, merchant),
      billingAddress: consumer.household.address.value,
      shippingAddress: consumer.household.address.value,
      device: random.chance(0.8) ? consumer.device : consumer.household.sharedDevice,
      ip: consumer.household.homeIp,
    });
  });
};

/**
 * A made-up person with consistent, brand-new details: a few small orders paid on time build trust,
 * then the bust-out. The trust orders are honestly labelled as paid; only the bust-out is fraud.
 */
export const syntheticIdentity: CampaignLauncher = (context, startAt, meanSize) => {
  const { random, identities } = context;
  const firstName = random.pick(firstNames);
  const lastName = random.pick(lastNames);
  const dateOfBirth = identities.dateOfBirth(19, 40, startAt);
  const email = identities.personalEmail(firstName, lastName, Number(dateOfBirth.slice(0, 4)));
  const person = { name: `${firstName} ${lastName}`, email, phone: identities.mobilePhone() };
  const home = identities.address();
  const device = identities.device('phone');
  const ip = identities.ip(random.chance(0.7) ? 'mobile' : 'home');
  // The made-up person opens a shop account at each merchant on the first order there.
  const shops = new Map<number, { createdAt: number; orders: number }>();
  let accountId: string | null = null;
  const trustOrders = random.integer(1, 3);
  const order = (at: number, fraud: boolean): ImportOrder => {
    accountId ??= context.openAccount({ ...person, date_of_birth: dateOfBirth, address: home.value }, at);
    const merchant = fraud
      ? fraudMerchant(context)
      : pickMerchant(context.market, random, random.pick(['fashion', 'beauty', 'home'] as const));
    const shop = shops.get(merchant.index) ?? { createdAt: at - random.integer(1, 20) * minute, orders: 0 };
    shops.set(merchant.index, shop);
    const extra = merchantData(merchant, at, 'home', {
      guest: false,
      createdAt: shop.createdAt,
      orders: shop.orders,
      contactChangedAt: shop.createdAt,
    });
    shop.orders += 1;
    const common = {
      at,
      merchant,
      accountId,
      extra,
      device,
      ip,
      billingAddress: home.value,
      shippingAddress: home.value,
      customer: merchant.asksDateOfBirth ? { ...person, date_of_birth: dateOfBirth } : person,
    };
    if (fraud) return attackOrder(context, { ...common, typology: 'synthetic_identity' });
    const lines = makeLines(random, merchant.category, false);
    return buildOrder(context, {
      ...common,
      lines,
      outcome: 'paid_on_time',
      outcomeAt: at + random.integer(2, 12) * dayMilliseconds,
    });
  };
  scheduleSeries(context, startAt, trustOrders, 10 * dayMilliseconds, (at) => order(at, false));
  const bustOutAt = startAt + (trustOrders * 10 + random.integer(3, 20)) * dayMilliseconds;
  scheduleSeries(context, bustOutAt, random.count(meanSize), 0.5 * dayMilliseconds, (at) => order(at, true));
};
