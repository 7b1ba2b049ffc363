// Webhook signatures: HMAC-SHA256 over "timestamp.body", sent as `Rearguard-Signature: t=...,v1=...`; receivers verify with this.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'Rearguard-Signature';

/** Default window in which a signed timestamp is accepted; older (or future) deliveries are treated as replays. */
export const defaultToleranceSeconds = 300;

export function sign(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

export function signatureHeaderValue(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${sign(secret, timestampSeconds, body)}`;
}

export type SignatureCheck =
  | { readonly ok: true; readonly timestampSeconds: number }
  | { readonly ok: false; readonly reason: 'malformed_header' | 'timestamp_outside_tolerance' | 'signature_mismatch' };

/**
 * Verifies a delivery as a receiver would: the header must carry a timestamp within `toleranceSeconds` of `now`
 * (epoch milliseconds) and at least one v1 signature matching the raw body. Several v1 values are allowed so
 * that a secret can be rolled over without dropping deliveries.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: number,
  toleranceSeconds: number = defaultToleranceSeconds,
): SignatureCheck {
  if (typeof header !== 'string' || header.length === 0 || header.length > 2000) {
    return { ok: false, reason: 'malformed_header' };
  }
  let timestampSeconds: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestampSeconds = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestampSeconds === null || signatures.length === 0) return { ok: false, reason: 'malformed_header' };
  if (Math.abs(now / 1000 - timestampSeconds) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp_outside_tolerance' };
  }
  const expected = Buffer.from(sign(secret, timestampSeconds, body), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches ? { ok: true, timestampSeconds } : { ok: false, reason: 'signature_mismatch' };
}
