// A software passkey for API tests: P-256 keys and "none" attestation, built as a browser's authenticator would.
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

const encode = (bytes: Uint8Array) => isoBase64URL.fromBuffer(bytes as Uint8Array<ArrayBuffer>);
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());

interface Options {
  readonly challenge: string;
  readonly user?: { readonly id: string };
}

export function makeSoftwareAuthenticator(origin = 'http://localhost:8080', rpId = 'localhost') {
  let credential: { id: Uint8Array; privateKey: KeyObject; userHandle: string; counter: number } | null = null;

  function authenticatorData(flags: number, counter: number, attested: Uint8Array = new Uint8Array()) {
    const counterBytes = new Uint8Array(4);
    new DataView(counterBytes.buffer).setUint32(0, counter);
    return new Uint8Array([...sha256(rpId), flags, ...counterBytes, ...attested]);
  }

  return {
    /** Answers navigator.credentials.create(): user present and verified. */
    register(options: Options) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const coseKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, isoBase64URL.toBuffer(jwk.x!)],
          [-3, isoBase64URL.toBuffer(jwk.y!)],
        ]),
      );
      const id = new Uint8Array(randomBytes(16));
      credential = { id, privateKey, userHandle: options.user?.id ?? '', counter: 0 };
      const idLength = new Uint8Array([id.length >> 8, id.length & 0xff]);
      const attested = new Uint8Array([...new Uint8Array(16), ...idLength, ...id, ...coseKey]);
      const clientData = JSON.stringify({
        type: 'webauthn.create',
        challenge: options.challenge,
        origin,
        crossOrigin: false,
      });
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Map<string, string> | Uint8Array>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', authenticatorData(0x45, 0, attested)],
        ]),
      );
      return {
        id: encode(id),
        rawId: encode(id),
        type: 'public-key',
        response: {
          clientDataJSON: encode(new TextEncoder().encode(clientData)),
          attestationObject: encode(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
      };
    },
    /** Answers navigator.credentials.get() with the registered passkey. */
    authenticate(options: Options) {
      if (!credential) throw new Error('no passkey registered');
      credential.counter += 1;
      const data = authenticatorData(0x05, credential.counter);
      const clientData = new TextEncoder().encode(
        JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }),
      );
      const signature = createSign('SHA256')
        .update(new Uint8Array([...data, ...sha256(clientData)]))
        .sign(credential.privateKey);
      return {
        id: encode(credential.id),
        rawId: encode(credential.id),
        type: 'public-key',
        response: {
          clientDataJSON: encode(clientData),
          authenticatorData: encode(data),
          signature: encode(new Uint8Array(signature)),
          userHandle: credential.userHandle,
        },
        clientExtensionResults: {},
      };
    },
  };
}
