// Staff passkeys in the browser: enrol from a one-time link, sign in with a discoverable credential.
import { api, type Staff } from './api.ts';

type Json = Record<string, unknown>;

interface JsonCredentialApi {
  parseRequestOptionsFromJSON(options: Json): PublicKeyCredentialRequestOptions;
  parseCreationOptionsFromJSON(options: Json): PublicKeyCredentialCreationOptions;
}

const jsonApi = () => PublicKeyCredential as unknown as JsonCredentialApi;
const toJson = (credential: Credential | null) => (credential as unknown as { toJSON(): Json } | null)?.toJSON();

export async function enrolPasskey(token: string): Promise<Staff> {
  const { ceremony_id, options } = await api<{ ceremony_id: string; options: Json }>(
    'POST',
    '/v1/ops/enrolment/options',
    { token },
  );
  const credential = await navigator.credentials.create({ publicKey: jsonApi().parseCreationOptionsFromJSON(options) });
  const verified = await api<{ staff: Staff }>('POST', '/v1/ops/enrolment/verify', {
    token,
    ceremony_id,
    response: toJson(credential),
  });
  return verified.staff;
}

export async function signInWithPasskey(): Promise<Staff> {
  const { ceremony_id, options } = await api<{ ceremony_id: string; options: Json }>('POST', '/v1/ops/sign-in/options');
  const credential = await navigator.credentials.get({ publicKey: jsonApi().parseRequestOptionsFromJSON(options) });
  const verified = await api<{ staff: Staff }>('POST', '/v1/ops/sign-in/verify', {
    ceremony_id,
    response: toJson(credential),
  });
  return verified.staff;
}
