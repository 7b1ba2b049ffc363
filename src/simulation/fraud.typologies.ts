// Fraud against one victim at a time: identity misuse, ghost invoices, account takeover, parcel redirection.
import {
  recruitAttacker,
  attackOrder,
  claimedDateOfBirth,
  fraudMerchant,
  scheduleSeries,
  strangerMerchantData,
  type AttackContext,
} from './attackers.simulation.ts';
import { dayMilliseconds, type Typology } from './options.simulation.ts';
import { merchantData } from './orders.simulation.ts';
import { pickAccountHolder, pickNonCustomer } from './population.simulation.ts';
import { burst, dropAddress, firstParty, syntheticIdentity } from './ring.typologies.ts';

const hour = 3_600_000;

/** Starts one campaign of the typology at `at`; its orders are scheduled, not written. */
export type CampaignLauncher = (context: AttackContext, at: number, meanSize: number) => void;

/**
 * The reported attack: the victim's name, e-mail and phone (all on file), the attacker's own device and
 * address. The invoice bills the victim's account; the goods go to the attacker.
 */
const identityMisuse: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  scheduleSeries(context, startAt, context.random.count(meanSize), 1.5 * dayMilliseconds, (at) => {
    const { random } = context;
    const victim = pickAccountHolder(random, context.population);
    if (victim === null || victim.accountId === null) return null;
    const merchant = fraudMerchant(context);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'identity_misuse',
      accountId: victim.accountId,
      customer: {
        name: victim.name,
        email: victim.email,
        phone: victim.phone,
        ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at),
      },
      billingAddress: random.chance(0.7) ? attacker.address.value : victim.household.address.value,
      shippingAddress: attacker.address.value,
      device: random.pick(attacker.devices),
      ip: attacker.ip,
      extra: strangerMerchantData(context, merchant, at, 'home'),
    });
  });
};

/** A stranger's name and home address with the attacker's e-mail; the parcel is redirected on its way. */
const ghostInvoice: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  scheduleSeries(context, startAt, context.random.count(meanSize), 2 * dayMilliseconds, (at) => {
    const { random, identities } = context;
    const stranger = pickNonCustomer(random, context.population);
    const merchant = fraudMerchant(context);
    const email = identities.throwawayEmail(attacker.emailDomain, stranger);
    // The attacker's own phone or a fresh prepaid number: never the stranger's.
    const phone = random.chance(0.6) ? attacker.phone : identities.mobilePhone();
    const home = stranger.household.address;
    const accountId = context.openAccount({ name: stranger.name, email, phone, address: home.value }, at);
    const toLocker = random.chance(0.25);
    // Name, address and date of birth come from a leak or a public profile: the date is usually right.
    const dateOfBirth = merchant.asksDateOfBirth
      ? { date_of_birth: random.chance(0.8) ? stranger.dateOfBirth : identities.dateOfBirth(19, 60, at) }
      : {};
    return attackOrder(context, {
      at,
      merchant,
      typology: 'ghost_invoice',
      accountId,
      customer: { name: stranger.name, email, phone, ...dateOfBirth },
      billingAddress: home.value,
      shippingAddress: toLocker ? identities.locker(home.cityIndex).value : home.value,
      device: random.pick(attacker.devices),
      ip: attacker.ip,
      extra: strangerMerchantData(context, merchant, at, toLocker ? 'pickup_point' : 'home'),
    });
  });
};

/** Into the victim's own account from a new device, shipping to a new address; orders follow fast. */
const accountTakeover: CampaignLauncher = (context, startAt, meanSize) => {
  const { random, identities } = context;
  const victim = pickAccountHolder(random, context.population);
  if (victim === null) return;
  const attacker = recruitAttacker(context);
  const device = identities.device(random.chance(0.5) ? 'phone' : 'desktop');
  const ip = random.chance(0.5) ? identities.ip('anonymising') : attacker.ip;
  const email = random.chance(0.3) ? identities.throwawayEmail(attacker.emailDomain, victim) : null;
  const phone = random.chance(0.3) ? attacker.phone : null;
  scheduleSeries(context, startAt, random.count(meanSize), 0.7 * hour, (at) => {
    if (victim.accountId === null) return null;
    const merchant = fraudMerchant(context);
    const relationship = victim.merchants?.get(merchant.index);
    const since = at - random.integer(60, 1500) * dayMilliseconds;
    return attackOrder(context, {
      at,
      merchant,
      typology: 'account_takeover',
      accountId: victim.accountId,
      customer: {
        name: victim.name,
        email: email ?? victim.email,
        phone: phone ?? victim.phone,
        ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at),
      },
      billingAddress: victim.household.address.value,
      shippingAddress: attacker.address.value,
      device,
      ip,
      // The shop account is the victim's too, taken over minutes ago: old, busy, contact details just changed.
      extra: merchantData(merchant, at, 'home', {
        guest: false,
        createdAt: relationship?.createdAt ?? since,
        orders: relationship?.orders ?? random.count(4),
        contactChangedAt: at - random.integer(1, 120) * 60_000,
      }),
    });
  });
};

