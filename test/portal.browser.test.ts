// The consumer portal in a real browser: sign in by code, find an order, report it as not mine, see the invoice paused.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from './browser.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import type { RiskEngine } from '../src/risk/engine.ts';
import { makePlaceholderEngine } from '../src/risk/placeholder.engine.ts';
import { adminKey, sessionBody, testConfig } from './application.ts';
import { makeTestDatabase } from './databases.ts';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts', 'portal');

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const available = chromiumAvailable('portal browser test');

const address = { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' };
const history = [
  {
    type: 'account',
    id: 'ext-anna',
    created_at: '2025-01-02T09:00:00Z',
    name: 'Anna de Vries',
    email: 'anna@example.nl',
    phone: '+31612345678',
    date_of_birth: '1985-03-02',
    address,
  },
  {
    type: 'order',
    id: 'hist-1',
    placed_at: '2026-09-01T12:00:00Z',
    account_id: 'ext-anna',
    merchant: 'Book Shop',
    amount: { value: 2450, currency: 'EUR' },
    customer: { name: 'Anna de Vries', email: 'anna@example.nl', phone: '+31612345678' },
    billing_address: address,
    shipping_address: address,
    device: { id: 'dev-anna-laptop', ip: '198.51.100.20', user_agent: 'Firefox on Linux' },
    outcome: 'paid_on_time',
    outcome_at: '2026-09-10T12:00:00Z',
  },
];

describe.skipIf(!available)('consumer portal in chromium', () => {
  let app: Application;
  let browser: AuthenticatorBrowser | undefined;
  let page: Page;
  let baseUrl: string;
  let fraudOrderId: string;

  beforeAll(async () => {
    // Built here as well as by `npm run build:web`, so the test never drives a stale portal (it takes a second).
    const { build } = await import('vite');
    await build({ configFile: join(import.meta.dirname, '..', 'web', 'portal', 'vite.config.ts'), logLevel: 'warn' });
    await mkdir(artifacts, { recursive: true });
    const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
    // The attacker's order resolves to Anna's account (as identity misuse does); the placeholder approves it.
    const placeholder = makePlaceholderEngine();
    let annaAccountId: string | null = null;
    const engine: RiskEngine = {
      record: (event) => placeholder.record(event),
      decide: async (input) => ({ ...(await placeholder.decide(input)), accountId: annaAccountId }),
    };
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: baseUrl }), {
      database: await makeTestDatabase('pglite'),
      clock,
      engine,
    });
    const imported = await app.server.inject({
      method: 'POST',
      url: '/v1/admin/import',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' },
      payload: history.map((line) => JSON.stringify(line)).join('\n'),
    });
    expect(imported.json()).toMatchObject({ imported: 2, rejected: [] });
    const [account] = await app.database.query<{ id: string }>(
      `SELECT id FROM accounts WHERE external_id = 'ext-anna'`,
    );
    annaAccountId = account!.id;

    const merchant = await app.merchants.create('Phone Shop');
    const merchantHeaders = { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' };
    const session = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: merchantHeaders,
      payload: sessionBody({
        shipping_address: {
          street: 'Kade',
          house_number: '99',
          postal_code: '3011AA',
          city: 'Rotterdam',
          country: 'NL',
        },
        device: { id: 'dev-attacker', ip: '203.0.113.66', user_agent: 'Chrome on Windows' },
      }),
    });
    const authorized = await app.server.inject({
      method: 'POST',
      url: `/v1/sessions/${session.json().id}/authorize`,
      headers: { authorization: merchantHeaders.authorization },
    });
    fraudOrderId = authorized.json().order.id;

    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await launchWithAuthenticator('rearguard-portal-');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function latestSignInCode(): Promise<string> {
    const [row] = await app.database.query<{ text: string }>(
      `SELECT payload->>'text' AS text FROM outbox WHERE topic = 'notification' AND payload->>'kind' = 'sign_in_code'
       ORDER BY seq DESC LIMIT 1`,
    );
    const code = /\b(\d{6})\b/.exec(row?.text ?? '')?.[1];
    if (!code) throw new Error('no sign-in code in the outbox');
    return code;
  }

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it('signs in by code, reports an order as not mine and shows the invoice paused', async () => {
    await page.goto(`${baseUrl}/portal/`);
    await page.getByLabel('E-mail address or phone number').fill('anna@example.nl');
    await shot('01-sign-in');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByLabel('Code').fill(await latestSignInCode());
    await page.getByRole('button', { name: 'Sign in' }).click();

    const order = page.locator(`[data-order="${fraudOrderId}"]`);
    await order.waitFor();
    await expect.poll(() => order.textContent()).toContain('Phone Shop');
    await expect.poll(() => order.textContent()).toContain('Kade 99, 3011AA Rotterdam');
    // No carrier has reported anything: the portal must not claim a delivery.
    expect(await order.locator('[data-delivery]').getAttribute('data-delivery')).toBe('ordered');
    expect(await order.textContent()).not.toContain('Delivered');
    await shot('02-purchases');

    await order.getByRole('button', { name: 'I did not order this' }).click();
    await page.getByRole('status').waitFor();
    await expect.poll(() => order.locator('[data-invoice-status]').getAttribute('data-invoice-status')).toBe('paused');
    expect(await page.getByRole('status').textContent()).toContain('you do not have to pay');
    await shot('03-reported-not-mine');

    const [invoice] = await app.database.query<{ status: string }>('SELECT status FROM invoices WHERE order_id = $1', [
      fraudOrderId,
    ]);
    expect(invoice!.status).toBe('paused');

    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.locator('[data-invoice-status="paused"]').waitFor();
    await shot('04-invoices');
    await page.getByRole('link', { name: 'Devices & addresses' }).click();
    await page.getByText('Chrome on Windows').waitFor();
    await shot('05-devices');
    await page.getByRole('link', { name: 'Checks & decisions' }).click();
    await page.getByRole('button', { name: 'Ask for a human review' }).first().waitFor();
    await shot('06-decisions');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByText('Where we reach you').waitFor();
    // The box follows the server's answer, so click and wait for the confirmation rather than for the tick.
    await page.getByLabel(/Always verify my purchases/).click();
    await page.getByText('Every purchase in your name will now need your confirmation.').waitFor();
    const [account] = await app.database.query<{ always_verify: boolean }>(
      `SELECT always_verify FROM accounts WHERE external_id = 'ext-anna'`,
    );
    expect(account!.always_verify).toBe(true);
    await shot('07-security');
  });

  it('adds a passkey on the security page, then signs in with it instead of a code', async () => {
    await page.goto(`${baseUrl}/portal/#/security`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey added.').waitFor();
    // A new passkey is told to every verified channel on file, so a takeover does not go unnoticed.
    const notices = await app.database.query<{ recipient: string }>(
      `SELECT recipient FROM outbox WHERE payload->>'kind' = 'security_notice' AND payload->>'text' LIKE 'A passkey was added%'`,
    );
    expect(notices.map((notice) => notice.recipient).sort()).toEqual(['+31612345678', 'anna@example.nl']);
    await shot('08-passkey-added');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const codesSent = async () =>
      (await app.database.query(`SELECT id FROM outbox WHERE payload->>'kind' = 'sign_in_code'`)).length;
    const before = await codesSent();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    // Signed in again where we left off (the security page), this time without any code.
    await page.getByText('Where we reach you').waitFor();
    await page.getByRole('link', { name: 'Purchases' }).click();
    await page.locator(`[data-order="${fraudOrderId}"]`).waitFor();
    expect(await codesSent()).toBe(before);
    const passkeySessions = await app.database.query(`SELECT id FROM consumer_sessions WHERE method = 'passkey'`);
    expect(passkeySessions).toHaveLength(1);
    await shot('09-signed-in-with-passkey');
  });
});
