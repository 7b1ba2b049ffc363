// Providers: offline signals from real libraries, and the guard's deadline, cache and honest fallback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAddressRegisterProvider } from './address-register.http-provider.ts';
import { makeAddressProvider } from './address.provider.ts';
import { makeEmailProvider } from './email.provider.ts';
import { makeIpProvider } from './ip.provider.ts';
import { makePhoneProvider } from './phone.provider.ts';
import { makeGuardedProvider, type Provider } from './provider.ts';

const signal = new AbortController().signal;
const address = (postalCode: string, country = 'NL', houseNumber = '12') => ({
  street: 'Kalverstraat',
  house_number: houseNumber,
  postal_code: postalCode,
  city: 'Amsterdam',
  country,
});

describe('offline providers', () => {
  const phone = makePhoneProvider();
  it.each([
    ['+31612345678', { valid: true, type: 'mobile', country: 'NL' }],
    ['020 555 1234', { valid: true, type: 'fixed', country: 'NL' }],
    ['+3161234', { valid: false }],
    ['+32 470 12 34 56', { valid: true, type: 'mobile', country: 'BE' }],
  ])('phone %s', (raw, expected) => {
    expect(phone.lookup(raw, signal)).toMatchObject(expected);
  });

  const email = makeEmailProvider();
  it.each([
    ['jan@gmail.com', { syntaxValid: true, freeMail: true, disposable: false }],
    ['jan@mailinator.com', { syntaxValid: true, disposable: true, freeMail: false }],
    ['jan@rearguard.example', { syntaxValid: true, disposable: false, freeMail: false }],
    ...['ziggo.nl', 'kpnmail.nl', 'xs4all.nl', 'planet.nl', 'hetnet.nl', 'home.nl', 'telfort.nl', 'online.nl']
      .concat(['chello.nl', 'zeelandnet.nl'])
      .map((domain): [string, object] => [`jan@${domain}`, { freeMail: true, disposable: false }]),
    ['jan@familie-jansen.nl', { syntaxValid: true, disposable: false, freeMail: false }],
    ['not an email', { syntaxValid: false }],
  ])('e-mail %s', (raw, expected) => {
    expect(email.lookup(raw, signal)).toMatchObject(expected);
  });

  const addresses = makeAddressProvider();
  it.each([
    [address('1012 LG'), true],
    [address('1012 SA'), false],
    [address('0123 AB'), false],
    [address('10115', 'DE'), true],
    [address('1011', 'DE'), false],
    [address('SW1A 1AA', 'GB'), true],
    [address('12345', 'ZZ'), null],
  ])('postal code %o valid: %s', (input, valid) => {
    expect((addresses.lookup(input, signal) as { postalCodeValid: boolean | null }).postalCodeValid).toBe(valid);
  });

  const ip = makeIpProvider();
  it.each([
    ['192.168.1.10', { isPublic: false, range: 'private', country: null }],
    ['127.0.0.1', { isPublic: false, range: 'loopback' }],
    ['145.100.1.1', { isPublic: true, country: 'NL', version: 4 }],
    ['8.8.8.8', { isPublic: true, country: 'US' }],
    ['::ffff:145.100.1.1', { isPublic: true, country: 'NL' }],
    ['fe80::1', { isPublic: false }],
    ['999.1.1.1', { valid: false }],
  ])('IP %s', (raw, expected) => {
    expect(ip.lookup(raw, signal)).toMatchObject(expected);
  });
});

