// Staff identity: accounts created with a one-time enrolment link, passkeys as the only credential, cookie sessions.
import { z } from 'zod';
import { decodeCursor, toPage } from '../http/list-envelope.ts';
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { sha256 } from '../shared/hashing.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { WebAuthnSettings } from '../consumer/webauthn.settings.ts';
import * as repository from './staff.repository.ts';
import { recordAudit } from './audit.ts';

export const staffCookieName = 'rg_staff';
const sessionMilliseconds = 10 * 3_600_000;
const enrolmentMilliseconds = 24 * 3_600_000;
const ceremonyMilliseconds = 10 * 60_000;
const roleRank: Record<repository.StaffRole, number> = { analyst: 0, lead: 1, admin: 2 };

export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly role: repository.StaffRole;
  readonly sessionId: string;
}

export function makeStaffAuth(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  webauthn: WebAuthnSettings;
  publicUrl: string;
  secureCookie: boolean;
}) {
  const { database, clock, ids, webauthn } = dependencies;
  const now = () => new Date(clock.now());
  const invalidLink = () =>
    new ApiError(404, 'enrolment_link_invalid', 'this enrolment link is used, expired or unknown');

  /** Creates a named account and its one-time enrolment link (shown once); `by` is a staff member or the admin key. */
  async function create(
    input: { name: string; role: repository.StaffRole },
    by: { staffId: string | null; actor: string },
  ) {
    const at = now();
    const staff = { id: ids.next('stf'), name: input.name, role: input.role, created_at: at };
    const token = `rge_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(at.getTime() + enrolmentMilliseconds);
    await database.transaction(async (tx) => {
      await repository.insertStaff(tx, { ...staff, created_by: by.actor });
      await repository.insertEnrolment(tx, {
        id: ids.next('sen'),
        staff_id: staff.id,
        token_hash: sha256(token),
        expires_at: expiresAt,
      });
      await recordAudit(tx, ids, {
        ...by,
        action: 'staff.create',
        subject: staff.id,
        before: null,
        after: { name: staff.name, role: staff.role },
        at,
      });
    });
    return {
      staff: presentStaff(staff),
      // The token travels in the fragment: browsers never send it to a server or put it in a Referer.
      enrolment_url: `${dependencies.publicUrl}/console/#enrol=${token}`,
      enrolment_token: token,
      expires_at: expiresAt.toISOString(),
    };
  }

  async function enrolmentOptions(token: string) {
    const enrolment = await repository.findEnrolment(database, sha256(token), now());
    if (!enrolment) throw invalidLink();
    const staff = (await repository.findStaff(database, enrolment.staff_id))!;
    const options = await generateRegistrationOptions({
      rpName: webauthn.rpName,
      rpID: webauthn.rpId,
      userName: staff.name,
      userID: new TextEncoder().encode(staff.id),
      attestationType: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const ceremonyId = ids.next('wac');
    await repository.insertCeremony(database, {
      id: ceremonyId,
      purpose: 'enrolment',
      staff_id: staff.id,
      challenge: options.challenge,
      expires_at: new Date(clock.now() + ceremonyMilliseconds),
    });
    return { ceremony_id: ceremonyId, options };
  }

  async function enrol(token: string, ceremonyId: string, response: RegistrationResponseJSON) {
    const at = now();
    const enrolment = await repository.findEnrolment(database, sha256(token), at);
    if (!enrolment) throw invalidLink();
    const ceremony = await repository.takeCeremony(database, ceremonyId, 'enrolment', at);
    if (!ceremony || ceremony.staff_id !== enrolment.staff_id) {
      throw new ApiError(409, 'ceremony_expired', 'request new enrolment options and try again');
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
    await database.transaction(async (tx) => {
      if (!(await repository.useEnrolment(tx, enrolment.id, at))) throw invalidLink();
      await repository.insertPasskey(tx, {
        id: ids.next('pky'),
        staff_id: enrolment.staff_id,
        credential_id: credential.id,
        public_key: isoBase64URL.fromBuffer(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports ?? [],
        created_at: at,
      });
      await recordAudit(tx, ids, {
        staffId: enrolment.staff_id,
        actor: enrolment.staff_id,
        action: 'staff.enrol_passkey',
        subject: enrolment.staff_id,
        before: null,
        after: { credential_id: credential.id },
        at,
      });
    });
    return issueSession(enrolment.staff_id);
  }

  async function signInOptions() {
    const options = await generateAuthenticationOptions({ rpID: webauthn.rpId, userVerification: 'required' });
    const ceremonyId = ids.next('wac');
    await repository.insertCeremony(database, {
      id: ceremonyId,
      purpose: 'sign_in',
      staff_id: null,
      challenge: options.challenge,
      expires_at: new Date(clock.now() + ceremonyMilliseconds),
    });
    return { ceremony_id: ceremonyId, options };
  }

  async function signIn(ceremonyId: string, response: AuthenticationResponseJSON) {
    const at = now();
    const failed = new ApiError(401, 'invalid_passkey', 'the passkey could not be verified');
    const ceremony = await repository.takeCeremony(database, ceremonyId, 'sign_in', at);
    const passkey = ceremony ? await repository.findPasskeyByCredential(database, response.id) : null;
    if (!ceremony || !passkey) throw failed;
    const credential: WebAuthnCredential = {
      id: passkey.credential_id,
      publicKey: isoBase64URL.toBuffer(passkey.public_key),
      counter: passkey.counter,
      transports: passkey.transports as WebAuthnCredential['transports'],
    };
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: [...webauthn.origins],
      expectedRPID: webauthn.rpId,
      credential,
      requireUserVerification: true,
    }).catch(() => null);
    if (!result?.verified) throw failed;
    await repository.touchPasskey(database, passkey.id, result.authenticationInfo.newCounter, at);
    await recordAudit(database, ids, {
      staffId: passkey.staff_id,
      actor: passkey.staff_id,
      action: 'staff.sign_in',
      subject: passkey.staff_id,
      before: null,
      after: null,
      at,
    });
    return issueSession(passkey.staff_id);
  }

  async function issueSession(staffId: string) {
    const token = `rgs_${randomBytes(32).toString('base64url')}`;
    const at = now();
    const expiresAt = new Date(at.getTime() + sessionMilliseconds);
    await repository.insertSession(database, {
      id: ids.next('ssn'),
      staff_id: staffId,
      token_hash: sha256(token),
      created_at: at,
      expires_at: expiresAt,
    });
    const staff = (await repository.findStaff(database, staffId))!;
    return {
      staff: presentStaff(staff),
      // Only as an HttpOnly, SameSite=Strict cookie: never in a URL, never readable by page scripts.
      cookie: `${staffCookieName}=${token}; HttpOnly; Path=/; SameSite=Strict; Max-Age=${Math.floor(sessionMilliseconds / 1000)}${
        dependencies.secureCookie ? '; Secure' : ''
      }`,
    };
  }

  function tokenOf(request: FastifyRequest): string | null {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === staffCookieName) return value.join('=') || null;
    }
    return null;
  }

  /** The signed-in staff member with at least `role`, or a 401/403 with a stable code. */
  async function require(request: FastifyRequest, role: repository.StaffRole = 'analyst'): Promise<StaffMember> {
    const token = tokenOf(request);
    const row = token ? await repository.findSessionStaff(database, sha256(token), now()) : null;
    if (!row) throw new ApiError(401, 'staff_sign_in_required', 'sign in to the console first');
    if (roleRank[row.role] < roleRank[role]) {
      throw new ApiError(403, 'staff_role_required', `this needs the ${role} role or higher`);
    }
    return { id: row.id, name: row.name, role: row.role, sessionId: row.session_id };
  }

  async function signOut(member: StaffMember) {
    await repository.revokeSession(database, member.sessionId, now());
    return `${staffCookieName}=; HttpOnly; Path=/; SameSite=Strict; Max-Age=0${dependencies.secureCookie ? '; Secure' : ''}`;
  }

  return {
    create,
    enrolmentOptions,
    enrol,
    signInOptions,
    signIn,
    require,
    signOut,
    list: async (page: { limit: number; cursor?: string | undefined }) =>
      toPage(
        await repository.listStaff(database, {
          limit: page.limit,
          after: page.cursor === undefined ? null : decodeCursor(page.cursor, z.tuple([z.string(), z.string()])),
        }),
        page.limit,
        (row) => [row.name, row.id],
        presentStaff,
      ),
  };
}

function presentStaff(row: repository.StaffRow) {
  return { id: row.id, name: row.name, role: row.role, created_at: row.created_at.toISOString() };
}

export type StaffAuth = ReturnType<typeof makeStaffAuth>;
