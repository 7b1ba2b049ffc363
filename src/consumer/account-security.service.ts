// Account security for a signed-in consumer: register and remove passkeys, and "always verify my purchases".
import { z } from 'zod';
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
import {
  deletePasskey,
  insertCeremony,
  insertPasskey,
  listPasskeys,
  listPasskeysPage,
  takeCeremony,
} from './passkeys.repository.ts';
import { decodeCursor, toPage } from '../http/list-envelope.ts';
import { encodePublicKey, type WebAuthnSettings } from './webauthn.settings.ts';
import { enqueueSecurityNotices } from './security-notice.ts';
import type { Consumer } from '../http/route.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import { accountSealedSql, accountSubjectJoinSql, type AccountSealedColumns } from '../privacy/account-data.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

const ceremonyMilliseconds = 10 * 60_000;
const passkeyCursor = z.tuple([cursorInstantSchema, z.string().max(100)]);
/** A session proves who holds it only when it was just issued: older ones may have been stolen or left open. */
export const freshProofMilliseconds = 5 * 60_000;

export function makeAccountSecurityService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  webauthn: WebAuthnSettings;
  publicUrl: string;
  secret: string;
  /** Opens the account's sealed name and e-mail (shown by the passkey dialog) and the channels notices go to. */
  personalData: PersonalData;
}) {
  const { database, clock, ids, webauthn } = dependencies;

  /**
   * Adding a passkey or changing a security setting needs a proof (a code or a passkey) from the last few minutes:
   * every consumer session starts with one, so a fresh sign-in is that proof.
   */
  async function assertFreshProof(consumer: Consumer) {
    const [row] = await database.query<{ created_at: Date }>(
      'SELECT created_at FROM consumer_sessions WHERE id = $1 AND account_id = $2',
      [consumer.sessionId, consumer.accountId],
    );
    if (!row || clock.now() - row.created_at.getTime() > freshProofMilliseconds) {
      throw new ApiError(
        403,
        'fresh_proof_required',
        'for your safety, sign in again (with a code or a passkey) to change security settings',
      );
    }
  }

  async function account(accountId: string) {
    const [row] = await database.query<{ id: string; always_verify: boolean } & AccountSealedColumns>(
      `SELECT a.id, a.always_verify, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
        WHERE a.id = $1`,
      [accountId],
    );
    if (!row) throw notFound('account');
    const { name, email } = dependencies.personalData.accounts.accountPerson(row);
    return { id: row.id, name, email, always_verify: row.always_verify };
  }

  const presentPasskey = (row: { id: string; created_at: Date; last_used_at: Date | null }) => ({
    id: row.id,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
  });

  /** GET /v1/me/passkeys: one page of the list envelope. */
  async function passkeyPage(accountId: string, page: { limit: number; cursor?: string | undefined }) {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor, passkeyCursor);
    const rows = await listPasskeysPage(database, accountId, { limit: page.limit, after });
    return toPage(rows, page.limit, (row) => [row.created_at.toISOString(), row.id], presentPasskey);
  }

  async function passkeys(accountId: string) {
    const rows = await listPasskeys(database, accountId);
    return rows.map((row) => ({
      id: row.id,
      created_at: row.created_at.toISOString(),
      last_used_at: row.last_used_at?.toISOString() ?? null,
    }));
  }

  async function registrationOptions(consumer: Consumer) {
    await assertFreshProof(consumer);
    const { accountId } = consumer;
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

  async function register(consumer: Consumer, ceremonyId: string, response: RegistrationResponseJSON) {
    // The ceremony was handed out only after a fresh proof; the registration must follow it closely too.
    await assertFreshProof(consumer);
    const { accountId } = consumer;
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
    await database.transaction(async (tx) => {
      await insertPasskey(tx, {
        id,
        account_id: accountId,
        credential_id: credential.id,
        public_key: encodePublicKey(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        created_at: at,
      });
      await enqueueSecurityNotices(tx, dependencies, accountId, 'passkey_added');
    });
    return { id, created_at: at.toISOString() };
  }

  async function removePasskey(consumer: Consumer, passkeyId: string) {
    await assertFreshProof(consumer);
    await database.transaction(async (tx) => {
      if (!(await deletePasskey(tx, consumer.accountId, passkeyId))) throw notFound('passkey');
      await enqueueSecurityNotices(tx, dependencies, consumer.accountId, 'passkey_removed');
    });
  }

  async function security(accountId: string) {
    const holder = await account(accountId);
    return { always_verify: holder.always_verify, passkeys: await passkeys(accountId) };
  }

  /** The risk policy reads the preference from the online state: the event follows the committed row. */
  async function setAlwaysVerify(consumer: Consumer, alwaysVerify: boolean) {
    const { accountId } = consumer;
    const holder = await account(accountId);
    const at = clock.now();
    if (alwaysVerify !== holder.always_verify) await assertFreshProof(consumer);
    await database.transaction(async (tx) => {
      await tx.query('UPDATE accounts SET always_verify = $2, always_verify_at = $3 WHERE id = $1', [
        accountId,
        alwaysVerify,
        new Date(at),
      ]);
      if (alwaysVerify !== holder.always_verify) {
        await enqueueSecurityNotices(
          tx,
          dependencies,
          accountId,
          alwaysVerify ? 'always_verify_on' : 'always_verify_off',
        );
      }
    });
    await dependencies.engine.record({ kind: 'preference', accountId, at, alwaysVerify });
    return security(accountId);
  }

  return { passkeys, passkeyPage, registrationOptions, register, removePasskey, security, setAlwaysVerify };
}

export type AccountSecurityService = ReturnType<typeof makeAccountSecurityService>;
