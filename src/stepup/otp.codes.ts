// One-time codes: six random digits, stored only as a keyed hash bound to what they approve, compared in constant time.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const codeLength = 6;

export function newCode(): string {
  return String(randomInt(0, 10 ** codeLength)).padStart(codeLength, '0');
}

/**
 * The hash binds the code to its purpose (the challenge, its session, amount, merchant and delivery address), so a
 * code read out to an attacker, or replayed from another checkout, never matches anything but this one purchase.
 */
export function hashCode(secret: string, code: string, binding: readonly string[]): string {
  return createHmac('sha256', secret)
    .update([...binding, code].join('\u001f'))
    .digest('base64url');
}

export function sameHash(given: string, stored: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(stored);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Shoppers type codes with spaces or dashes; everything that is not a digit is dropped before hashing. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

/**
 * Links sent by SMS carry a 16-character (96-bit) signature so the message fits one segment; still unguessable.
 * Links sent before carry the full 32 characters; both are accepted.
 */
export const linkSignatureLength = 16;

/** `<id>.<signature>` where the signature is a prefix (at least 16 characters) of the expected one. */
export function signedLinkMatches(token: string, id: string, expectedSignature: string): boolean {
  const given = token.slice(id.length + 1);
  return (
    token.startsWith(`${id}.`) &&
    given.length >= linkSignatureLength &&
    sameHash(given, expectedSignature.slice(0, given.length))
  );
}

/** A keyed token that needs no storage: the widget's client token for a challenge, a notice link's signature. */
export function signToken(secret: string, purpose: string, subject: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${subject}`).digest('base64url').slice(0, 32);
}