/** The victim's name and address everywhere, but a new device and mailbox; the carrier is told to redirect. */
const parcelRedirection: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  scheduleSeries(context, startAt, context.random.count(meanSize), 3 * hour, (at) => {
    const { random, identities } = context;
    const victim = random.chance(0.7)
      ? (pickAccountHolder(random, context.population) ?? pickNonCustomer(random, context.population))
      : pickNonCustomer(random, context.population);
    const merchant = fraudMerchant(context);
    const home = victim.household.address;
    const email = identities.throwawayEmail(attacker.emailDomain, victim);
    const phone = random.chance(0.5) ? victim.phone : attacker.phone;
    const accountId =
      victim.accountId ?? context.openAccount({ name: victim.name, email, phone, address: home.value }, at);
    const toLocker = random.chance(0.35);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'parcel_redirection',
      accountId,
      customer: { name: victim.name, email, phone, ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at) },
      billingAddress: home.value,
      shippingAddress: toLocker ? identities.locker(home.cityIndex).value : home.value,
      device: identities.device('phone'),
      ip: random.chance(0.5) ? identities.ip('mobile') : attacker.ip,
      extra: strangerMerchantData(context, merchant, at, toLocker ? 'parcel_locker' : 'home'),
    });
  });
};

/**
 * Interception at the victim's home: everything is the victim's (name, e-mail, phone, date of birth, home as
 * billing and delivery address), only the device and network are the attacker's, who takes the parcel from
 * the doorstep, the mailbox or a neighbour. Nothing about the address looks wrong.
 */
const interception: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  scheduleSeries(context, startAt, context.random.count(meanSize), 2 * dayMilliseconds, (at) => {
    const { random } = context;
    const victim = pickAccountHolder(random, context.population) ?? pickNonCustomer(random, context.population);
    const merchant = fraudMerchant(context);
    const home = victim.household.address;
    const accountId =
      victim.accountId ??
      context.openAccount(
        {
          name: victim.name,
          email: victim.email,
          phone: victim.phone,
          date_of_birth: victim.dateOfBirth,
          address: home.value,
        },
        at,
      );
    return attackOrder(context, {
      at,
      merchant,
      typology: 'interception',
      accountId,
      customer: {
        name: victim.name,
        email: victim.email,
        phone: victim.phone,
        ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at),
      },
      billingAddress: home.value,
      shippingAddress: home.value,
      device: random.pick(attacker.devices),
      ip: random.chance(0.5) ? context.identities.ip('mobile') : attacker.ip,
      extra: strangerMerchantData(context, merchant, at, 'home'),
    });
  });
};

/**
 * Low-value probing: a few cheap orders with one stolen identity at several shops, to learn which identities
 * and shops let a pay-later order through before the expensive one.
 */
const lowValueProbing: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  const { random } = context;
  const victim = pickAccountHolder(random, context.population);
  if (victim === null) return;
  scheduleSeries(context, startAt, random.count(meanSize), 6 * hour, (at) => {
    if (victim.accountId === null) return null;
    const merchant = fraudMerchant(context);
    const toPickup = random.chance(0.5);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'low_value_probing',
      basket: 'cheap',
      accountId: victim.accountId,
      customer: {
        name: victim.name,
        email: victim.email,
        phone: victim.phone,
        ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at),
      },
      billingAddress: victim.household.address.value,
      shippingAddress: toPickup ? context.identities.locker(attacker.address.cityIndex).value : attacker.address.value,
      device: random.pick(attacker.devices),
      ip: attacker.ip,
      extra: strangerMerchantData(context, merchant, at, toPickup ? 'pickup_point' : 'home'),
    });
  });
};

/**
 * Identity misuse that keeps the victim's billing address (so billing matches the account on file) and ships
 * to the attacker's address or to a pick-up point in the victim's own city, where it looks like convenience.
 */
const billingKept: CampaignLauncher = (context, startAt, meanSize) => {
  const attacker = recruitAttacker(context);
  scheduleSeries(context, startAt, context.random.count(meanSize), 1.5 * dayMilliseconds, (at) => {
    const { random } = context;
    const victim = pickAccountHolder(random, context.population);
    if (victim === null || victim.accountId === null) return null;
    const merchant = fraudMerchant(context);
    const nearVictim = random.chance(0.5);
    return attackOrder(context, {
      at,
      merchant,
      typology: 'billing_kept',
      accountId: victim.accountId,
      customer: {
        name: victim.name,
        email: victim.email,
        phone: victim.phone,
        ...claimedDateOfBirth(context, merchant, victim.dateOfBirth, at),
      },
      billingAddress: victim.household.address.value,
      shippingAddress: nearVictim
        ? context.identities.locker(victim.household.address.cityIndex).value
        : attacker.address.value,
      device: random.pick(attacker.devices),
      ip: attacker.ip,
      extra: strangerMerchantData(context, merchant, at, nearVictim ? 'pickup_point' : 'home'),
    });
  });
};

export const campaignLaunchers: Record<Typology, CampaignLauncher> = {
  identity_misuse: identityMisuse,
  ghost_invoice: ghostInvoice,
  account_takeover: accountTakeover,
  drop_address: dropAddress,
  parcel_redirection: parcelRedirection,
  first_party: firstParty,
  synthetic_identity: syntheticIdentity,
  burst,
  interception,
  low_value_probing: lowValueProbing,
  billing_kept: billingKept,
};
