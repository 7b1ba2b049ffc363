// The checkout widget in a real browser: a merchant page embeds it; one step-up by code, one by passkey.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from '../browser.ts';
import { makeApplication, type Application } from '../../src/app.ts';
import { makeManualClock } from '../../src/shared/clock.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { adminKey, testConfig } from '../application.ts';
import { makeTestDatabase } from '../databases.ts';
import { attackerSession, codeIn, importAnna } from './stepup.fixtures.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'widget');

const available = chromiumAvailable('widget browser test');

/** The fields these tests read from API answers. */
interface ApiReply {
  id: string;
  decision: string;
  status: string;
  token: string;
  sign_in_id: string;
  order: { id: string };
  challenge: { id: string; client_token: string; methods: { method: string; target: string | null }[] };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The shop's checkout page: its server authorized the session and hands the challenge to the widget. */
const merchantPage = (
  appUrl: string,
) => `<!doctype html><html><head><meta charset="utf-8"><title>Phone Shop checkout</title></head>
<body style="font-family:sans-serif;margin:24px"><h1>Phone Shop — checkout</h1><p>Pay later with Rearguard</p>
<div id="challenge"></div><p id="result">waiting</p>
<script src="${appUrl}/widget/rearguard.js"></script>
<script>
  const parameters = new URLSearchParams(location.search);
  Rearguard.mountChallenge({
    element: '#challenge',
    challengeId: parameters.get('challenge'),
    clientToken: parameters.get('token'),
    onResult(result) {
      const element = document.getElementById('result');
      element.dataset.decision = result.decision;
      element.textContent = result.decision + ' ' + (result.order ? result.order.id : '');
    },
  });
</script></body></html>`;

describe.skipIf(!available)('checkout widget in chromium', () => {
  let app: Application;
  let shop: Server;
  let shopUrl: string;
  let appUrl: string;
  let merchantKey: string;
  let browser: AuthenticatorBrowser | undefined;
  let page: Page;
  let reference = 0;

  async function api(method: string, path: string, options: { key?: string; body?: unknown } = {}) {
    const response = await fetch(`${appUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.key ?? merchantKey}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, body: (await response.json()) as ApiReply };
  }

  /** What the shop's server does: open a session, authorize it, and pass the challenge to its page. */
  async function stepUpCheckout() {
    const session = await api('POST', '/v1/sessions', {
      body: attackerSession({ merchant_reference: `w-${++reference}` }),
    });
    const authorized = await api('POST', `/v1/sessions/${session.body.id}/authorize`);
    expect(authorized.body.decision).toBe('step_up');
    return { sessionId: session.body.id as string, challenge: authorized.body.challenge };
  }

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: appUrl }), {
      database: await makeTestDatabase('pglite'),
      clock: makeManualClock(Date.parse('2026-11-02T10:00:00Z')),
      engine: makeRiskEngine(),
    });
    await importAnna(app);
    const merchant = await app.merchants.create('Phone Shop');
    merchantKey = merchant.api_key;
    await app.server.listen({ host: '127.0.0.1', port });

    shop = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(merchantPage(appUrl));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    // Another origin than the widget's (another port), as a real shop is.
    shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
    // The widget posts its result only to the merchant's registered origins.
    const registered = await fetch(`${appUrl}/v1/admin/merchants/${merchant.id}/allowed-origins`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origins: [shopUrl] }),
    });
    expect(registered.status).toBe(200);

    browser = await launchWithAuthenticator('rearguard-widget-');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    if (shop) await new Promise<void>((resolve) => shop.close(() => resolve()));
    await app?.close();
  });

  it('completes a step-up by a code sent to the phone on file', async () => {
    const { sessionId, challenge } = await stepUpCheckout();
    await page.goto(
      `${shopUrl}/checkout?challenge=${challenge.id}&token=${encodeURIComponent(challenge.client_token)}`,
    );
    const widget = page.frameLocator('iframe[title="Confirm it is you"]');
    await expect.poll(() => widget.locator('#purchase').textContent()).toContain('EUR 939.00 at Phone Shop');
    await widget.locator('#method-otp_sms').click();
    await widget.locator('#code-form:not([hidden])').waitFor();
    await page.screenshot({ path: join(artifacts, '1-code-sent.png'), fullPage: true });

    const [message] = await app.database.query<{ text: string }>(
      `SELECT payload->>'text' AS text FROM outbox WHERE recipient = '+31612345678' AND payload->>'kind' = 'step_up_code'
       ORDER BY seq DESC LIMIT 1`,
    );
    const code = codeIn(message!.text)!;
    await widget.locator('#code').fill(code === '000000' ? '111111' : '000000');
    await widget.locator('#verify').click();
    await expect.poll(() => widget.locator('#status').textContent()).toContain('4 attempts left');
    await widget.locator('#code').fill(code);
    await widget.locator('#verify').click();
    await page.locator('#result[data-decision="approved"]').waitFor();
    await page.screenshot({ path: join(artifacts, '2-code-approved.png'), fullPage: true });

    const orderId = (await page.locator('#result').textContent())!.split(' ')[1]!;
    expect(orderId).toMatch(/^ord_/);
    const session = await api('GET', `/v1/sessions/${sessionId}`);
    expect(session.body).toMatchObject({ status: 'approved', order: { id: orderId } });
  });

  it('completes a step-up with a passkey the account holder registered', async () => {
    // Anna signs in to her account (code to her e-mail on file) and registers a passkey on this device.
    const started = await api('POST', '/v1/me/sign-in', { body: { email: 'anna@example.nl' } });
    const [signInMessage] = await app.database.query<{ text: string }>(
      `SELECT payload->>'text' AS text FROM outbox WHERE payload->>'kind' = 'sign_in_code' ORDER BY seq DESC LIMIT 1`,
    );
    const signedIn = await api('POST', '/v1/me/sign-in/verify', {
      body: { sign_in_id: started.body.sign_in_id, code: /(\d{6})/.exec(signInMessage!.text)![1] },
    });
    const consumerToken = signedIn.body.token as string;
    await page.goto(`${appUrl}/widget/challenge`);
    // Runs in the page (the tests are compiled without DOM types, so it is passed as source text).
    const registered = (await page.evaluate(`(async (token) => {
      const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
      const options = await (await fetch('/v1/me/passkeys/options', { method: 'POST', headers, body: '{}' })).json();
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options.options),
      });
      const response = await fetch('/v1/me/passkeys', {
        method: 'POST',
        headers,
        body: JSON.stringify({ ceremony_id: options.ceremony_id, response: credential.toJSON() }),
      });
      return { status: response.status, body: await response.json() };
    })(${JSON.stringify(consumerToken)})`)) as { status: number; body: unknown };
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);

    // The attack again: a step-up now offers the passkey, which nothing typed at the checkout can produce.
    const { sessionId, challenge } = await stepUpCheckout();
    expect(challenge.methods[0]).toEqual({ method: 'passkey', target: null });
    await page.goto(
      `${shopUrl}/checkout?challenge=${challenge.id}&token=${encodeURIComponent(challenge.client_token)}`,
    );
    const widget = page.frameLocator('iframe[title="Confirm it is you"]');
    await widget.locator('#method-passkey').waitFor();
    await page.screenshot({ path: join(artifacts, '3-passkey-offered.png'), fullPage: true });
    await widget.locator('#method-passkey').click();
    await page
      .locator('#result[data-decision="approved"]')
      .waitFor({ timeout: 15_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; widget says: ${await widget.locator('#status').textContent()}`);
      });
    await page.screenshot({ path: join(artifacts, '4-passkey-approved.png'), fullPage: true });

    const session = await api('GET', `/v1/sessions/${sessionId}`);
    expect(session.body.status).toBe('approved');
    const [verification] = await app.database.query<{ method: string; device_id: string }>(
      'SELECT method, device_id FROM verifications WHERE challenge_id = $1',
      [challenge.id],
    );
    expect(verification).toEqual({ method: 'passkey', device_id: 'dev-attacker' });
  });
});
