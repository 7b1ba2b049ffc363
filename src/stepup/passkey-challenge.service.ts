// Step-up by passkey: WebAuthn authentication options for a challenge, and the check of the browser's answer.
import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from '@simplewebauthn/server';
import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { listPasskeys, findPasskeyByCredential, touchPasskey } from '../consumer/passkeys.repository.ts';
import { credentialOf, type WebAuthnSettings } from '../consumer/webauthn.settings.ts';
import { assertMethodAllowed, assertUsable, loadChallenge, type ChallengeCaller } from './challenge.access.ts';
import { updateChallenge } from './challenge.repository.ts';
import type { ChallengeService } from './challenge.service.ts';

/** The page that framed the widget, as the browser reports it in the signed client data. */
function embeddingOrigin(response: AuthenticationResponseJSON): { expectedTopOrigin?: string } {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as {
      crossOrigin?: boolean;
      topOrigin?: string;
    };
    return clientData.crossOrigin && typeof clientData.topOrigin === 'string'
      ? { expectedTopOrigin: clientData.topOrigin }
      : {};
  } catch {
    return {};
  }
}

export function makePasskeyChallengeService(dependencies: {
  database: Database;
  clock: Clock;
  secret: string;
  webauthn: WebAuthnSettings;
  challenges: ChallengeService;
}) {
  const { database, clock, secret, webauthn } = dependencies;

  async function options(challengeId: string, caller: ChallengeCaller) {
    return database.transaction(async (tx) => {
      const { challenge } = await loadChallenge(tx, secret, challengeId, caller, { forUpdate: true });
      assertUsable(challenge, clock.now());
      assertMethodAllowed(challenge, 'passkey');
      const passkeys = challenge.account_id ? await listPasskeys(tx, challenge.account_id) : [];
      const generated = await generateAuthenticationOptions({
        rpID: webauthn.rpId,
        allowCredentials: passkeys.map((passkey) => ({ id: passkey.credential_id, transports: passkey.transports })),
        userVerification: 'required',
        timeout: 120_000,
      });
      await updateChallenge(tx, challenge.id, { passkey_challenge: generated.challenge });
      return generated;
    });
  }

  /** A wrong or foreign credential counts as a failed attempt, like a wrong code. */
  async function verify(challengeId: string, caller: ChallengeCaller, response: AuthenticationResponseJSON) {
    return dependencies.challenges.attempt(challengeId, caller, async (tx, challenge) => {
      assertMethodAllowed(challenge, 'passkey');
      const passkey = await findPasskeyByCredential(tx, response.id);
      const failed = { ok: false as const, code: 'invalid_passkey', message: 'the passkey could not be verified' };
      if (!challenge.passkey_challenge || !passkey || passkey.account_id !== challenge.account_id) return failed;
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.passkey_challenge,
        expectedOrigin: [...webauthn.origins],
        expectedRPID: webauthn.rpId,
        credential: credentialOf(passkey),
        requireUserVerification: true,
        // The widget runs framed in a shop's page: any shop may embed it (a per-merchant origin list can narrow this).
        ...embeddingOrigin(response),
      }).catch(() => null);
      if (!result?.verified) return failed;
      await touchPasskey(tx, passkey.id, result.authenticationInfo.newCounter, new Date(clock.now()));
      return { ok: true, method: 'passkey', channelId: null };
    });
  }

  return { options, verify };
}
