// The checkout widget in a real browser: a merchant page embeds it; step-ups by code in Dutch and English at phone and
// desktop widths (no overflow, no serious accessibility violations), and one by passkey.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from '../browser.ts';
import { makeApplication, type Application } from '../../src/app.ts';
import { makeManualClock } from '../../src/shared/clock.ts';
import type { Language } from '../../src/i18n/format.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { adminKey, testConfig } from '../application.ts';
import { makeTestDatabase } from '../databases.ts';
import { attackerSession, codeIn, importAnna, strangerAddress } from './stepup.fixtures.ts';

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
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Phone Shop checkout</title><style>#challenge { --rearguard-accent: #0b6e4f; --rearguard-radius: 10px; }</style></head>
<body style="font-family:sans-serif;margin:16px"><main><h1>Phone Shop — checkout</h1><p>Pay later with Rearguard</p>
<div id="challenge"></div><p id="result">waiting</p></main>
<script src="${appUrl}/widget/rearguard.js"></script>
<script>
  const parameters = new URLSearchParams(location.search);
  Rearguard.mountChallenge({
    element: '#challenge',
    challengeId: parameters.get('challenge'),
    clientToken: parameters.get('token'),
    lang: parameters.get('lang') || undefined,
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
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));

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
  async function stepUpCheckout(overrides: Record<string, unknown> = {}) {
    const session = await api('POST', '/v1/sessions', {
      body: attackerSession({ merchant_reference: `w-${++reference}`, ...overrides }),
    });
    const authorized = await api('POST', `/v1/sessions/${session.body.id}/authorize`);
    expect(authorized.body.decision, JSON.stringify(authorized.body)).toBe('step_up');
    return { sessionId: session.body.id as string, challenge: authorized.body.challenge };
  }

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: appUrl }), {
      database: await makeTestDatabase('pglite'),
      clock,
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

  /** Nothing wider than the viewport, in the shop's page or inside the widget's frame. */
  async function expectNoHorizontalOverflow(target: Page | Frame, where: string) {
    const widths = (await target.evaluate(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    )) as { scroll: number; client: number };
    expect(widths.scroll, `${where} overflows: ${JSON.stringify(widths)}`).toBeLessThanOrEqual(widths.client);
  }

  async function expectNoSeriousAccessibilityViolations(where: string) {
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''));
    expect(
      serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
      where,
    ).toEqual([]);
  }

  const texts: Record<
    Language,
    { purchase: (houseNumber: string) => string; wrongCode: string; approved: string; sent: string }
  > = {
    nl: {
      purchase: (houseNumber) => `€\u00a0939,00 bij Phone Shop, bezorging op Industrieweg ${houseNumber}, Rotterdam`,
      wrongCode: 'Die code klopt niet. U kunt het nog 4 keer proberen.',
      approved: 'Dank u, uw aankoop is bevestigd.',
      sent: 'Wij hebben een code gestuurd naar',
    },
    en: {
      purchase: (houseNumber) => `€939.00 at Phone Shop, delivery to Industrieweg ${houseNumber}, Rotterdam`,
      wrongCode: 'That code is not right. Attempts left: 4.',
      approved: 'Thank you, your purchase is confirmed.',
      sent: 'We sent a code to',
    },
  };

  /** Each screen at phone width and at desktop width: no overflow, no serious violations, a screenshot of each. */
  async function checkScreen(frame: Frame, name: string, step: string) {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 800 });
      await expectNoHorizontalOverflow(page, `${name} ${width}px ${step}: shop page`);
      await expectNoHorizontalOverflow(frame, `${name} ${width}px ${step}: widget`);
      await page.screenshot({ path: join(artifacts, `${name}-${width}-${step}.png`), fullPage: true });
      await expectNoSeriousAccessibilityViolations(`${name} ${width}px ${step}`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
  }

  // One checkout per language (each approved order counts against Anna's credit limit), every screen at both widths.
  describe.each(['nl', 'en'] as const)('a code sent to the phone on file, in %s', (language) => {
    it('is confirmed through the widget in that language, at 390 and 1280 px, without overflow, accessible', async () => {
      // Each walk is weeks after the last (fresh send and attempt budgets, no velocity), to a new address from a new
      // device, so the risk engine asks for a step-up each time as it would for the first.
      clock.advance(45 * 86_400_000);
      await page.setViewportSize({ width: 390, height: 844 });
      const name = language;
      const houseNumber = language === 'nl' ? '101' : '102';
      const { sessionId, challenge } = await stepUpCheckout({
        shipping_address: { ...strangerAddress, house_number: houseNumber },
        device: { id: `dev-${name}`, ip: '203.0.113.66', user_agent: 'Mozilla/5.0' },
      });
      await page.goto(
        `${shopUrl}/checkout?challenge=${challenge.id}&token=${encodeURIComponent(challenge.client_token)}&lang=${language}`,
      );
      const frameElement = page.locator('#challenge iframe');
      const widget = page.frameLocator('#challenge iframe');
      await expect.poll(() => widget.locator('#purchase').textContent()).toBe(texts[language].purchase(houseNumber));
      expect(await widget.locator('html').getAttribute('lang')).toBe(language);
      const frame = (await (await frameElement.elementHandle())!.contentFrame())!;
      // The merchant's CSS variable reached the widget's buttons.
      expect(await frame.evaluate("getComputedStyle(document.getElementById('method-otp_sms')).backgroundColor")).toBe(
        'rgb(11, 110, 79)',
      );
      await checkScreen(frame, name, '1-methods');

      await widget.locator('#method-otp_sms').click();
      await widget.locator('#code-form:not([hidden])').waitFor();
      await expect.poll(() => widget.locator('#status').textContent()).toContain(texts[language].sent);
      const [message] = await app.database.query<{ text: string }>(
        `SELECT payload->>'text' AS text FROM outbox WHERE recipient = '+31612345678' AND payload->>'kind' = 'step_up_code'
         ORDER BY seq DESC LIMIT 1`,
      );
      // The SMS speaks the widget's language too.
      expect(message!.text).toContain(language === 'nl' ? '€ 939,00 bij Phone Shop' : '€939.00 at Phone Shop');
      const code = codeIn(message!.text)!;
      await widget.locator('#code').fill(code === '000000' ? '111111' : '000000');
      await widget.locator('#verify').click();
      await expect.poll(() => widget.locator('#status').textContent()).toBe(texts[language].wrongCode);
      // The frame grew to its content: the error line is inside the frame's box, not cut off.
      const heights = async () => {
        const frameBox = (await frameElement.boundingBox())!;
        const content = (await frame.evaluate(
          'Math.ceil(document.documentElement.getBoundingClientRect().height)',
        )) as number;
        return Math.abs(frameBox.height - content);
      };
      await expect.poll(heights).toBeLessThanOrEqual(2);
      await checkScreen(frame, name, '2-wrong-code');

      await widget.locator('#code').fill(code);
      await widget.locator('#verify').click();
      await page.locator('#result[data-decision="approved"]').waitFor();
      expect(await widget.locator('#status').textContent()).toBe(texts[language].approved);
      await checkScreen(frame, name, '3-approved');
      const orderId = (await page.locator('#result').textContent())!.split(' ')[1]!;
      expect(orderId).toMatch(/^ord_/);
      const session = await api('GET', `/v1/sessions/${sessionId}`);
      expect(session.body).toMatchObject({ status: 'approved', order: { id: orderId } });
    });
  });

  it('completes a step-up with a passkey the account holder registered', async () => {
    clock.advance(45 * 86_400_000);
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
    const widget = page.frameLocator('#challenge iframe');
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
