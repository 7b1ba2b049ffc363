// The consumer population: households with shared addresses and devices, and the life events that change them.
import { categories, categoryPopularity, type Category } from './catalogue.simulation.ts';
import type { IdentityFactory, SimulatedAddress, SimulatedDevice } from './identity.simulation.ts';
import { dayMilliseconds, type SimulationOptions } from './options.simulation.ts';
import type { WorldProfile } from './profiles.simulation.ts';
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

/** A household's broadband line: its kind decides what its home network address looks like. */
export type HomeNetwork = 'ipv4' | 'ipv6' | 'carrier_nat';

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
  /** Where some of a worker's parcels go (null: no office deliveries). */
  readonly workAddress: SimulatedAddress | null;
  email: string;
  phone: string;
  device: SimulatedDevice;
  accountId: string | null;
  accountCreatedAt: number;
  contactChangedAt: number;
  eventsAppliedAt: number;
  merchants: Map<number, MerchantRelationship> | null;
  /** The pay-later invoices still open (amount in cents, until when): what the provider's exposure limit sees. */
  openInvoices: { amount: number; until: number }[];
  /** When each unpaid invoice became known as unpaid (from two on, the provider offers pay later no more). */
  unpaidAt: number[];
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
      homeIp: homeIp(random, identities, options.profile),
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
    workAddress: random.chance(options.profile.delivery.workers) ? workAddress(identities) : null,
    email: consumerEmail(random, identities, options.profile, firstName, lastName, birthYear),
    phone: identities.mobilePhone(),
    device: identities.device('phone'),
    accountId: existing ? identities.accountId() : null,
    accountCreatedAt,
    contactChangedAt: existing ? accountCreatedAt : options.startAt,
    eventsAppliedAt: existing ? accountCreatedAt : options.startAt,
    merchants: null,
    openInvoices: [],
    unpaidAt: [],
    customerCache: null,
  };
}

/** An office, usually in another city than home (the Dutch commute crosses municipal borders). */
function workAddress(identities: IdentityFactory): SimulatedAddress {
  return identities.address();
}

export function consumerEmail(
  random: Random,
  identities: IdentityFactory,
  profile: WorldProfile,
  firstName: string,
  lastName: string,
  birthYear: number,
): string {
  const draw = random.next();
  if (draw < profile.email.ownDomain) return identities.ownDomainEmail(firstName, lastName);
  if (draw < profile.email.ownDomain + profile.email.isp) return identities.ispEmail(firstName, lastName, birthYear);
  return identities.personalEmail(firstName, lastName, birthYear);
}

/** The household line's address: IPv4 behind the modem, IPv6, or an IPv4 behind the provider's carrier NAT. */
export function homeIp(random: Random, identities: IdentityFactory, profile: WorldProfile): string {
  const draw = random.next();
  if (draw < profile.network.homeIpv6) return identities.ipv6('home');
  if (draw < profile.network.homeIpv6 + profile.network.homeCarrierNat) return identities.carrierNatIp();
  return identities.ip('home');
}

function happened(random: Random, elapsed: number, meanYears: number): boolean {
  return elapsed > 0 && random.chance(1 - Math.exp(-elapsed / (meanYears * yearMilliseconds)));
}

/** Applies, lazily, what happened in a consumer's life since we last looked: moves, new phones, new mailboxes. */
export function applyLifeEvents(
  random: Random,
  identities: IdentityFactory,
  profile: WorldProfile,
  consumer: Consumer,
  at: number,
): void {
  const household = consumer.household;
  const householdElapsed = at - household.eventsAppliedAt;
  if (happened(random, householdElapsed, 8)) {
    household.address = identities.address(random.chance(0.6) ? household.address.cityIndex : identities.pickCity());
    household.homeIp = homeIp(random, identities, profile);
  } else if (happened(random, householdElapsed, 0.7)) {
    // Dynamic broadband addresses are reassigned now and then.
    household.homeIp = homeIp(random, identities, profile);
  }
  household.eventsAppliedAt = Math.max(household.eventsAppliedAt, at);
  const elapsed = at - consumer.eventsAppliedAt;
  const years = profile.lifeEventYears;
  if (happened(random, elapsed, years.newPhone)) {
    // A new phone often comes with a new number (switching carrier without porting, a prepaid SIM).
    if (random.chance(0.35)) consumer.phone = identities.mobilePhone();
    consumer.device = identities.device('phone');
    consumer.contactChangedAt = at;
  } else if (happened(random, elapsed, years.newDevice)) consumer.device = identities.device('phone');
  if (happened(random, elapsed, years.newEmail)) {
    consumer.email = consumerEmail(
      random,
      identities,
      profile,
      consumer.firstName,
      consumer.lastName,
      consumer.birthYear,
    );
    consumer.contactChangedAt = at;
  }
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
