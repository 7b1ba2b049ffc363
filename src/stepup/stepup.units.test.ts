// Unit tests of the pure step-up pieces: codes, message texts, IBAN check digits and the bank's name match.
import { describe, expect, it } from 'vitest';
import { hashCode, newCode, normaliseCode, sameHash, signToken } from './otp.codes.ts';
import { formatAmount } from './challenge.message.ts';
import { makeDevelopmentIbanNameProvider } from '../risk/providers/iban-name.provider.ts';
import { normaliseIban } from '../risk/normalise/iban.normaliser.ts';
import { matchIdentity } from './identity.match.ts';
import { addressFromClaim } from './bank-identification/bank-identity.provider.ts';
import type { SessionInput } from '../checkout/session.schema.ts';

describe('one-time codes', () => {
  it('are six digits, and a hash matches only the same code for the same binding', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newCode()));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(codes.size).toBeGreaterThan(190);
    const binding = ['chl_1', 'ses_1', 'mer_1', '93900', 'EUR', 'Damrak|1|1012LG|Amsterdam|NL'];
    const stored = hashCode('secret-one', '123456', binding);
    expect(sameHash(hashCode('secret-one', '123456', binding), stored)).toBe(true);
    expect(sameHash(hashCode('secret-one', '123457', binding), stored)).toBe(false);
    expect(sameHash(hashCode('secret-two', '123456', binding), stored)).toBe(false);
    expect(
      sameHash(hashCode('secret-one', '123456', [...binding.slice(0, 3), '93901', 'EUR', binding[5]!]), stored),
    ).toBe(false);
    expect(sameHash('short', stored)).toBe(false);
  });

  it.each([
    ['123 456', '123456'],
    ['123-456', '123456'],
    [' 123456 ', '123456'],
  ])('normalises %j to %j', (typed, expected) => expect(normaliseCode(typed.trim())).toBe(expected));

  it('signs tokens per purpose', () => {
    expect(signToken('s', 'a', 'x')).not.toBe(signToken('s', 'b', 'x'));
    expect(signToken('s', 'a', 'x')).toHaveLength(32);
  });
});

describe('message texts', () => {
  it.each([
    [93900, 'EUR', 'EUR 939.00'],
    [5, 'EUR', 'EUR 0.05'],
    [1000, 'JPY', 'JPY 1000'],
  ])('formats %d %s as %s', (value, currency, expected) => expect(formatAmount(value, currency)).toBe(expected));
});

describe('bank-account check', () => {
  it.each([
    ['NL91ABNA0417164300', true],
    ['NL91 ABNA 0417 1643 00', true],
    ['NL92ABNA0417164300', false],
    ['GB82WEST12345698765432', true],
    ['not an iban', false],
  ])('IBAN %s valid: %s', (iban, valid) => expect(normaliseIban(iban) !== null).toBe(valid));

  it.each([
    ['NL91ABNA0417164300', 'Anna de Vries', 'match'],
    ['NL91ABNA0417164300', 'anna DE VRIES', 'match'],
    ['NL91ABNA0417164300', 'Vries, Anna de', 'match'],
    ['NL91ABNA0417164300', 'Ana de Vries', 'match'],
    ['NL91ABNA0417164300', 'Anna Jansen', 'mismatch'],
    ['NL44RABO0123456789', 'Jose van der Berg', 'match'],
    ['GB82WEST12345698765432', 'Anna de Vries', 'unknown_account'],
  ])('%s held by %s: %s', async (iban, name, result) => {
    const signal = new AbortController().signal;
    expect(await makeDevelopmentIbanNameProvider().lookup({ iban, name }, signal)).toEqual({ result });
  });
});

describe('what the bank verified against what was claimed', () => {
  const claim = {
    customer: { name: 'Jan Jansen', email: 'x@example.nl', phone: '+31611111111', date_of_birth: '1970-06-15' },
    billing_address: {
      street: 'Dorpsstraat',
      house_number: '12',
      postal_code: '3511AB',
      city: 'Utrecht',
      country: 'NL',
    },
  } as SessionInput;
  const bank = addressFromClaim({ street_address: 'Dorpsstraat 12', postal_code: '3511 ab', locality: 'Utrecht' });
  const verified = { name: 'JAN JANSEN', dateOfBirth: '1970-06-15', address: bank, bankSubject: 's', iban: null };

  it.each([
    ['the same person (case, postcode spacing)', verified, true],
    ['another name', { ...verified, name: 'Mallory Mulder' }, 'name_mismatch'],
    ['a family member', { ...verified, name: 'Piet Jansen' }, 'name_mismatch'],
    ['another address', { ...verified, address: { ...bank!, house_number: '14' } }, 'address_mismatch'],
    ['another birth date', { ...verified, dateOfBirth: '1971-06-15' }, 'date_of_birth_mismatch'],
    ['no address or birth date from the bank', { ...verified, address: null, dateOfBirth: null }, true],
  ])('%s', (_case, identity, expected) => {
    const match = matchIdentity(claim, identity);
    expect(match.ok ? true : match.code).toBe(expected);
  });

  it('reads an OpenID address claim, and refuses one without a house number', () => {
    expect(bank).toEqual({
      street: 'Dorpsstraat',
      house_number: '12',
      postal_code: '3511 ab',
      city: 'Utrecht',
      country: 'NL',
    });
    expect(addressFromClaim({ street_address: 'Dorpsstraat', postal_code: '3511AB' })).toBeNull();
    expect(addressFromClaim('Dorpsstraat 12')).toBeNull();
  });
});
