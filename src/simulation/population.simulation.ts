// The consumer population: households with shared addresses and devices, and the life events that change them.
import { categories, categoryPopularity, type Category } from './catalogue.simulation.ts';
import type { IdentityFactory, SimulatedAddress, SimulatedDevice } from './identity.simulation.ts';
import { dayMilliseconds, type SimulationOptions } from './options.simulation.ts';
import { Random, WeightedPicker } from './random.simulation.ts';
import { firstNames, lastNames } from './vocabulary.simulation.ts';

const yearMilliseconds = 365.25 * dayMilliseconds;

export interface Household {
  address: SimulatedAddress;
  homeIp: string;
  /** The family tablet or laptop that several members shop from. */
  readonly sharedDevice: SimulatedDevice;
  eventsAppliedAt: number;
}

/** What a merchant knows about this consumer's account in its own shop. */
export interface MerchantRelationship {
  readonly createdAt: number;
  readonly guest: boolean;
  orders: number;
}

/** 0 pays on time, 1 is often late, 2 struggles and sometimes cannot pay. */
export type PaymentProfile = 0 | 1 | 2;

export interface Consumer {
  readonly index: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly birthYear: number;
  readonly household: Household;
  readonly activity: number;
  readonly payment: PaymentProfile;
  readonly primaryCategory: Category;
  email: string;
  phone: string;
  device: SimulatedDevice;
  accountId: string | null;
  accountCreatedAt: number;
  contactChangedAt: number;
  eventsAppliedAt: number;
  merchants: Map<number, MerchantRelationship> | null;
  customerCache: {
    readonly email: string;
    readonly phone: string;
    readonly withBirth: { name: string; email: string; phone: string; date_of_birth?: string };
    readonly withoutBirth: { name: string; email: string; phone: string; date_of_birth?: string };
  } | null;
}

export interface Population {
  readonly consumers: readonly Consumer[];
  readonly activityPicker: WeightedPicker;
  /** Consumers with an account, in the order their accounts were opened: the victims of account fraud. */
  readonly accountHolders: Consumer[];
}

const householdSizes = new WeightedPicker([0.36, 0.33, 0.14, 0.12, 0.05]);
const categoryPicker = new WeightedPicker(categories.map((category) => categoryPopularity[category]));

export function makePopulation(random: Random, identities: IdentityFactory, options: SimulationOptions): Population {
  const consumers: Consumer[] = [];
  const activities = new Float64Array(options.consumers);
  while (consumers.length < options.consumers) {
    const household: Household = {
      address: identities.address(),
      homeIp: identities.ip('home'),
      sharedDevice: identities.device('desktop'),
      eventsAppliedAt: options.startAt,
    };
    const familyName = random.pick(lastNames);
    const size = Math.min(householdSizes.pick(random) + 1, options.consumers - consumers.length);
    for (let member = 0; member < size; member += 1) {
      const consumer = makeConsumer(
        random,
        identities,
        options,
        household,
        consumers.length,
        member === 0 || random.chance(0.6) ? familyName : random.pick(lastNames),
      );
      activities[consumer.index] = consumer.activity;
      consumers.push(consumer);
    }
  }
  const accountHolders = consumers.filter((consumer) => consumer.accountId !== null);
  accountHolders.sort((left, right) => left.accountCreatedAt - right.accountCreatedAt);
  return { consumers, activityPicker: new WeightedPicker(activities), accountHolders };
}

function makeConsumer(
  random: Random,
  identities: IdentityFactory,
  options: SimulationOptions,
  household: Household,
  index: number,
  lastName: string,
): Consumer {
  const firstName = random.pick(firstNames);
  const dateOfBirth = identities.dateOfBirth(18, 85, options.startAt);
  const birthYear = Number(dateOfBirth.slice(0, 4));
  const existing = random.chance(options.existingCustomerShare);
  // Accounts opened up to three years before the window; their details may have aged since.
  const accountCreatedAt = existing ? options.startAt - Math.floor(random.next() * 3 * yearMilliseconds) - 60_000 : 0;
  const paymentDraw = random.next();
  return {
    index,
    firstName,
    lastName,
    dateOfBirth,
    birthYear,
    household,
    name: `${firstName} ${lastName}`,
    activity: random.logNormal(1, 1),
    payment: paymentDraw < 0.8 ? 0 : paymentDraw < 0.95 ? 1 : 2,
    primaryCategory: categories[categoryPicker.pick(random)] as Category,
    email: identities.personalEmail(firstName, lastName, birthYear),
    phone: identities.mobilePhone(),
    device: identities.device('phone'),
    accountId: existing ? identities.accountId() : null,
    accountCreatedAt,
    contactChangedAt: existing ? accountCreatedAt : options.startAt,
    eventsAppliedAt: existing ? accountCreatedAt : options.startAt,
    merchants: null,
    customerCache: null,
  };
}

function happened(random: Random, elapsed: number, meanYears: number): boolean {
  return elapsed > 0 && random.chance(1 - Math.exp(-elapsed / (meanYears * yearMilliseconds)));
}

/** Applies, lazily, what happened in a consumer's life since we last looked: moves, new phones, new mailboxes. */
export function applyLifeEvents(random: Random, identities: IdentityFactory, consumer: Consumer, at: number): void {
  const household = consumer.household;
  const householdElapsed = at - household.eventsAppliedAt;
  if (happened(random, householdElapsed, 8)) {
    household.address = identities.address(random.chance(0.6) ? household.address.cityIndex : identities.pickCity());
    household.homeIp = identities.ip('home');
  } else if (happened(random, householdElapsed, 0.7)) {
    // Dynamic broadband addresses are reassigned now and then.
    household.homeIp = identities.ip('home');
  }
  household.eventsAppliedAt = Math.max(household.eventsAppliedAt, at);
  const elapsed = at - consumer.eventsAppliedAt;
  if (happened(random, elapsed, 10)) {
    consumer.phone = identities.mobilePhone();
    consumer.contactChangedAt = at;
  }
  if (happened(random, elapsed, 6)) {
    consumer.email = identities.personalEmail(consumer.firstName, consumer.lastName, consumer.birthYear);
    consumer.contactChangedAt = at;
  }
  if (happened(random, elapsed, 2.5)) consumer.device = identities.device('phone');
  consumer.eventsAppliedAt = at;
}

/** A consumer who has never been a customer: the stranger whose name a ghost invoice uses. */
export function pickNonCustomer(random: Random, population: Population): Consumer {
  let candidate = random.pick(population.consumers);
  for (let attempt = 0; attempt < 40 && candidate.accountId !== null; attempt += 1)
    candidate = random.pick(population.consumers);
  return candidate;
}

export function pickAccountHolder(random: Random, population: Population): Consumer | null {
  return population.accountHolders.length === 0 ? null : random.pick(population.accountHolders);
}
