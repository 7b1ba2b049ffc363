// Envelope encryption with node:crypto: AES-256-GCM data keys per subject, wrapped by a master key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The first byte of a sealed value: how it was sealed (plain is the PERSONAL_DATA_ENCRYPTION=off benchmark path). */
const sealedAesGcm = 1;
const sealedPlain = 0;
const ivLength = 12;
const tagLength = 16;

export interface MasterKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

/** AES-256-GCM with the context (a subject id) as associated data: a ciphertext moved to another row fails to open. */
export function encrypt(key: Buffer, plaintext: Buffer, context: string): Buffer {
  const iv = randomBytes(ivLength);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(sealedAesGcm), iv, cipher.getAuthTag(), body]);
}

export function decrypt(key: Buffer, sealed: Uint8Array, context: string): Buffer {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes[0] === sealedPlain) return bytes.subarray(1);
  if (bytes[0] !== sealedAesGcm) throw new Error('unknown sealed value format');
  const iv = bytes.subarray(1, 1 + ivLength);
  const tag = bytes.subarray(1 + ivLength, 1 + ivLength + tagLength);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(bytes.subarray(1 + ivLength + tagLength)), decipher.final()]);
}

/** The benchmark's "encryption off" path: same framing and storage, no cipher. */
export function sealPlain(plaintext: Buffer): Buffer {
  return Buffer.concat([Buffer.of(sealedPlain), plaintext]);
}

export const newDataKey = (): Buffer => randomBytes(32);

/**
 * Parses MASTER_KEYS: `id:base64key,id:base64key` — the first encrypts new data keys, the others only unwrap
 * (kept until `rearguard rotate-master-key` has re-wrapped every data key under the first).
 */
export function parseMasterKeys(text: string): MasterKey[] | { invalid: string } {
  const keys: MasterKey[] = [];
  for (const part of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = part.indexOf(':');
    const id = separator > 0 ? part.slice(0, separator) : '';
    const key = Buffer.from(part.slice(separator + 1), 'base64');
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(id) || key.length !== 32)
      return { invalid: `"${id || part.slice(0, 8)}" must be id:<32 bytes in base64>` };
    if (keys.some((known) => known.id === id)) return { invalid: `"${id}" is listed twice` };
    keys.push({ id, key });
  }
  return keys.length > 0 ? keys : { invalid: 'at least one id:key' };
}
