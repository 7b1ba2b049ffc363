// Live adapter for a Dutch address register (a PDOK-Locatieserver-style search API); off unless configured.
import type { Address } from '../../checkout/session.schema.ts';
import { normaliseAddress } from '../normalise/address.normaliser.ts';
import type { AddressSignals } from './address.provider.ts';
import { postalCodeValid } from './address.provider.ts';
import type { Provider } from './provider.ts';

export interface AddressRegisterOptions {
  /** e.g. https://api.pdok.nl/bzk/locatieserver/search/v3_1 ; a stub server in tests. */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
}

interface RegisterResponse {
  readonly response?: { readonly numFound?: number; readonly docs?: readonly { readonly woonplaatsnaam?: string }[] };
}

/** Only Dutch addresses are asked; others get the offline answer, because the register covers the Netherlands. */
export function makeAddressRegisterProvider(options: AddressRegisterOptions): Provider<Address, AddressSignals> {
  const fetchImplementation = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    name: 'address_register_nl',
    cacheKey: (address) => normaliseAddress(address).key,
    async lookup(address, signal) {
      const normalised = normaliseAddress(address);
      const offline = {
        postalCodeValid: postalCodeValid(normalised.postalCode, normalised.country),
        houseNumberValid: /^[1-9]\d{0,5}$/.test(normalised.houseNumber),
      };
      if (normalised.country !== 'NL') return { ...offline, existsInRegister: null, registerCity: null };
      const query = `postcode:${normalised.postalCode} and huisnummer:${normalised.houseNumber}`;
      const url = `${base}/free?fq=type:adres&rows=1&q=${encodeURIComponent(query)}`;
      const response = await fetchImplementation(url, { signal, headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`address register answered ${response.status}`);
      const body = (await response.json()) as RegisterResponse;
      const found = (body.response?.numFound ?? 0) > 0;
      return { ...offline, existsInRegister: found, registerCity: body.response?.docs?.[0]?.woonplaatsnaam ?? null };
    },
  };
}
