// Makers of unique identity details: Dutch addresses, e-mail addresses, mobile numbers, devices and IPs.
import type { Address } from '../checkout/session.schema.ts';
import { hashString, Random, scramble32, WeightedPicker } from './random.simulation.ts';
import {
  anonymisingNetworks,
  cities,
  consumerEmailDomains,
  desktopUserAgents,
  homeIpv6Prefixes,
  homeNetworks,
  ispEmailDomains,
  lockerStreets,
  mobileIpv6Prefixes,
  pickupPointPlaces,
  mobileNetworks,
  phoneUserAgents,
  streets,
} from './vocabulary.simulation.ts';

export interface SimulatedAddress {
  readonly value: Address;
  /** Postcode plus house number: what identifies a Dutch address. */
  readonly key: string;
  readonly cityIndex: number;
}

export interface SimulatedDevice {
  readonly id: string;
  readonly userAgent: string;
}

// Real postcodes never use these letter pairs.
const forbiddenLetterPairs = new Set(['SA', 'SD', 'SS']);
const letters = [...'ABCDEFGHJKLMNPRSTVWXZ'];

/** Keeps every address, e-mail and phone unique so that "new" really means never seen before. */
export class IdentityFactory {
  private readonly addressKeys = new Set<string>();
  private readonly emails = new Set<string>();
  private readonly phones = new Set<string>();
  private readonly cityPicker = new WeightedPicker(cities.map((city) => city.weight));
  private readonly domainPicker = new WeightedPicker(consumerEmailDomains.map((entry) => entry.weight));
  private readonly lockers = new Map<number, SimulatedAddress[]>();
  private deviceCounter = 0;
  private accountCounter = 0;

  private readonly ispPicker = new WeightedPicker(ispEmailDomains.map((entry) => entry.weight));

  /** `pickupPoints(cityIndex)` is how many pick-up points and lockers the city has. */
  constructor(
    private readonly random: Random,
    private readonly pickupPoints: (cityIndex: number) => number = () => 4,
  ) {}

  pickCity(): number {
    return this.cityPicker.pick(this.random);
  }

  address(cityIndex = this.pickCity()): SimulatedAddress {
    const random = this.random;
    const city = cities[cityIndex] ?? cities[0];
    for (;;) {
      const digits = random.integer(city.postcodeFrom, city.postcodeTo);
      const pair = random.pick(letters) + random.pick(letters);
      if (forbiddenLetterPairs.has(pair)) continue;
      const postalCode = `${digits}${pair}`;
      const houseNumber = `${random.integer(1, random.chance(0.7) ? 80 : 400)}${random.chance(0.06) ? random.pick(['A', 'B', '-1', '-2', 'bis']) : ''}`;
      const key = `${postalCode} ${houseNumber}`;
      if (this.addressKeys.has(key)) continue;
      this.addressKeys.add(key);
      // The street follows from the postcode, as in the real postcode table.
      const street = streets[hashString(postalCode) % streets.length] as string;
      return {
        key,
        cityIndex,
        value: { street, house_number: houseNumber, postal_code: postalCode, city: city.name, country: 'NL' },
      };
    }
  }

  /**
   * The city's pick-up points and parcel lockers (hundreds in a large city), shared by every shopper who picks
   * one; a shopper mostly uses one of the few nearest to home, so `near` (a stable number per household) picks
   * among a handful of neighbouring points.
   */
  locker(cityIndex: number, near?: number): SimulatedAddress {
    let list = this.lockers.get(cityIndex);
    if (list === undefined) {
      list = [];
      const count = Math.max(1, this.pickupPoints(cityIndex));
      for (let index = 0; index < count; index += 1) {
        const base = this.address(cityIndex);
        const street =
          index < lockerStreets.length
            ? (lockerStreets[index] as string)
            : `${this.random.pick(pickupPointPlaces)} ${base.value.street}`;
        list.push({ ...base, value: { ...base.value, street } });
      }
      this.lockers.set(cityIndex, list);
    }
    if (near === undefined) return this.random.pick(list);
    return list[(scramble32(near) + this.random.integer(0, 3)) % list.length] as SimulatedAddress;
  }

  /** A mailbox from the consumer's broadband provider: j.devries@ziggo.nl, jdevries@kpnmail.nl. */
  ispEmail(firstName: string, lastName: string, birthYear: number): string {
    const domain = ispEmailDomains[this.ispPicker.pick(this.random)]?.domain as string;
    return this.personalEmail(firstName, lastName, birthYear, domain);
  }

  /** A mailbox on the family's own domain: anna@familie-jansen.nl, info@devries.nl. */
  ownDomainEmail(firstName: string, lastName: string): string {
    const random = this.random;
    const last = asciiLetters(lastName);
    const first = asciiLetters(firstName);
    const domain = `${random.pick(['', 'familie-', 'fam', 'de-', 'mail-'])}${last}${random.chance(0.3) ? random.integer(1, 99) : ''}.${random.pick(['nl', 'nl', 'nl', 'com', 'eu', 'net'])}`;
    let local = random.pick([first, `${first}.${last}`, `${first[0] ?? 'x'}${last}`, 'info', 'post', 'mail']);
    while (this.emails.has(`${local}@${domain}`)) local = `${local}${random.integer(1, 9)}`;
    return this.claimEmail(`${local}@${domain}`);
  }

