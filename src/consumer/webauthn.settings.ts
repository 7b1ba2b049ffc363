// The relying party for passkeys: one id and origin for the widget, the portal and sign-in, from the config.
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { WebAuthnCredential } from '@simplewebauthn/server';
import type { PasskeyRow } from './passkeys.repository.ts';

export interface WebAuthnSettings {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

export function credentialOf(passkey: PasskeyRow): WebAuthnCredential {
  return {
    id: passkey.credential_id,
    publicKey: isoBase64URL.toBuffer(passkey.public_key),
    counter: passkey.counter,
    transports: passkey.transports as WebAuthnCredential['transports'],
  };
}

export const encodePublicKey = (publicKey: Parameters<typeof isoBase64URL.fromBuffer>[0]) =>
  isoBase64URL.fromBuffer(publicKey);