describe('guarded provider', () => {
  const slow = (delayMs: number, calls: { count: number }): Provider<string, { value: string }> => ({
    name: 'slow_test',
    cacheKey: (query) => query,
    lookup: (query, abort) =>
      new Promise((resolve, reject) => {
        calls.count += 1;
        const timer = setTimeout(() => resolve({ value: query }), delayMs);
        abort.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      }),
  });

  it('answers within the deadline and caches the answer', async () => {
    const calls = { count: 0 };
    const guarded = makeGuardedProvider(slow(5, calls), { deadlineMs: 200 });
    expect(await guarded.lookup('a', 0)).toEqual({ kind: 'ok', signals: { value: 'a' }, cached: false });
    expect(await guarded.lookup('a', 10)).toEqual({ kind: 'ok', signals: { value: 'a' }, cached: true });
    expect(calls.count).toBe(1);
  });

  it('expires cached answers by the decision time passed in', async () => {
    const calls = { count: 0 };
    const guarded = makeGuardedProvider(slow(1, calls), { deadlineMs: 200, cacheTtlMs: 100 });
    await guarded.lookup('a', 0);
    await guarded.lookup('a', 150);
    expect(calls.count).toBe(2);
  });

  it('falls back as unavailable after the deadline, without waiting for the provider', async () => {
    const guarded = makeGuardedProvider(slow(2_000, { count: 0 }), { deadlineMs: 30 });
    const started = performance.now();
    const outcome = await guarded.lookup('a', 0);
    expect(performance.now() - started).toBeLessThan(500);
    expect(outcome).toMatchObject({ kind: 'unavailable', provider: 'slow_test', cause: 'timeout' });
  });

  it('turns a thrown error into an unavailable outcome', async () => {
    const guarded = makeGuardedProvider<string, string>({
      name: 'broken',
      cacheKey: (query) => query,
      lookup: () => {
        throw new Error('boom');
      },
    });
    expect(await guarded.lookup('a', 0)).toEqual({
      kind: 'unavailable',
      provider: 'broken',
      cause: 'error',
      detail: 'boom',
    });
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const calls = { count: 0 };
    const guarded = makeGuardedProvider(slow(1, calls), { cacheEntries: 2 });
    for (const query of ['a', 'b', 'a', 'c', 'a', 'b']) await guarded.lookup(query, 0);
    // a, b miss; a hits; c misses and evicts b; a hits; b misses again.
    expect(calls.count).toBe(4);
  });
});

describe('address register adapter against a local stub server', () => {
  let server: Server;
  let baseUrl = '';
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const query = decodeURIComponent(new URL(request.url ?? '/', 'http://stub').searchParams.get('q') ?? '');
      if (query.includes('9999ZZ')) return void setTimeout(() => response.end('{}'), 1_000);
      if (query.includes('6666XX')) {
        response.statusCode = 503;
        return void response.end('down');
      }
      const found = query.includes('postcode:1012LG') && query.includes('huisnummer:12');
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ response: { numFound: found ? 1 : 0, docs: found ? [{ woonplaatsnaam: 'Amsterdam' }] : [] } }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/search`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('confirms an existing Dutch address and normalises the query', async () => {
    const guarded = makeGuardedProvider(makeAddressRegisterProvider({ baseUrl }), { deadlineMs: 500 });
    const outcome = await guarded.lookup(address('1012 lg', 'NL', '12'), 0);
    expect(outcome).toMatchObject({
      kind: 'ok',
      signals: { existsInRegister: true, registerCity: 'Amsterdam', postalCodeValid: true },
    });
    expect(requests.at(-1)).toContain('/search/free?');
  });

  it('reports an unknown address as not in the register', async () => {
    const guarded = makeGuardedProvider(makeAddressRegisterProvider({ baseUrl }), { deadlineMs: 500 });
    expect(await guarded.lookup(address('1012 LG', 'NL', '999'), 0)).toMatchObject({
      kind: 'ok',
      signals: { existsInRegister: false },
    });
  });

  it('does not ask the register about foreign addresses', async () => {
    const before = requests.length;
    const guarded = makeGuardedProvider(makeAddressRegisterProvider({ baseUrl }), { deadlineMs: 500 });
    expect(await guarded.lookup(address('10115', 'DE'), 0)).toMatchObject({
      kind: 'ok',
      signals: { existsInRegister: null },
    });
    expect(requests.length).toBe(before);
  });

  it('falls back when the register is slower than the deadline', async () => {
    const guarded = makeGuardedProvider(makeAddressRegisterProvider({ baseUrl }), { deadlineMs: 50 });
    expect(await guarded.lookup(address('9999 ZZ'), 0)).toMatchObject({
      kind: 'unavailable',
      cause: 'timeout',
      provider: 'address_register_nl',
    });
  });

  it('falls back when the register answers with an error', async () => {
    const guarded = makeGuardedProvider(makeAddressRegisterProvider({ baseUrl }), { deadlineMs: 500 });
    expect(await guarded.lookup(address('6666 XX'), 0)).toMatchObject({
      kind: 'unavailable',
      cause: 'error',
      detail: 'address register answered 503',
    });
  });
});
