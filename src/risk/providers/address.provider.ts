// Offline address checks: postal code format per country and Dutch postcode + house number shape.
import type { Address } from '../../checkout/session.schema.ts';
import { normaliseAddress } from '../normalise/address.normaliser.ts';
import type { Provider } from './provider.ts';

export interface AddressSignals {
  /** null when the country's format is not in the table. */
  readonly postalCodeValid: boolean | null;
  readonly houseNumberValid: boolean;
  /** Whether a register confirmed the delivery point exists; null when no register was asked. */
  readonly existsInRegister: boolean | null;
  readonly registerCity: string | null;
}

/** Formats after normalisation (upper case, spaces and dashes removed). */
const postalCodeFormats: Readonly<Record<string, RegExp>> = {
  NL: /^[1-9]\d{3}(?!SA|SD|SS)[A-Z]{2}$/,
  BE: /^[1-9]\d{3}$/,
  LU: /^\d{4}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  ES: /^(0[1-9]|[1-4]\d|5[0-2])\d{3}$/,
  IT: /^\d{5}$/,
  AT: /^[1-9]\d{3}$/,
  CH: /^[1-9]\d{3}$/,
  DK: /^\d{4}$/,
  SE: /^\d{5}$/,
  NO: /^\d{4}$/,
  FI: /^\d{5}$/,
  PL: /^\d{5}$/,
  PT: /^\d{7}$/,
  IE: /^[A-Z]\d[\dW][A-Z\d]{4}$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/,
  US: /^\d{5}(\d{4})?$/,
  CA: /^[A-Z]\d[A-Z]\d[A-Z]\d$/,
};

export function postalCodeValid(postalCode: string, country: string): boolean | null {
  const format = postalCodeFormats[country];
  return format === undefined ? null : format.test(postalCode);
}

export function makeAddressProvider(): Provider<Address, AddressSignals> {
  return {
    name: 'address_offline',
    cacheKey: (address) => normaliseAddress(address).key,
    lookup(address) {
      const normalised = normaliseAddress(address);
      return {
        postalCodeValid: postalCodeValid(normalised.postalCode, normalised.country),
        houseNumberValid: /^[1-9]\d{0,5}$/.test(normalised.houseNumber),
        existsInRegister: null,
        registerCity: null,
      };
    },
  };
}
