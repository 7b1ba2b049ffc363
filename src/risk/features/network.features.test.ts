// IP kinds, user-agent families and the name-e-mail score, table-driven.
import { describe, expect, it } from 'vitest';
import { normaliseName } from '../normalise/name.normaliser.ts';
import { nameEmailSimilarity } from './customer.features.ts';
import { ipKind, ipVersion, userAgentFamily } from './network.features.ts';

describe('ip kind', () => {
  it.each([
    [null, 'none', null],
    ['not-an-ip', 'invalid', null],
    ['84.24.10.1', 'public', 4],
    ['2001:1c00:1:2:3:4:5:6', 'public', 6],
    ['100.64.0.1', 'carrier_nat', 4],
    ['100.127.255.254', 'carrier_nat', 4],
    ['100.128.0.1', 'public', 4],
    ['10.1.2.3', 'private', 4],
    ['192.168.1.20', 'private', 4],
    ['192.0.2.7', 'reserved', 4],
    ['198.51.100.7', 'reserved', 4],
    ['203.0.113.7', 'reserved', 4],
    ['2001:db8::1', 'reserved', 6],
    ['::ffff:100.64.0.9', 'carrier_nat', 4],
  ] as const)('%s is %s', (ip, kind, version) => {
    expect(ipKind(ip)).toBe(kind);
    expect(ipVersion(ip)).toBe(version);
  });
});

describe('user agent family', () => {
  it.each([
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      { browser: 'Chrome', os: 'Android', deviceType: 'mobile' },
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
      { browser: 'Firefox', os: 'Windows', deviceType: 'desktop' },
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      { browser: 'Mobile Safari', os: 'iOS', deviceType: 'tablet' },
    ],
    ['', { browser: null, os: null, deviceType: null }],
    ['curl/8.5.0', { browser: null, os: null, deviceType: null }],
  ])('%s', (userAgent, expected) => {
    expect(userAgentFamily(userAgent)).toEqual(expected);
  });
});

describe('name-e-mail similarity', () => {
  const anna = normaliseName('Anna de Vries');
  it.each([
    ['anna.devries', 1],
    ['a.devries85', 1],
    ['devriesanna1985', 1],
    ['vries', 0.6],
    ['anna1985', 0.4],
  ])('%s scores %s', (localPart, score) => {
    expect(nameEmailSimilarity(localPart, anna)).toBe(score);
  });

  it('scores unrelated and look-alike mailboxes low, typos in between', () => {
    expect(nameEmailSimilarity('deals4u', anna)).toBeLessThan(0.3);
    expect(nameEmailSimilarity('info', anna)).toBeLessThan(0.3);
    expect(nameEmailSimilarity('devrles', anna)).toBeGreaterThan(nameEmailSimilarity('pakket7731', anna));
    expect(nameEmailSimilarity('', anna)).toBe(0);
  });
});
