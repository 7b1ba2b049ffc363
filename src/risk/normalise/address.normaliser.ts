// Address normalisation: one key per delivery point, whatever the shopper's spelling, spacing or abbreviations.
import type { Address } from '../../checkout/session.schema.ts';
import { foldText } from './text.normaliser.ts';

export interface NormalisedAddress {
  /**
   * Identifies the delivery point and who lives there: postcode + house number + addition, and the street and city.
   * Postcode + number alone is unique in NL, but an attacker who writes a victim's postcode and number with another
   * street must not be taken for the victim's home (the parcel goes to the street written).
   */
  readonly key: string;
  readonly country: string;
  readonly postalCode: string;
  readonly street: string;
  readonly houseNumber: string;
  readonly houseNumberAddition: string;
  readonly city: string;
  /** A parcel locker, pick-up point, PO box or parcel forwarder rather than a home. */
  readonly isParcelLocker: boolean;
  readonly isForwarder: boolean;
  readonly isPoBox: boolean;
}

/** Whole-word abbreviations (after folding). Dutch first, English after. */
const wordAbbreviations: Readonly<Record<string, string>> = {
  str: 'straat',
  ln: 'laan',
  pln: 'plein',
  pl: 'plein',
  gr: 'gracht',
  gr8: 'gracht',
  kd: 'kade',
  wg: 'weg',
  sngl: 'singel',
  dk: 'dijk',
  st: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  blvd: 'boulevard',
  dr: 'drive',
  sq: 'square',
};

/** Glued Dutch suffixes such as "Kalverstr" -> "kalverstraat". */
const suffixAbbreviations: readonly (readonly [RegExp, string])[] = [
  [/(\w{3,})str$/, '$1straat'],
  [/(\w{3,})ln$/, '$1laan'],
  [/(\w{3,})gr$/, '$1gracht'],
  [/(\w{3,})pln$/, '$1plein'],
];

const lockerWords = [
  'pakketautomaat',
  'pakketkluis',
  'parcel locker',
  'packstation',
  'pakketpunt',
  'afhaalpunt',
  'pickup point',
  'pick up point',
  'access point',
  'parcelshop',
  'locker',
  'servicepunt',
  // Carrier shop points as checkouts name them ("PostNL Punt Primera", "DHL ServicePoint Jumbo", "DPD Pickup Bruna").
  'postnl punt',
  'servicepoint',
  'dpd pickup',
  'budbee box',
];
const forwarderWords = [
  'forwarding',
  'forwarder',
  'shipito',
  'myus',
  'borderlinx',
  'parcel forward',
  'reship',
  'suite ',
];
const poBoxWords = ['postbus', 'po box', 'p o box', 'antwoordnummer', 'postfach', 'boite postale'];

export function normaliseStreet(street: string): string {
  return foldText(street)
    .split(' ')
    .map((word) => {
      const whole = wordAbbreviations[word];
      if (whole !== undefined) return whole;
      for (const [pattern, replacement] of suffixAbbreviations) {
        if (pattern.test(word)) return word.replace(pattern, replacement);
      }
      return word;
    })
    .join(' ');
}

export function normalisePostalCode(postalCode: string, country: string): string {
  const compact = postalCode.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return country === 'NL' || country === 'GB' || country === 'CA' ? compact : compact.replace(/^[A-Z]{1,2}(?=\d)/, '');
}

/** Splits "12-A", "12 a", "12A", "12 bis", "12-3hg" into a number and an addition. */
export function normaliseHouseNumber(raw: string): { readonly number: string; readonly addition: string } {
  const folded = foldText(raw);
  const match = /^(\d+)\s*(.*)$/.exec(folded);
  if (match === null) return { number: folded.replace(/\s+/g, ''), addition: '' };
  return { number: String(Number(match[1])), addition: (match[2] ?? '').replace(/\s+/g, '').toUpperCase() };
}

function containsAny(text: string, words: readonly string[]): boolean {
  return words.some((word) => text.includes(word));
}

export function normaliseAddress(address: Address): NormalisedAddress {
  const country = address.country.toUpperCase();
  const postalCode = normalisePostalCode(address.postal_code, country);
  const street = normaliseStreet(address.street);
  const { number, addition } = normaliseHouseNumber(address.house_number);
  const city = foldText(address.city);
  // Spaces dropped from street and city: "Den Haag" and "Denhaag", "Heerengracht" and "Heeren gracht" are one place.
  const key = `${country}|${postalCode}|${number}|${addition}|${street.replaceAll(' ', '')}|${city.replaceAll(' ', '')}`;
  const wholeText = ` ${foldText(`${address.street} ${address.house_number} ${address.city}`)} `;
  return {
    key,
    country,
    postalCode,
    street,
    houseNumber: number,
    houseNumberAddition: addition,
    city,
    isParcelLocker: containsAny(wholeText, lockerWords),
    isForwarder: containsAny(wholeText, forwarderWords),
    isPoBox: containsAny(wholeText, poBoxWords),
  };
}

/**
 * Rough distance between two addresses from their postcodes, without a map: 0 same delivery point,
 * 1 same postcode, 2 same 4-digit area, 3 same 2-digit region, 4 same country, 5 other country.
 */
export function addressDistanceClass(left: NormalisedAddress, right: NormalisedAddress): number {
  if (left.key === right.key) return 0;
  if (left.country !== right.country) return 5;
  if (left.postalCode === right.postalCode) return 1;
  if (left.postalCode.slice(0, 4) === right.postalCode.slice(0, 4)) return 2;
  if (left.postalCode.slice(0, 2) === right.postalCode.slice(0, 2)) return 3;
  return 4;
}

/** Numeric postcode gap for NL (4-digit areas are roughly geographic), null elsewhere. */
export function postcodeNumericGap(left: NormalisedAddress, right: NormalisedAddress): number | null {
  if (left.country !== 'NL' || right.country !== 'NL') return null;
  const leftNumber = Number(left.postalCode.slice(0, 4));
  const rightNumber = Number(right.postalCode.slice(0, 4));
  return Number.isFinite(leftNumber) && Number.isFinite(rightNumber) ? Math.abs(leftNumber - rightNumber) : null;
}
