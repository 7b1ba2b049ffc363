// Bank identification through the widget in chromium: the shopper logs in at "the bank" (a real OpenID provider) in a
// popup, consents, comes back, and the session ends approved with an order.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from '../browser.ts';
import { makeApplication, type Application } from '../../src/app.ts';
import { makeManualClock } from '../../src/shared/clock.ts';
import { adminKey, testConfig } from '../application.ts';
import { makeTestDatabase } from '../databases.ts';
import { startOidcBank } from './oidc-bank.ts';

const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'widget');
const available = chromiumAvailable('bank identification browser test');

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const merchantPage = (
  appUrl: string,
) => `<!doctype html><html><head><meta charset="utf-8"><title>Laptop Shop</title></head>
<body><h1>Laptop Shop — checkout</h1><div id="challenge"></div><p id="result">waiting</p>
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

const janAddress = { street: 'Dorpsstraat', house_number: '12', postal_code: '3511AB', city: 'Utrecht', country: 'NL' };

describe.skipIf(!available)('bank identification through the widget in chromium', () => {
  let app: Application;
  let bank: Awaited<ReturnType<typeof startOidcBank>>;
  let shop: Server;
  let shopUrl: string;
  let appUrl: string;
  let merchantKey: string;
  let browser: AuthenticatorBrowser | undefined;

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${appUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${merchantKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    bank = await startOidcBank({ redirectUris: [`${appUrl}/v1/bank-identification/callback`] });
    app = await makeApplication(testConfig({ PUBLIC_URL: appUrl, ...bank.environment }), {
      database: await makeTestDatabase('pglite'),
      clock: makeManualClock(Date.parse('2026-11-02T10:00:00Z')),
      defaultModelPath: null,
    });
    const merchant = await app.merchants.create('Laptop Shop');
    merchantKey = merchant.api_key;
    await app.server.listen({ host: '127.0.0.1', port });
    shop = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(merchantPage(appUrl));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopUrl = `http://localhost:${(shop.address() as AddressInfo).port}`;
    // The widget posts its result only to the merchant's registered origins.
    const registered = await fetch(`${appUrl}/v1/admin/merchants/${merchant.id}/allowed-origins`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origins: [shopUrl] }),
    });
    expect(registered.status).toBe(200);
    browser = await launchWithAuthenticator('rearguard-bank-id-');
  });

  afterAll(async () => {
    await browser?.close();
    if (shop) await new Promise<void>((resolve) => shop.close(() => resolve()));
    await app?.close();
    await bank?.close();
  });

  it('logs in at the bank in a popup, consents, comes back approved with an order', async () => {
    const session = await api('POST', '/v1/sessions', {
      amount: { value: 59900, currency: 'EUR' },
      merchant_reference: 'bank-id-1',
      lines: [{ name: 'Laptop', quantity: 1, unit_price: 59900, category: 'electronics' }],
      customer: { name: 'Jan Jansen', email: 'jan@jansen.example', phone: '+31611112222', date_of_birth: '1970-06-15' },
      billing_address: janAddress,
      shipping_address: janAddress,
      device: { id: 'dev-jan-browser', ip: '203.0.113.9', user_agent: 'Mozilla/5.0' },
    });
    const authorized = await api('POST', `/v1/sessions/${session.id}/authorize`);
    expect(authorized.decision, JSON.stringify(authorized)).toBe('step_up');
    const page = browser!.page;
    await page.goto(
      `${shopUrl}/checkout?challenge=${authorized.challenge.id}&token=${encodeURIComponent(authorized.challenge.client_token)}`,
    );
    const widget = page.frameLocator('iframe[title="Confirm it is you"]');
    await widget.locator('#method-bank_identification').waitFor();
    await page.screenshot({ path: join(artifacts, '5-bank-identification-offered.png'), fullPage: true });

    const popupOpened = browser!.context.waitForEvent('page');
    await widget.locator('#method-bank_identification').click();
    const popup = await popupOpened;
    await popup.locator('#username').waitFor();
    await popup.locator('#username').fill('jan');
    await popup.locator('#password').fill('jan-password');
    await popup.screenshot({ path: join(artifacts, '6-bank-login.png') });
    await popup.locator('#login').click();
    await popup.locator('#consent').click();

    await page
      .locator('#result[data-decision="approved"]')
      .waitFor({ timeout: 20_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; widget says: ${await widget.locator('#status').textContent()}`);
      });
    await page.screenshot({ path: join(artifacts, '7-bank-identification-approved.png'), fullPage: true });
    const orderId = (await page.locator('#result').textContent())!.split(' ')[1]!;
    expect(orderId).toMatch(/^ord_/);
    const stored = await api('GET', `/v1/sessions/${session.id}`);
    expect(stored).toMatchObject({ status: 'approved', order: { id: orderId } });
  });
});
