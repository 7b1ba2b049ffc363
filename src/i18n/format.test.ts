import { describe, expect, it } from 'vitest';
import { chooseLanguage, formatDate, formatDateTime, formatMoney, formatPostcode } from './format.ts';

describe('consumer formats', () => {
  it('writes amounts the Dutch way in Dutch', () => {
    expect(formatMoney(93900, 'EUR', 'nl')).toBe('€\u00a0939,00');
    expect(formatMoney(123456, 'EUR', 'nl')).toBe('€\u00a01.234,56');
    expect(formatMoney(93900, 'EUR', 'en')).toBe('€939.00');
  });

  it('shows times in Amsterdam, not UTC', () => {
    // 23:30 UTC on 31 December is already New Year in Amsterdam.
    expect(formatDate('2026-12-31T23:30:00Z', 'nl')).toBe('1 januari 2027');
    expect(formatDateTime('2026-07-01T12:00:00Z', 'nl')).toBe('1 juli 2026 om 14:00');
    expect(formatDateTime('2026-07-01T12:00:00Z', 'en')).toBe('1 July 2026 at 14:00');
  });

  it('prints postcodes as 1234 AB', () => {
    expect(formatPostcode('1234ab')).toBe('1234 AB');
    expect(formatPostcode(' 1234  AB ')).toBe('1234 AB');
    expect(formatPostcode('SW1A 1AA')).toBe('SW1A 1AA');
  });

  it.each([
    [null, undefined, 'nl'],
    [null, 'en-GB,en;q=0.9', 'en'],
    [null, 'de-DE,en;q=0.5,nl;q=0.8', 'nl'],
    [null, 'fr-FR', 'nl'],
    [null, 'nl;q=0,en;q=0.2', 'en'],
    ['en', 'nl-NL', 'en'],
    ['xx', 'en', 'en'],
  ] as const)('preference %s with Accept-Language %s speaks %s', (preference, header, expected) => {
    expect(chooseLanguage(preference, header)).toBe(expected);
  });
});
