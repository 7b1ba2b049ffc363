// "The bank" for tests: a real OpenID Connect provider (oidc-provider) with test users, a login and a consent page.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export const bankClient = { id: 'rearguard-test', secret: 'rearguard-test-client-secret-0123456789' };

export interface BankUser {
  readonly password: string;
  readonly name: string;
  readonly birthdate: string;
  readonly address: { street_address: string; postal_code: string; locality: string; country: string };
}

/** The victim, the attacker, and a mule account opened at the bank in the victim's name (same person on paper). */
export const bankUsers: Readonly<Record<string, BankUser>> = {
  jan: {
    password: 'jan-password',
    name: 'Jan Jansen',
    birthdate: '1970-06-15',
    address: { street_address: 'Dorpsstraat 12', postal_code: '3511 AB', locality: 'Utrecht', country: 'NL' },
  },
  mallory: {
    password: 'mallory-password',
    name: 'Mallory Mulder',
    birthdate: '1999-01-01',
    address: { street_address: 'Industrieweg 99', postal_code: '3044 AS', locality: 'Rotterdam', country: 'NL' },
  },
  'jan-mule': {
    password: 'mule-password',
    name: 'Jan Jansen',
    birthdate: '1970-06-15',
    address: { street_address: 'Dorpsstraat 12', postal_code: '3511 AB', locality: 'Utrecht', country: 'NL' },
  },
};

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** `users`: more people at the bank (by username) besides the fixed ones, e.g. an acceptance test's newcomer. */
export async function startOidcBank(options: { redirectUris: string[]; users?: Readonly<Record<string, BankUser>> }) {
  const users: Readonly<Record<string, BankUser>> = { ...bankUsers, ...options.users };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: bankClient.id,
        client_secret: bankClient.secret,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['name', 'birthdate'], address: ['address'] },
    findAccount: (_context, sub) => {
      const user = users[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: user.name, birthdate: user.birthdate, address: user.address }),
      };
    },
    cookies: { keys: ['test-bank-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(request: IncomingMessage, response: ServerResponse, uid: string, action: string) {
    const details = await provider.interactionDetails(request, response);
    const html = (body: string) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(body);
    };
    if (details.prompt.name === 'login') {
      const loginForm = (error: string) =>
        page(
          'Test Bank: log in',
          `${error ? `<p id="error">${escape(error)}</p>` : ''}<form method="post" action="/interaction/${uid}/login">
           <input id="username" name="username"><input id="password" name="password" type="password">
           <button id="login" type="submit">Log in</button></form>`,
        );
      if (request.method !== 'POST' || action !== 'login') return html(loginForm(''));
      const form = await formOf(request);
      const username = form.get('username') ?? '';
      const user = users[username];
      if (!user || user.password !== form.get('password')) return html(loginForm('Wrong username or password'));
      return provider.interactionFinished(request, response, { login: { accountId: username } });
    }
    const shared = [...((details.prompt.details.missingOIDCScope as string[] | undefined) ?? [])];
    if (request.method !== 'POST' || action !== 'confirm') {
      return html(
        page(
          'Test Bank: share your details',
          `<p>Rearguard asks for: ${escape(shared.join(', '))}</p><form method="post" action="/interaction/${uid}/confirm">
           <button id="consent" type="submit">Share my name, date of birth and address</button></form>`,
        ),
      );
    }
    const grant = new provider.Grant({
      accountId: details.session!.accountId,
      clientId: details.params.client_id as string,
    });
    grant.addOIDCScope(shared.join(' '));
    const claims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    if (claims?.length) grant.addOIDCClaims(claims);
    const grantId = await grant.save();
    return provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(new URL(request.url ?? '/', issuer).pathname);
    if (!match) return void callback(request, response);
    interaction(request, response, match[1]!, match[2] ?? '').catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });

  return {
    issuer,
    environment: {
      BANK_ID_ISSUER_URL: issuer,
      BANK_ID_CLIENT_ID: bankClient.id,
      BANK_ID_CLIENT_SECRET: bankClient.secret,
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Drives the bank's pages over HTTP like a browser (cookies, redirects): log in as `username`, consent, and return
 * the URL the bank finally redirects to (our callback with code and state). Null when the login was refused.
 */
export async function loginAtBank(
  authorizationUrl: string,
  login: { username: string; password: string },
): Promise<URL | null> {
  const cookies = new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  async function go(url: string, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const index = pair!.indexOf('=');
      cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1));
    }
    return response;
  }
  let url = authorizationUrl;
  for (let step = 0; step < 12; step += 1) {
    const response = await go(url);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== origin) return next;
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`unexpected bank page: ${html.slice(0, 200)}`);
    const submitted = action.endsWith('/login')
      ? await go(new URL(action, url).href, { username: login.username, password: login.password })
      : await go(new URL(action, url).href, {});
    const after = submitted.headers.get('location');
    if (!after) return null;
    url = new URL(after, url).href;
  }
  throw new Error('too many redirects at the bank');
}
