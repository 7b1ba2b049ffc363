// Known vectors for the pseudonyms shared with the encrypted store (computed independently with Python's hmac, RFC 5869).
import { describe, expect, it } from 'vitest';
import { makePseudonyms } from './pseudonyms.ts';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');

describe('pseudonyms', () => {
  it.each([
    ['email', 'anna@example.nl', 'p_email_DTrLnj1zLxvRX-vJsiD5XsitTwzJxoYchJH8pHdKoVU'],
    ['device', 'dev-anna-1', 'p_device_6L5y_nuL3WuJfjDvWzcllyS6fkOMe-ptl78ocilRKNY'],
    ['phone', '+31612345678', 'p_phone_qmmruZNWaBo-MstvPzjx-mEv5NsxxNRkSzV3xC1MyD4'],
  ] as const)('%s %s', (kind, value, expected) => {
    expect(makePseudonyms(secret).of(kind, value)).toBe(expected);
  });

  it('keys differ per kind and per secret', () => {
    const pseudonyms = makePseudonyms(secret);
    expect(pseudonyms.of('email', 'x').slice(8)).not.toBe(pseudonyms.of('phone', 'x').slice(8));
    expect(
      makePseudonyms(Buffer.from('another secret of at least 32 characters')).of('email', 'anna@example.nl'),
    ).not.toBe(pseudonyms.of('email', 'anna@example.nl'));
  });
});
