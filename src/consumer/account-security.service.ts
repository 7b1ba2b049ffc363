// Account security for a signed-in consumer: register and remove passkeys, and "always verify my purchases".
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { RiskEngine } from '../risk/engine.ts';
import { deletePasskey, insertCeremony, insertPasskey, listPasskeys, takeCeremony } from './passkeys.repository.ts';
import { encodePublicKey, type WebAuthnSettings } from './webauthn.settings.ts';

const ceremonyMilliseconds = 10 * 60_000;

export function makeAccountSecurityService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  webauthn: WebAuthnSettings;
}) {
  const { database, clock, ids, webauthn } = dependencies;

  async function account(accountId: string) {
    const [row] = await database.query<{
      id: string;
      name: string | null;
      email: string | null;
      always_verify: boolean;
    }>('SELECT id, name, email, always_verify FROM accounts WHERE id = $1', [accountId]);
    if (!row) throw notFound('account');
    return row;
  }

  async function passkeys(accountId: string) {
    const rows = await listPasskeys(database, accountId);
    return rows.map((row) => ({
      id: row.id,
      created_at: row.created_at.toISOString(),
      last_used_at: row.last_used_at?.toISOString() ?? null,
    }));
  }

  async function registrationOptions(accountId: string) {
    const holder = await account(accountId);
    const existing = await listPasskeys(database, accountId);
    const options = await generateRegistrationOptions({
      rpName: webauthn.rpName,
      rpID: webauthn.rpId,
      userName: holder.email ?? holder.id,
      userDisplayName: holder.name ?? undefined,
      userID: new TextEncoder().encode(holder.id),
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: row.transports })),
      // Resident keys let the portal sign in without typing anything; user verification makes it two factors.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const ceremonyId = ids.next('wac');
    await insertCeremony(database, {
      id: ceremonyId,
      purpose: 'registration',
      account_id: accountId,
      challenge: options.challenge,
      expires_at: new Date(clock.now() + ceremonyMilliseconds),
    });
    return { ceremony_id: ceremonyId, options };
  }

  async function register(accountId: string, ceremonyId: string, response: RegistrationResponseJSON) {
    const at = new Date(clock.now());
    const ceremony = await takeCeremony(database, ceremonyId, 'registration', at);
    if (!ceremony || ceremony.account_id !== accountId) {
      throw new ApiError(409, 'ceremony_expired', 'request new registration options and try again');
    }
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: [...webauthn.origins],
      expectedRPID: webauthn.rpId,
      requireUserVerification: true,
    }).catch(() => null);
    if (!result?.verified) throw new ApiError(422, 'invalid_passkey', 'the passkey registration could not be verified');
    const { credential } = result.registrationInfo;
    const id = ids.next('pky');
    await insertPasskey(database, {
      id,
      account_id: accountId,
      credential_id: credential.id,
      public_key: encodePublicKey(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
      created_at: at,
    });
    return { id, created_at: at.toISOString() };
  }

  async function removePasskey(accountId: string, passkeyId: string) {
    if (!(await deletePasskey(database, accountId, passkeyId))) throw notFound('passkey');
  }

  async function security(accountId: string) {
    const holder = await account(accountId);
    return { always_verify: holder.always_verify, passkeys: await passkeys(accountId) };
  }

  /** The risk policy reads the preference from the online state: the event follows the committed row. */
  async function setAlwaysVerify(accountId: string, alwaysVerify: boolean) {
    await account(accountId);
    const at = clock.now();
    await database.query('UPDATE accounts SET always_verify = $2, always_verify_at = $3 WHERE id = $1', [
      accountId,
      alwaysVerify,
      new Date(at),
    ]);
    await dependencies.engine.record({ kind: 'preference', accountId, at, alwaysVerify });
    return security(accountId);
  }

  return { passkeys, registrationOptions, register, removePasskey, security, setAlwaysVerify };
}

export type AccountSecurityService = ReturnType<typeof makeAccountSecurityService>;
