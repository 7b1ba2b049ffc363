// Pseudonyms per the shared contract: known vectors (checked with `openssl kdf HKDF` and `openssl dgst -mac HMAC`).
import { describe, expect, it } from 'vitest';
import { makePseudonyms } from './pseudonyms.ts';

const pseudonyms = makePseudonyms(Buffer.from('test-vector-secret-of-at-least-32-characters'));

describe('pseudonyms.of', () => {
  it.each([
    ['email', 'anna@example.nl', 'p_email_pm_9Q4FtRApcCBx4eWsjSA9Nt8afxaqNOatlM0nT6f4'],
    ['phone', '+31612345678', 'p_phone_V44TBmS3muiT3e5_vTrwdKE6C_Cwloa7_eZR3I0SUks'],
    ['device', 'dev-anna-1', 'p_device_DIvD6a0EeLlc3J3SqSS-VDw5AHwDTBu2gKyr-TequOA'],
  ] as const)('%s of %s', (kind, value, expected) => {
    expect(pseudonyms.of(kind, value)).toBe(expected);
  });

  it('separates kinds and secrets: the same text is another pseudonym under another kind or secret', () => {
    expect(pseudonyms.of('name', 'x')).not.toBe(pseudonyms.of('address', 'x').replace('address', 'name'));
    expect(
      makePseudonyms(Buffer.from('another-secret-of-at-least-32-characters')).of('email', 'anna@example.nl'),
    ).not.toBe(pseudonyms.of('email', 'anna@example.nl'));
  });
});
