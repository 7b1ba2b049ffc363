// Offline phone intelligence from libphonenumber-js: validity, line type and country.
import { normalisePhone } from '../normalise/phone.normaliser.ts';
import type { Provider } from './provider.ts';

export interface PhoneSignals {
  readonly parsed: boolean;
  readonly valid: boolean;
  readonly type: 'mobile' | 'fixed' | 'other' | 'unknown';
  readonly country: string | null;
}

export function makePhoneProvider(): Provider<string, PhoneSignals> {
  return {
    name: 'phone_offline',
    cacheKey: (raw) => raw,
    lookup(raw) {
      const phone = normalisePhone(raw);
      if (phone === null) return { parsed: false, valid: false, type: 'unknown', country: null };
      return { parsed: true, valid: phone.valid, type: phone.type, country: phone.country };
    },
  };
}
