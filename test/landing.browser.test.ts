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
      const document = JSON.parse((await app.request('GET', '/openapi.json', { key: null })).body) as {
        paths: Record<string, Record<string, { tags?: string[] }>>;
      };
      const operationsByTag = new Map<string, string[]>();
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          for (const tag of operation.tags ?? []) {
            operationsByTag.set(tag, [...(operationsByTag.get(tag) ?? []), `${method} ${path}`]);
          }
        }
      }
      await page.getByRole('link', { name: /API/ }).click();
      // Tags start closed: Swagger UI virtualises a list of 150 or more rows (tags plus open operations), drawing only
      // what is on screen, so an all-open reference looked as if it stopped drawing after the admin tag.
      const sections = page.locator('.opblock-tag-section');
      await expect.poll(() => sections.count(), { timeout: 60_000 }).toBe(operationsByTag.size);
      for (const [tag, operations] of operationsByTag) {
        const section = page.locator('.opblock-tag-section', { has: page.locator(`[data-tag="${tag}"]`) });
        await section.locator('.opblock-tag').click();
        await expect.poll(() => section.locator('.opblock').count(), { timeout: 30_000 }).toBe(operations.length);
        const drawn = await section
          .locator('.opblock')
          .evaluateAll((blocks) =>
            blocks.map(
              (block) =>
                `${block.querySelector('.opblock-summary-method')?.textContent?.toLowerCase()} ${block.querySelector('[data-path]')?.getAttribute('data-path')}`,
            ),
          );
        expect(drawn.sort(), tag).toEqual([...operations].sort());
        await section.locator('.opblock-tag').click();
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: join(artifacts, 'api-reference-1280.png') });
      expect(problems).toEqual([]);
    },
  );
});
