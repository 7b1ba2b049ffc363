// Table-driven tests of the e-mail, phone, address and name normalisers.
import { describe, expect, it } from 'vitest';
import { addressDistanceClass, normaliseAddress, normaliseHouseNumber, normaliseStreet } from './address.normaliser.ts';
import { normaliseEmail } from './email.normaliser.ts';
import { emailResemblesName, nameSimilarity, normaliseName } from './name.normaliser.ts';
import { normalisePhone } from './phone.normaliser.ts';

const address = (street: string, houseNumber: string, postalCode: string, city = 'Amsterdam', country = 'NL') => ({
  street,
  house_number: houseNumber,
  postal_code: postalCode,
  city,
  country,
});

describe('normaliseEmail', () => {
  it.each([
    ['Jan.Jansen@Gmail.com', 'janjansen@gmail.com'],
    ['j.a.n.jansen+shop@googlemail.com', 'janjansen@gmail.com'],
    ['Piet+webshop@Example.NL', 'piet@example.nl'],
    ['p.de.vries@ziggo.nl', 'p.de.vries@ziggo.nl'],
    ['  anna@kpnmail.nl ', 'anna@kpnmail.nl'],
  ])('%s -> %s', (raw, key) => {
    expect(normaliseEmail(raw)?.key).toBe(key);
  });
  it.each(['not-an-email', 'a@b', '@example.com', 'a b@example.com'])('rejects %s', (raw) => {
    expect(normaliseEmail(raw)).toBeNull();
  });
});

describe('normalisePhone', () => {
  it.each([
    ['06 12345678', '+31612345678', 'mobile', 'NL'],
    ['+31 6 1234 5678', '+31612345678', 'mobile', 'NL'],
    ['0031612345678', '+31612345678', 'mobile', 'NL'],
    ['020-5551234', '+31205551234', 'fixed', 'NL'],
    ['+49 30 1234567', '+49301234567', 'fixed', 'DE'],
  ])('%s -> %s (%s, %s)', (raw, key, type, country) => {
    const phone = normalisePhone(raw);
    expect(phone?.key).toBe(key);
    expect(phone?.type).toBe(type);
    expect(phone?.country).toBe(country);
    expect(phone?.valid).toBe(true);
  });
  it('returns null for text that is no number', () => {
    expect(normalisePhone('abc')).toBeNull();
  });
});

describe('normaliseAddress', () => {
  it.each([
    [address('Kalverstraat', '12', '1012 lg'), 'NL|1012LG|12||kalverstraat|amsterdam'],
    [address('Kalverstr.', '12 a', '1012lg'), 'NL|1012LG|12|A|kalverstraat|amsterdam'],
    [address('KALVERSTRAAT', '12-A', '1012 LG'), 'NL|1012LG|12|A|kalverstraat|amsterdam'],
    [address('Hoofdweg', '0012 hs', '1058 AB'), 'NL|1058AB|12|HS|hoofdweg|amsterdam'],
    [address('Main St', '5', 'SW1A 1AA', 'London', 'GB'), 'GB|SW1A1AA|5||mainstreet|london'],
    [address('Straße des 17. Juni', '3', 'D-10623', 'Berlin', 'DE'), 'DE|10623|3||strassedes17juni|berlin'],
  ])('%o -> %s', (input, key) => {
    expect(normaliseAddress(input).key).toBe(key);
  });
  it('a victim’s postcode and house number with another street or city is another address', () => {
    const home = normaliseAddress(address('Kalverstraat', '12', '1012 LG'));
    expect(normaliseAddress(address('Industrieweg', '12', '1012 LG')).key).not.toBe(home.key);
    expect(normaliseAddress({ ...address('Kalverstraat', '12', '1012 LG'), city: 'Rotterdam' }).key).not.toBe(home.key);
    expect(normaliseAddress({ ...address('Kalver straat', '12', '1012LG'), city: 'AMSTERDAM' }).key).toBe(home.key);
  });
  it.each([
    ['Kalverstr.', 'kalverstraat'],
    ['Dorpsstr', 'dorpsstraat'],
    ['Stationsln', 'stationslaan'],
    ['Église Rd', 'eglise road'],
  ])('street %s -> %s', (raw, folded) => {
    expect(normaliseStreet(raw)).toBe(folded);
  });
  it.each([
    ['12', '12', ''],
    ['12A', '12', 'A'],
    ['12 bis', '12', 'BIS'],
    ['12-3hg', '12', '3HG'],
  ])('house number %s -> %s + %s', (raw, number, addition) => {
    expect(normaliseHouseNumber(raw)).toEqual({ number, addition });
  });
  it.each([
    [address('DHL Packstation 123', '1', '10115', 'Berlin', 'DE'), 'isParcelLocker'],
    [address('PostNL Pakketautomaat Station', '1', '3511 CE', 'Utrecht'), 'isParcelLocker'],
    [address('Postbus', '1234', '1000 AA'), 'isPoBox'],
    [address('Shipito forwarding, Suite 400', '2', '97402', 'Eugene', 'US'), 'isForwarder'],
  ] as const)('%o is flagged %s', (input, flag) => {
    expect(normaliseAddress(input)[flag]).toBe(true);
  });
  it.each([
    [address('A', '1', '1012 LG'), address('A', '1', '1012LG'), 0],
    [address('A', '1', '1012 LG'), address('A', '3', '1012LG'), 1],
    [address('A', '1', '1012 LG'), address('B', '3', '1012AB'), 2],
    [address('A', '1', '1012 LG'), address('B', '3', '1058AB'), 3],
    [address('A', '1', '1012 LG'), address('B', '3', '9712AB'), 4],
    [address('A', '1', '1012 LG'), address('B', '3', '10115', 'Berlin', 'DE'), 5],
  ])('distance class %#', (left, right, distance) => {
    expect(addressDistanceClass(normaliseAddress(left), normaliseAddress(right))).toBe(distance);
  });
});

describe('names', () => {
  it.each([
    ['José van der Berg', 'Jose van der Berg', 1],
    ['Berg José van der', 'José van der Berg', 1],
    ['Ünal Öztürk', 'unal ozturk', 1],
  ])('%s ~ %s = %d', (left, right, similarity) => {
    expect(nameSimilarity(normaliseName(left), normaliseName(right))).toBe(similarity);
  });
  it.each([
    ['Jan Jansen', 'Jan Janssen', 0.95, 1],
    ['Martha Dijkstra', 'Marta Dijkstra', 0.95, 1],
    ['Jan Jansen', 'Fatima el Amrani', 0, 0.6],
    // Family members share a surname and an address; they are different people.
    ['Jan de Vries', 'Anna de Vries', 0, 0.8],
    ['Sanne Bakker', 'Daan Bakker', 0, 0.8],
    ['J. de Vries', 'Jan de Vries', 0.95, 1],
    ['Pieter Jansen', 'Piet Jansen', 0.9, 1],
  ])('%s ~ %s within [%d, %d]', (left, right, low, high) => {
    const similarity = nameSimilarity(normaliseName(left), normaliseName(right));
    expect(similarity).toBeGreaterThanOrEqual(low);
    expect(similarity).toBeLessThanOrEqual(high);
  });
  it('picks the surname past particles', () => {
    expect(normaliseName('Anne de Vries').surname).toBe('vries');
  });
  it.each([
    ['jan.jansen85', 'Jan Jansen', true],
    ['jjansen', 'Jan Jansen', true],
    ['xx_dealz', 'Jan Jansen', false],
  ])('e-mail %s resembles %s: %s', (local, name, expected) => {
    expect(emailResemblesName(local, normaliseName(name))).toBe(expected);
  });
});
