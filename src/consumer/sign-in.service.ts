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
import { hashCode, newCode, normaliseCode, sameHash } from '../stepup/otp.codes.ts';
import {
  attemptLimits,
  limited,
  makeSqlRateLimiter,
  sendLimits,
  type RateLimiterFor,
} from '../stepup/send.rate-limit.ts';
import { signInIdentity, type SignInIdentifier, type SignInIdentity } from './sign-in.identity.ts';
import { signInMessage } from '../stepup/challenge.message.ts';
import { securityReportLink } from './security-report.service.ts';
import { enqueueSecurityNotices } from './security-notice.ts';
import { languageOfAccount } from '../notify/message.compose.ts';
import type { ConsumerSessions } from './consumer-sessions.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import type { Pseudonyms } from '../privacy/pseudonyms.ts';
import { channelSealedSql, channelSubjectJoinSql, type ChannelSealedColumns } from '../privacy/account-data.ts';
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
  readonly rateLimiter?: RateLimiterFor;
  /** Pseudonyms to find the channel by, and the opener of its sealed value. */
  readonly personalData: PersonalData;
}

/** Where an unauthenticated request came from: its address is one of the keys of every budget. */
export interface SignInClient {
  readonly ip: string;
  /** The browser's languages: the code message is written in them unless the account chose a language. */
  readonly acceptLanguage?: string | undefined;
}

interface ChannelMatch extends ChannelSealedColumns {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
}

/**
 * The sign-in lookup ($1 the pseudonym of the normalised key, $2 the kind), with what opens the channel's value;
 * exported so a test and a bench can EXPLAIN and time it.
 */
export const verifiedChannelLookupSql = `SELECT c.id, c.account_id, c.kind, ${channelSealedSql('c')}
  FROM channels c ${channelSubjectJoinSql('c')}
  WHERE c.value_pseudonym = $1 AND c.kind = $2 AND c.verified_at IS NOT NULL ORDER BY c.verified_at LIMIT 1`;

/**
 * Who a sign-in is for, as stored: the keyed pseudonym of the normalised identity. Budgets and sign-in rows keep this,
 * never the typed address; channels.value_pseudonym holds the same for the same mailbox or number (migration 190).
 */
export const identityPseudonym = (pseudonyms: Pseudonyms, identity: SignInIdentity) =>
  pseudonyms.of(identity.kind, identity.key);

/** Only verified channels count: an e-mail merely typed at a checkout must never open the account. */
async function findVerifiedChannel(
  db: SqlExecutor,
  identity: SignInIdentity,
  pseudonym: string,
): Promise<ChannelMatch | null> {
  if (!identity.matchable) return null;
  // channels.value_pseudonym is indexed: one indexed query, no scan of every channel.
  const rows = await db.query<ChannelMatch>(verifiedChannelLookupSql, [pseudonym, identity.kind]);
  return rows[0] ?? null;
}

const tooManySends = (retryAfterSeconds: number) =>
  new ApiError(429, 'too_many_sends', 'too many codes were requested; try again later', undefined, {
    retry_after_seconds: retryAfterSeconds,
  });

