// Passkeys in the browser (WebAuthn) against the account-security endpoints under /v1/me (issue 4).
import { api } from './api.ts';

/** Paths of the passkey ceremonies; one place to change if the server's contract moves. */
export const passkeyPaths = {
  signInOptions: '/v1/me/sign-in/passkey/options',
  signInVerify: '/v1/me/sign-in/passkey/verify',
  registerOptions: '/v1/me/passkeys/options',
  register: '/v1/me/passkeys',
  list: '/v1/me/passkeys',
};

type Json = Record<string, unknown>;

interface JsonCredentialApi {
  parseRequestOptionsFromJSON(options: Json): PublicKeyCredentialRequestOptions;
  parseCreationOptionsFromJSON(options: Json): PublicKeyCredentialCreationOptions;
}

const jsonApi = () => PublicKeyCredential as unknown as JsonCredentialApi;
const toJson = (credential: Credential | null) => (credential as unknown as { toJSON(): Json } | null)?.toJSON();

/** Options arrive as JSON (SimpleWebAuthn's shape); some servers wrap them with a ceremony id. */
function unwrap(options: Json): { ceremony: Json; publicKey: Json } {
  const publicKey = (options.options ?? options.publicKey ?? options) as Json;
  const { options: _options, publicKey: _publicKey, ...ceremony } = options;
  return { ceremony, publicKey };
}

export async function signInWithPasskey(): Promise<string | null> {
  const { ceremony, publicKey } = unwrap(await api<Json>('POST', passkeyPaths.signInOptions, {}));
  const credential = await navigator.credentials.get({ publicKey: jsonApi().parseRequestOptionsFromJSON(publicKey) });
  const verified = await api<{ token?: string }>('POST', passkeyPaths.signInVerify, {
    ...ceremony,
    response: toJson(credential),
  });
  return verified.token ?? null;
}

export async function registerPasskey(name: string): Promise<void> {
  const { ceremony, publicKey } = unwrap(await api<Json>('POST', passkeyPaths.registerOptions, {}));
  const credential = await navigator.credentials.create({
    publicKey: jsonApi().parseCreationOptionsFromJSON(publicKey),
  });
  await api('POST', passkeyPaths.register, { ...ceremony, name, response: toJson(credential) });
}
