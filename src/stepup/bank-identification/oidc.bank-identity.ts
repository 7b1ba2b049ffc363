// BankIdentityProvider over OpenID Connect (authorization code + PKCE, as Dutch bank-identification brokers offer it).
import * as oidc from 'openid-client';
import { addressFromClaim, type BankIdentityProvider, type BankIdentityResult } from './bank-identity.provider.ts';

export interface OidcBankSettings {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  readonly scope: string;
}

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

export function makeOidcBankIdentity(settings: OidcBankSettings): BankIdentityProvider {
  const issuer = new URL(settings.issuerUrl);
  let discovered: Promise<oidc.Configuration> | null = null;
  // Discovered on first use (the bank may be unreachable at start), again after a failure.
  const configuration = () => {
    discovered ??= oidc
      .discovery(
        issuer,
        settings.clientId,
        settings.clientSecret,
        undefined,
        // Plain http only for a bank on this machine (a local test provider); anything else must be https.
        issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      });
    return discovered;
  };

  return {
    async begin({ state }) {
      const config = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: settings.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, flow: { codeVerifier, nonce } };
    },

    async complete({ callbackUrl, state, flow }): Promise<BankIdentityResult> {
      const error = callbackUrl.searchParams.get('error');
      if (error) return { kind: 'refused', reason: error };
      let config: oidc.Configuration;
      try {
        config = await configuration();
      } catch (failure) {
        return { kind: 'unavailable', reason: String(failure) };
      }
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedNonce: flow.nonce,
          expectedState: state,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) return { kind: 'refused', reason: 'no id_token' };
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        const merged: Record<string, unknown> = { ...claims, ...info };
        const name =
          typeof merged.name === 'string'
            ? merged.name
            : [merged.given_name, merged.family_name].filter((part) => typeof part === 'string').join(' ');
        if (!name.trim()) return { kind: 'refused', reason: 'the bank returned no name' };
        const birthdate = typeof merged.birthdate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(merged.birthdate);
        return {
          kind: 'identified',
          identity: {
            // Issuer-qualified: two banks' subjects never collide.
            subject: `${claims.iss}#${claims.sub}`,
            name: name.trim(),
            dateOfBirth: birthdate ? (merged.birthdate as string) : null,
            address: addressFromClaim(merged.address),
          },
        };
      } catch (failure) {
        // A bad, replayed or expired code, a wrong state or nonce: the bank did not vouch for anyone.
        if (failure instanceof oidc.ResponseBodyError || failure instanceof oidc.AuthorizationResponseError)
          return { kind: 'refused', reason: failure.error };
        if (failure instanceof TypeError || (failure as { code?: string }).code === 'OAUTH_RESPONSE_IS_NOT_CONFORM')
          return { kind: 'unavailable', reason: String(failure) };
        return { kind: 'refused', reason: String(failure) };
      }
    },
  };
}
