// Envelope encryption: sealed values open only with their key and context; MASTER_KEYS parsing names its problem.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, parseMasterKeys, sealPlain } from './envelope.ts';

describe('envelope', () => {
  const key = randomBytes(32);

  it('round-trips, and a wrong key, a wrong context or a flipped byte fails to open', () => {
    const sealed = encrypt(key, Buffer.from('Anna de Vries'), 'sub_1');
    expect(sealed.includes(Buffer.from('Anna'))).toBe(false);
    expect(decrypt(key, sealed, 'sub_1').toString()).toBe('Anna de Vries');
    expect(() => decrypt(randomBytes(32), sealed, 'sub_1')).toThrow();
    expect(() => decrypt(key, sealed, 'sub_2')).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => decrypt(key, flipped, 'sub_1')).toThrow();
  });

  it('opens the plain framing of the encryption-off benchmark path', () => {
    expect(decrypt(key, sealPlain(Buffer.from('{}')), 'any').toString()).toBe('{}');
  });

  it('parses MASTER_KEYS in order and refuses short keys, bad ids and duplicates', () => {
    const one = randomBytes(32).toString('base64');
    const two = randomBytes(32).toString('base64');
    const parsed = parseMasterKeys(`k2:${two}, k1:${one}`);
    expect('invalid' in parsed ? parsed : parsed.map((entry) => entry.id)).toEqual(['k2', 'k1']);
    expect(parseMasterKeys(`k1:${randomBytes(16).toString('base64')}`)).toHaveProperty('invalid');
    expect(parseMasterKeys(`bad id:${one}`)).toHaveProperty('invalid');
    expect(parseMasterKeys(`k1:${one},k1:${two}`)).toHaveProperty('invalid');
    expect(parseMasterKeys('')).toHaveProperty('invalid');
  });
});
