// The export as a readable page in chromium: the signed-in person's data in their language, printable, on a phone too.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchBrowser } from './browser.ts';
import type { TestApplication } from './application.ts';
import { approvedOrder, makeProtectionTestApplication } from './protection.helpers.ts';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts', 'export');

describe.skipIf(!chromiumAvailable('export page browser test'))('export page in chromium', () => {
  let app: TestApplication;
  let browser: Browser;
  let baseUrl: string;
  let token: string;
  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    app = await makeProtectionTestApplication('pglite');
    const order = await approvedOrder(app, { merchant_reference: 'export-page-1' });
    ({ token } = await app.consumerSessions.issue(order.accountId, 'otp_email'));
    await app.server.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it.each([
    ['nl', 390],
    ['en', 1280],
  ] as const)(
    'shows everything in %s at %i px: sections, decisions in plain words, the JSON link',
    { timeout: 120_000 },
    async (language, width) => {
      const context = await browser.newContext({
        viewport: { width, height: 900 },
        locale: language === 'nl' ? 'nl-NL' : 'en-GB',
      });
      await context.addCookies([{ name: 'rg_consumer', value: token, url: baseUrl }]);
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}/v1/me/export/page?lang=${language}`);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe(language);
      await page
        .getByRole('heading', {
          level: 1,
          name: language === 'nl' ? 'Alles wat wij van u bewaren' : 'Everything we hold about you',
        })
        .waitFor();
      for (const section of language === 'nl'
        ? ['Uw gegevens', 'Beslissingen over uw aankopen', 'Aankopen', 'Facturen', 'Wat er niet in staat, en waarom']
        : ['Your details', 'Decisions about your purchases', 'Purchases', 'Invoices', 'What is not in it, and why']) {
        await expect.poll(() => page.getByRole('heading', { level: 2, name: section, exact: true }).count()).toBe(1);
      }
      const body = (await page.textContent('main'))!.replace(/\s/g, ' ');
      expect(body).toContain('Anna de Vries');
      expect(body).toContain(language === 'nl' ? '€ 939,00' : '€939.00');
      expect(body).toContain(language === 'nl' ? 'Goedgekeurd: Test Shop' : 'Approved: Test Shop');
      expect(body).not.toMatch(/\b(created_at|verified_at|placed_at)\b/);
      const download = page.locator('a[download="rearguard-export.json"]');
      expect(await download.getAttribute('href')).toBe('/v1/me/export');
      // The JSON behind the link is the same export, reachable with the same cookie.
      const json = await context.request.get(`${baseUrl}/v1/me/export`);
      expect((await json.json()).account.name).toBe('Anna de Vries');
      expect(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(
        true,
      );
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''))).toEqual(
        [],
      );
      await page.screenshot({ path: join(artifacts, `export-${language}-${width}.png`), fullPage: true });
      await page.emulateMedia({ media: 'print' });
      expect(await download.isVisible()).toBe(false);
      await context.close();
    },
  );
});