export function makeSignInService(dependencies: SignInDependencies) {
  const { database, clock, ids, secret } = dependencies;
  const rateLimiter = dependencies.rateLimiter ?? makeSqlRateLimiter;

  /**
   * Sign-in sends have their own budgets (per normalised identity, per account, per client address), never the
   * step-up budget of a checkout. A refused request creates nothing: no sign-in row, no code.
   */
  async function start(identifier: SignInIdentifier, client: SignInClient) {
    const now = clock.now();
    const signInId = ids.next('sgn');
    const expiresAt = new Date(now + signInLifetimeMilliseconds);
    const identity = signInIdentity(identifier);
    const pseudonym = identityPseudonym(dependencies.personalData.pseudonyms, identity);
    await database.transaction(async (tx) => {
      const limiter = rateLimiter(tx);
      const first = await limiter.consume(
        [
          ...limited(`sign-in:send:identity:${identity.kind}:${pseudonym}`, sendLimits.signInIdentity),
          ...limited(`sign-in:send:ip:${client.ip}`, sendLimits.signInIp),
        ],
        now,
      );
      if (!first.allowed) throw tooManySends(first.retryAfterSeconds);
      const channel = await findVerifiedChannel(tx, identity, pseudonym);
      const to = channel ? dependencies.personalData.accounts.channelValue(channel) : null;
      if (channel) {
        // The e-mail and the phone of one account share the account's budget too.
        const perAccount = await limiter.consume(
          limited(`sign-in:send:account:${channel.account_id}`, sendLimits.signInAccount),
          now,
        );
        if (!perAccount.allowed) throw tooManySends(perAccount.retryAfterSeconds);
      }
      const code = newCode();
      // A row with an unguessable hash exists either way, so timing and answers are alike for unknown addresses;
      // without an account it can never be verified.
      await tx.query(
        `INSERT INTO sign_ins (id, account_id, channel_id, code_hash, expires_at, created_at, identity_key, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          signInId,
          channel?.account_id ?? null,
          channel?.id ?? null,
          hashCode(secret, code, ['sign-in', signInId]),
          expiresAt,
          new Date(now),
          `${identity.kind}:${pseudonym}`,
          client.ip,
        ],
      );
      if (!channel || to === null) return;
      const channelKind = channel.kind === 'phone' ? 'sms' : 'email';
      const language = await languageOfAccount(tx, channel.account_id, client.acceptLanguage);
      await enqueueNotification(
        tx,
        ids,
        {
          channel: channelKind,
          to,
          ...signInMessage(channelKind, language, code, securityReportLink(dependencies.publicUrl, secret, signInId)),
          kind: 'sign_in_code',
        },
        new Date(now),
      );
    });
    return { sign_in_id: signInId, expires_at: expiresAt.toISOString() };
  }

  async function verify(signInId: string, code: string, client: SignInClient) {
    const now = clock.now();
    const outcome = await database.transaction(async (tx) => {
      const [row] = await tx.query<{
        account_id: string | null;
        identity_key: string | null;
        code_hash: string;
        failed_attempts: number;
        expires_at: Date;
        used_at: Date | null;
        channel_kind: 'email' | 'phone' | null;
      }>(
        `SELECT account_id, identity_key, code_hash, failed_attempts, expires_at, used_at,
           (SELECT kind FROM channels WHERE channels.id = sign_ins.channel_id) AS channel_kind
         FROM sign_ins WHERE id = $1 FOR UPDATE`,
        [signInId],
      );
      if (!row || row.used_at || row.expires_at.getTime() <= now || row.failed_attempts >= maxSignInAttempts) {
        return { kind: 'unusable' as const };
      }
      // Guesses count account-wide across sign-ins (by identity when no account has it, so answers stay alike) and
      // per client address; past a limit every code is refused, the right one too, until the window ends.
      const attempts = [
        ...limited(
          row.account_id
            ? `sign-in:fail:account:${row.account_id}`
            : `sign-in:fail:identity:${row.identity_key ?? signInId}`,
          attemptLimits.account,
        ),
        ...limited(`sign-in:fail:ip:${client.ip}`, attemptLimits.ip),
      ];
      const limiter = rateLimiter(tx);
      const lockout = await limiter.check(attempts, now);
      if (!lockout.allowed) return { kind: 'locked' as const, retryAfterSeconds: lockout.retryAfterSeconds };
      const matches = sameHash(hashCode(secret, normaliseCode(code), ['sign-in', signInId]), row.code_hash);
      if (!matches || !row.account_id) {
        await tx.query('UPDATE sign_ins SET failed_attempts = failed_attempts + 1 WHERE id = $1', [signInId]);
        await limiter.record(attempts, now);
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
    if (outcome.kind === 'locked') {
      throw new ApiError(429, 'too_many_attempts', 'too many wrong codes; try again later', undefined, {
        retry_after_seconds: outcome.retryAfterSeconds,
      });
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
    // A code sign-in already told the channel it went to; a passkey sign-in is told to every channel on file.
    await database.transaction(async (tx) => {
      await touchPasskey(tx, passkey.id, result.authenticationInfo.newCounter, at);
      await enqueueSecurityNotices(tx, dependencies, passkey.account_id, 'new_sign_in');
    });
    return dependencies.sessions.issue(passkey.account_id, 'passkey');
  }

  return { start, verify, passkeyOptions, passkeyVerify };
}

export type SignInService = ReturnType<typeof makeSignInService>;
