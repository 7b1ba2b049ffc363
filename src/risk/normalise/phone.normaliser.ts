// Phone normalisation to E.164 with libphonenumber-js; Dutch numbers may be typed without country code.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export interface NormalisedPhone {
  /** E.164, e.g. +31612345678: the key used by indexes and lists. */
  readonly key: string;
  readonly country: string | null;
  readonly valid: boolean;
  readonly type: 'mobile' | 'fixed' | 'other' | 'unknown';
}

export function normalisePhone(raw: string, defaultRegion: CountryCode = 'NL'): NormalisedPhone | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultRegion);
  if (parsed === undefined) return null;
  const numberType = parsed.getType();
  const type =
    numberType === 'MOBILE'
      ? 'mobile'
      : numberType === 'FIXED_LINE'
        ? 'fixed'
        : numberType === 'FIXED_LINE_OR_MOBILE'
          ? 'mobile'
          : numberType === undefined
            ? 'unknown'
            : 'other';
  return { key: parsed.number, country: parsed.country ?? null, valid: parsed.isValid(), type };
}

const alreadyE164 = /^\+[1-9]\d{6,14}$/;

/** The index key alone; numbers already in E.164 skip the parser, which matters when replaying millions of orders. */
export function phoneKey(raw: string, defaultRegion: CountryCode = 'NL'): string | null {
  if (alreadyE164.test(raw)) return raw;
  return normalisePhone(raw, defaultRegion)?.key ?? null;
}
