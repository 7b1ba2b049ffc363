// The ops console in a real browser: enrol a passkey from the admin key's link, sign in with it, and work a review
// item to approval (the order and the merchant's webhooks appear). Screenshots at 1440 px in test-artifacts/console.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from './browser.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { adminKey, sessionBody, testConfig } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts', 'console');
const shippedRuleset = JSON.parse(readFileSync(new URL('../rules/default.json', import.meta.url), 'utf8'));

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const available = chromiumAvailable('console browser test');

describe.skipIf(!available)('ops console in chromium', () => {
  let app: Application;
  let browser: AuthenticatorBrowser | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let page: Page;
  let baseUrl: string;
  let sessionId: string;
  let enrolmentUrl: string;

  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.server.inject({
      method,
      url,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    // Built here as well as by `npm run build:web`, so the test never drives a stale console.
    const { build } = await import('vite');
    await build({ configFile: join(import.meta.dirname, '..', 'web', 'console', 'vite.config.ts'), logLevel: 'warn' });
    await mkdir(artifacts, { recursive: true });
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: baseUrl, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }), {
      database: await makeTestDatabase('pglite'),
      clock: makeManualClock(Date.parse('2026-11-02T10:00:00Z')),
      defaultModelPath: null,
    });
    // The desk's own lever: orders above EUR 100 are held for review.
    const ruleset = structuredClone(shippedRuleset);
    ruleset.version = 'review-large-1';
    ruleset.rules.unshift({
      id: 'review_large',
      description: 'Review anything above EUR 100',
      condition: { kind: 'cmp', feature: 'cart_amount', op: 'gt', value: 10000 },
      action: 'review',
      reason: { code: 'large_order_review', message: 'We check larger orders by hand.' },
    });
    expect((await admin('POST', '/v1/admin/rulesets', { ruleset, activate: true })).statusCode).toBe(201);

    const merchant = await app.merchants.create('Phone Shop');
    const merchantHeaders = { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' };
    receiver = await startWebhookReceiver();
    await app.server.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: merchantHeaders,
      payload: JSON.stringify({ url: receiver.url, events: ['order.approved', 'session.review_approved'] }),
    });
    const session = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: merchantHeaders,
      payload: JSON.stringify(sessionBody()),
    });
    sessionId = session.json().id;
    const authorized = await app.server.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/authorize`,
      headers: { authorization: merchantHeaders.authorization },
    });
    expect(authorized.json().decision).toBe('review');
    enrolmentUrl = (await admin('POST', '/v1/admin/staff', { name: 'Ada', role: 'admin' })).json().enrolment_url;

    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await launchWithAuthenticator('rearguard-console-');
    page = browser.page;
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await app?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it('enrols and signs in with a passkey, then works a review item to approval', async () => {
    await page.goto(enrolmentUrl);
    await page.getByRole('button', { name: 'Create passkey' }).waitFor();
    await shot('01-enrol');
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.getByText('Ada (admin)').waitFor();
    expect(page.url()).toBe(`${baseUrl}/console/`);
    // The session lives in an HttpOnly cookie that page scripts cannot read.
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with passkey' }).waitFor();
    await shot('02-sign-in');
    await page.getByRole('button', { name: 'Sign in with passkey' }).click();
    await page.getByText('Ada (admin)').waitFor();

    const item = page.locator(`[data-session="${sessionId}"]`);
    await item.waitFor();
    await expect.poll(() => item.textContent()).toContain('Phone Shop');
    await expect.poll(() => item.textContent()).toContain('2h 00m left');
    await shot('03-queue');
    await item.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/approved — order ord_/).waitFor();
    await shot('04-queue-approved');

    const [order] = await app.database.query<{ id: string; invoice: string | null }>(
      'SELECT o.id, i.id AS invoice FROM orders o LEFT JOIN invoices i ON i.order_id = o.id WHERE o.session_id = $1',
      [sessionId],
    );
    expect(order?.invoice).toMatch(/^inv_/);
    await app.outbox.drainOnce();
    const types = receiver.received.map(
      (hook) => JSON.parse(hook.body) as { type: string; data: { order_id: string } },
    );
    expect(types.map((hook) => hook.type).sort()).toEqual(['order.approved', 'session.review_approved']);
    expect(types.every((hook) => hook.data.order_id === order!.id)).toBe(true);
    const trail = await app.database.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM staff_audit WHERE action = 'review.approve'",
    );
    expect(trail).toEqual([{ actor: 'Ada', action: 'review.approve' }]);
  });
});