  /** An address in a person's own style: jan.devries84@gmail.com, j.devries@ziggo.nl, ... */
  personalEmail(firstName: string, lastName: string, birthYear: number, domain?: string): string {
    const random = this.random;
    const first = asciiLetters(firstName);
    const last = asciiLetters(lastName);
    const mailbox = domain ?? (consumerEmailDomains[this.domainPicker.pick(random)]?.domain as string);
    const style = random.integer(0, 5);
    let local =
      style === 0
        ? `${first}.${last}`
        : style === 1
          ? `${first}${last}`
          : style === 2
            ? `${first[0] ?? 'x'}.${last}`
            : style === 3
              ? `${first}.${last}${birthYear % 100}`
              : style === 4
                ? `${first}_${last}`
                : `${last}${first}${birthYear}`;
    while (this.emails.has(`${local}@${mailbox}`)) local = `${local}${random.integer(1, 99)}`;
    return this.claimEmail(`${local}@${mailbox}`);
  }

  /** A throwaway mailbox; half look like the victim's name so that a glance does not catch them. */
  throwawayEmail(domain: string, lookalikeOf?: { firstName: string; lastName: string }): string {
    const random = this.random;
    let local =
      lookalikeOf !== undefined && random.chance(0.5)
        ? `${asciiLetters(lookalikeOf.firstName)}.${asciiLetters(lookalikeOf.lastName)}${random.integer(1, 999)}`
        : `${random.pick(['info', 'shop', 'deals', 'nl', 'mail', 'user', 'box', 'pakket'])}${random.hex(6)}`;
    while (this.emails.has(`${local}@${domain}`)) local = `${local}${random.integer(0, 9)}`;
    return this.claimEmail(`${local}@${domain}`);
  }

  mobilePhone(): string {
    for (;;) {
      // Dutch mobile numbers are 06 followed by 1-6 or 8 (libphonenumber calls 067, 069 and 060 invalid).
      const phone = `+316${this.random.pick(['1', '2', '3', '4', '5', '6', '8'])}${this.random.integer(1_000_000, 9_999_999)}`;
      if (this.phones.has(phone)) continue;
      this.phones.add(phone);
      return phone;
    }
  }

  device(kind: 'phone' | 'desktop'): SimulatedDevice {
    this.deviceCounter += 1;
    const id = `dev_${scramble32(this.deviceCounter).toString(16).padStart(8, '0')}`;
    return { id, userAgent: this.random.pick(kind === 'phone' ? phoneUserAgents : desktopUserAgents) };
  }

  accountId(): string {
    this.accountCounter += 1;
    return `acc_${scramble32(this.accountCounter ^ 0x5bd1e995)
      .toString(36)
      .padStart(7, '0')}`;
  }

  ip(kind: 'home' | 'mobile' | 'anonymising'): string {
    const networks = kind === 'home' ? homeNetworks : kind === 'mobile' ? mobileNetworks : anonymisingNetworks;
    return `${this.random.pick(networks)}.${this.random.integer(0, 255)}.${this.random.integer(1, 254)}`;
  }

  /** An IPv6 address in a consumer broadband or mobile prefix: one /64 per connection, random interface id. */
  ipv6(kind: 'home' | 'mobile'): string {
    const random = this.random;
    const prefix = random.pick(kind === 'home' ? homeIpv6Prefixes : mobileIpv6Prefixes);
    const group = () => random.integer(0, 0xffff).toString(16);
    return `${prefix}:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`;
  }

  /** Carrier-grade NAT (RFC 6598, 100.64.0.0/10): thousands of subscribers share one such address range. */
  carrierNatIp(): string {
    const random = this.random;
    return `100.${random.integer(64, 127)}.${random.integer(0, 255)}.${random.integer(1, 254)}`;
  }

  /** Documentation (RFC 5737 / RFC 3849) and private (RFC 1918) ranges, as leaked by proxies and test setups. */
  reservedIp(): string {
    const random = this.random;
    const octet = () => random.integer(1, 254);
    return random.pick([
      () => `192.0.2.${octet()}`,
      () => `198.51.100.${octet()}`,
      () => `203.0.113.${octet()}`,
      () => `10.${random.integer(0, 255)}.${random.integer(0, 255)}.${octet()}`,
      () => `192.168.${random.integer(0, 255)}.${octet()}`,
      () => `2001:db8::${random.integer(1, 0xffff).toString(16)}`,
    ])();
  }

  dateOfBirth(minimumAge: number, maximumAge: number, at: number): string {
    const ageDays = this.random.integer(minimumAge * 365, maximumAge * 365);
    return new Date(at - ageDays * 86_400_000).toISOString().slice(0, 10);
  }

  private claimEmail(email: string): string {
    this.emails.add(email);
    return email;
  }
}

export function asciiLetters(text: string): string {
  return text
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}
