// Portal sign-in without a password: a code to a verified channel on file, or a passkey; the answer never reveals an account.
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { enqueueNotification } from '../notify/notifier.ts';
import { phoneKey } from '../risk/normalise/phone.normaliser.ts';
import { hashCode, newCode, normaliseCode, sameHash } from '../stepup/otp.codes.ts';
import { consumeRateLimit, sendLimits } from '../stepup/send.rate-limit.ts';
import { signInMessageText } from '../stepup/challenge.message.ts';
import type { ConsumerSessions } from './consumer-sessions.ts';
import { findPasskeyByCredential, insertCeremony, takeCeremony, touchPasskey } from './passkeys.repository.ts';
import { credentialOf, type WebAuthnSettings } from './webauthn.settings.ts';

export const signInLifetimeMilliseconds = 10 * 60_000;
const maxSignInAttempts = 5;

export interface SignInDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secret: string;
  readonly publicUrl: string;
  readonly sessions: ConsumerSessions;
  readonly webauthn: WebAuthnSettings;
}

interface ChannelMatch {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  value: string;
}

/** Only verified channels count: an e-mail merely typed at a checkout must never open the account. */
async function findVerifiedChannelByValue(
  db: SqlExecutor,
  identifier: { email?: string | undefined; phone?: string | undefined },
): Promise<ChannelMatch | null> {
  if (identifier.email) {
    const rows = await db.query<ChannelMatch>(
      `SELECT id, account_id, kind, value FROM channels
       WHERE kind = 'email' AND lower(value) = lower($1) AND verified_at IS NOT NULL ORDER BY verified_at LIMIT 1`,
      [identifier.email.trim()],
    );
    return rows[0] ?? null;
  }
  const key = identifier.phone ? phoneKey(identifier.phone) : null;
  if (!key) return null;
  const rows = await db.query<ChannelMatch>(
    `SELECT id, account_id, kind, value FROM channels
     WHERE kind = 'phone' AND regexp_replace(value, '[^0-9]', '', 'g') = $1 AND verified_at IS NOT NULL
     ORDER BY verified_at LIMIT 1`,
    [key.replace(/\D/g, '')],
  );
  return rows[0] ?? null;
}

export function makeSignInService(dependencies: SignInDependencies) {
  const { database, clock, ids, secret } = dependencies;
  const reportLink = `${dependencies.publicUrl}/portal/`;

  async function start(identifier: { email?: string | undefined; phone?: string | undefined }) {
    const now = clock.now();
    const signInId = ids.next('sgn');
    const expiresAt = new Date(now + signInLifetimeMilliseconds);
    const addressKey = `sign-in:${(identifier.email ?? identifier.phone ?? '').trim().toLowerCase()}`;
    await database.transaction(async (tx) => {
      const limited = await consumeRateLimit(tx, addressKey, sendLimits.address, now);
      if (!limited.allowed) {
        throw new ApiError(429, 'too_many_sends', 'too many codes were requested; try again later', undefined, {
          retry_after_seconds: limited.retryAfterSeconds,
        });
      }
      const channel = await findVerifiedChannelByValue(tx, identifier);
      const code = newCode();
      // A row with an unguessable hash exists either way, so timing and answers are alike for unknown addresses.
      await tx.query(
        `INSERT INTO sign_ins (id, account_id, channel_id, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          signInId,
          channel?.account_id ?? null,
          channel?.id ?? null,
          hashCode(secret, code, ['sign-in', signInId]),
          expiresAt,
          new Date(now),
        ],
      );
      if (!channel) return;
      const perAccount = await consumeRateLimit(tx, `send:account:${channel.account_id}`, sendLimits.account, now);
      if (!perAccount.allowed) return;
      await enqueueNotification(
        tx,
        ids,
        {
          channel: channel.kind === 'phone' ? 'sms' : 'email',
          to: channel.value,
          subject: 'Your Rearguard sign-in code',
          text: signInMessageText(code, reportLink),
          kind: 'sign_in_code',
        },
        new Date(now),
      );
    });
    return { sign_in_id: signInId, expires_at: expiresAt.toISOString() };
  }

  async function verify(signInId: string, code: string) {
    const now = clock.now();
    const outcome = await database.transaction(async (tx) => {
      const [row] = await tx.query<{
        account_id: string | null;
        code_hash: string;
        failed_attempts: number;
        expires_at: Date;
        used_at: Date | null;
        channel_kind: 'email' | 'phone' | null;
      }>(
        `SELECT account_id, code_hash, failed_attempts, expires_at, used_at,
           (SELECT kind FROM channels WHERE channels.id = sign_ins.channel_id) AS channel_kind
         FROM sign_ins WHERE id = $1 FOR UPDATE`,
        [signInId],
      );
      if (!row || row.used_at || row.expires_at.getTime() <= now || row.failed_attempts >= maxSignInAttempts) {
        return { kind: 'unusable' as const };
      }
      const matches = sameHash(hashCode(secret, normaliseCode(code), ['sign-in', signInId]), row.code_hash);
      if (!matches || !row.account_id) {
        await tx.query('UPDATE sign_ins SET failed_attempts = failed_attempts + 1 WHERE id = $1', [signInId]);
        return { kind: 'wrong' as const, remaining: maxSignInAttempts - row.failed_attempts - 1 };
      }
      await tx.query('UPDATE sign_ins SET used_at = $2 WHERE id = $1', [signInId, new Date(now)]);
      return {
        kind: 'ok' as const,
        accountId: row.account_id,
        method: row.channel_kind === 'phone' ? ('otp_sms' as const) : ('otp_email' as const),
      };
    });
    if (outcome.kind === 'unusable') {
      throw new ApiError(409, 'sign_in_expired', 'this sign-in has expired or was used; request a new code');
    }
    if (outcome.kind === 'wrong') {
      throw new ApiError(422, 'invalid_code', 'the code is not correct', 'code', {
        attempts_remaining: Math.max(0, outcome.remaining),
      });
    }
    return dependencies.sessions.issue(outcome.accountId, outcome.method);
  }

  /** Discoverable passkeys: the browser offers the account's credential, nobody types who they are. */
  async function passkeyOptions() {
    const options = await generateAuthenticationOptions({
      rpID: dependencies.webauthn.rpId,
      userVerification: 'required',
      timeout: 120_000,
    });
    const ceremonyId = ids.next('wac');
    await insertCeremony(database, {
      id: ceremonyId,
      purpose: 'sign_in',
      account_id: null,
      challenge: options.challenge,
      expires_at: new Date(clock.now() + signInLifetimeMilliseconds),
    });
    return { ceremony_id: ceremonyId, options };
  }

  async function passkeyVerify(ceremonyId: string, response: AuthenticationResponseJSON) {
    const at = new Date(clock.now());
    const ceremony = await takeCeremony(database, ceremonyId, 'sign_in', at);
    const passkey = ceremony ? await findPasskeyByCredential(database, response.id) : null;
    const failed = new ApiError(401, 'invalid_passkey', 'the passkey could not be verified');
    if (!ceremony || !passkey) throw failed;
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: [...dependencies.webauthn.origins],
      expectedRPID: dependencies.webauthn.rpId,
      credential: credentialOf(passkey),
      requireUserVerification: true,
    }).catch(() => null);
    if (!result?.verified) throw failed;
    await touchPasskey(database, passkey.id, result.authenticationInfo.newCounter, at);
    return dependencies.sessions.issue(passkey.account_id, 'passkey');
  }

  return { start, verify, passkeyOptions, passkeyVerify };
}

export type SignInService = ReturnType<typeof makeSignInService>;
