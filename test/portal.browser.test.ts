// The consumer portal in a real browser, in Dutch and in English, on a phone (390 px) and a desktop (1280 px):
// sign in, purchases, "I did not order this" with its confirmation and progress, how to pay an invoice, a review
// request that survives signing in again, no horizontal overflow on the phone, no serious accessibility violations.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, chromiumAvailable, freePort, launchBrowser } from './browser.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import type { RiskEngine } from '../src/risk/engine.ts';
import { makePlaceholderEngine } from '../src/risk/placeholder.engine.ts';
import { formatDate, formatMoney, type Language } from '../src/i18n/format.ts';
import { sessionBody, testConfig, postImport } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import en from '../web/portal/src/i18n/en.json' with { type: 'json' };
import nl from '../web/portal/src/i18n/nl.json' with { type: 'json' };
import { emailPseudonymOf } from './accounts.sealed.ts';

const artifacts = join(import.meta.dirname, '..', 'test-artifacts', 'portal');
const catalogues = { en, nl };
type MessageId = keyof typeof en;
/** A catalogue text up to its first placeholder: enough to find it on the page in either language. */
const say = (language: Language, id: MessageId) => catalogues[language][id].split('{')[0]!.trim();

/** Each walk runs the accessibility engine and takes screenshots at two widths: slow on a shared machine. */
const walkTimeout = 240_000;
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };
const iban = 'NL91ABNA0417164300';
const declinedAmount = 66600;
const userAgents = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  windows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

interface Consumer {
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly externalId: string;
}
const anna: Consumer = {
  name: 'Anna de Vries',
  email: 'anna@example.nl',
  phone: '+31612345678',
  externalId: 'ext-anna',
};
const bram: Consumer = { name: 'Bram Jansen', email: 'bram@example.nl', phone: '+31687654321', externalId: 'ext-bram' };
const address = { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' };

const available = chromiumAvailable('portal browser test');

describe.skipIf(!available)('consumer portal in chromium', () => {
  let app: Application;
  let browser: Browser | undefined;
  let baseUrl: string;
  /** Per consumer: their own order (open invoice), one placed by someone else in their name, and a declined try. */
  const seeded = new Map<string, { ownOrderId: string; fraudOrderId: string; declinedDecisionId: string }>();

  beforeAll(async () => {
    // Built here as well as by `npm run build:web`, so the test never drives a stale portal (it takes a second).
    const { build } = await import('vite');
    await build({ configFile: join(import.meta.dirname, '..', 'web', 'portal', 'vite.config.ts'), logLevel: 'warn' });
    await mkdir(artifacts, { recursive: true });
    const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
    // Orders resolve to the account whose e-mail they carry (as identity misuse does); one amount is declined.
    const placeholder = makePlaceholderEngine();
    const accountByEmail = new Map<string, string>();
    const engine: RiskEngine = {
      record: (event) => placeholder.record(event),
      decide: async (input) => {
        const decided = await placeholder.decide(input);
        const accountId = accountByEmail.get(input.session.customer?.email ?? '') ?? null;
        return input.session.amount.value === declinedAmount
          ? {
              ...decided,
              outcome: 'declined',
              reasons: [{ code: 'new_device_high_amount', message: 'A high amount from a device never seen before.' }],
              accountId,
            }
          : { ...decided, accountId };
      },
    };
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    app = await makeApplication(
      testConfig({
        PUBLIC_URL: baseUrl,
        PAYMENT_IBAN: iban,
        PAYMENT_ACCOUNT_HOLDER: 'Rearguard Payments',
        PAYMENT_LINK_URL: 'https://pay.example/{reference}?amount={amount}',
      }),
      { database: await makeTestDatabase('pglite'), clock, engine },
    );
    // Each account with a paid order behind it, as the import brings them: its channels count as verified.
    const history = [anna, bram].flatMap((consumer) => [
      {
        type: 'account',
        id: consumer.externalId,
        created_at: '2025-01-02T09:00:00Z',
        name: consumer.name,
        email: consumer.email,
        phone: consumer.phone,
        date_of_birth: '1985-03-02',
        address,
      },
      {
        type: 'order',
        id: `history-${consumer.externalId}`,
        placed_at: '2026-09-01T12:00:00Z',
        account_id: consumer.externalId,
        merchant: 'Book Shop',
        amount: { value: 2450, currency: 'EUR' },
        customer: { name: consumer.name, email: consumer.email, phone: consumer.phone },
        billing_address: address,
        shipping_address: address,
        device: { id: `dev-${consumer.externalId}`, ip: '198.51.100.20', user_agent: userAgents.iphone },
        outcome: 'paid_on_time',
        outcome_at: '2026-09-10T12:00:00Z',
      },
    ]);
    const imported = await postImport(app.server, history.map((line) => JSON.stringify(line)).join('\n'));
    expect(imported.json()).toMatchObject({ imported: 4, rejected: [] });

    const bookShop = await app.merchants.create('Book Shop');
    const phoneShop = await app.merchants.create('Phone Shop');
    const checkout = async (apiKey: string, body: Record<string, unknown>) => {
      const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
      const session = await app.server.inject({ method: 'POST', url: '/v1/sessions', headers, payload: body });
      return (
        await app.server.inject({
          method: 'POST',
          url: `/v1/sessions/${session.json().id}/authorize`,
          headers: { authorization: headers.authorization },
        })
      ).json();
    };
    for (const consumer of [anna, bram]) {
      const [account] = await app.database.query<{ id: string }>('SELECT id FROM accounts WHERE external_id = $1', [
        consumer.externalId,
      ]);
      accountByEmail.set(consumer.email, account!.id);
      const customer = {
        name: consumer.name,
        email: consumer.email,
        phone: consumer.phone,
        date_of_birth: '1985-03-02',
      };
      const own = await checkout(
        bookShop.api_key,
        sessionBody({
          merchant_reference: `books-${consumer.externalId}`,
          amount: { value: 2450, currency: 'EUR' },
          lines: [{ name: 'Novel', quantity: 1, unit_price: 2450, category: 'books' }],
          customer,
          device: { id: `dev-${consumer.externalId}`, ip: '198.51.100.20', user_agent: userAgents.iphone },
        }),
      );
      const attacker = {
        id: `dev-attacker-${consumer.externalId}`,
        ip: '203.0.113.66',
        user_agent: userAgents.windows,
      };
      const shipping = { street: 'Kade', house_number: '99', postal_code: '3011AA', city: 'Rotterdam', country: 'NL' };
      const fraud = await checkout(
        phoneShop.api_key,
        sessionBody({
          merchant_reference: `phone-${consumer.externalId}`,
          customer,
          device: attacker,
          shipping_address: shipping,
        }),
      );
      const declined = await checkout(
        phoneShop.api_key,
        sessionBody({
          merchant_reference: `declined-${consumer.externalId}`,
          amount: { value: declinedAmount, currency: 'EUR' },
          lines: [{ name: 'Laptop', quantity: 1, unit_price: declinedAmount, category: 'electronics' }],
          customer,
          device: attacker,
        }),
      );
      expect([own.decision, fraud.decision, declined.decision]).toEqual(['approved', 'approved', 'declined']);
      const [declinedDecision] = await app.database.query<{ id: string }>(
        `SELECT id FROM decisions WHERE account_id = $1 AND outcome = 'declined'`,
        [account!.id],
      );
      seeded.set(consumer.email, {
        ownOrderId: own.order.id,
        fraudOrderId: fraud.order.id,
        declinedDecisionId: declinedDecision!.id,
      });
    }

    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function latestSignInCode(recipient: string): Promise<string> {
    const [row] = await app.database.query<{ text: string }>(
      `SELECT payload->>'text' AS text FROM outbox WHERE topic = 'notification' AND payload->>'kind' = 'sign_in_code'
       AND recipient = $1 ORDER BY seq DESC LIMIT 1`,
      [recipient],
    );
    const code = /\b(\d{6})\b/.exec(row?.text ?? '')?.[1];
    if (!code) throw new Error('no sign-in code in the outbox');
    return code;
  }

  async function openPage(locale: string, viewport: typeof phone) {
    const context = await browser!.newContext({ locale, viewport });
    // A missing element fails with its name well before the test's own time runs out.
    context.setDefaultTimeout(15_000);
    return context.newPage();
  }

  async function signIn(page: Page, language: Language, consumer: Consumer) {
    await page.getByLabel(say(language, 'signIn.identifier')).fill(consumer.email);
    await page.getByRole('button', { name: say(language, 'signIn.sendCode') }).click();
    const codeField = page.getByLabel(say(language, 'signIn.code'), { exact: true });
    await codeField.waitFor();
    await codeField.fill(await latestSignInCode(consumer.email));
    await page.getByRole('button', { name: say(language, 'signIn.submit'), exact: true }).click();
  }

  const purchasesHeading = (page: Page, language: Language) =>
    page.getByRole('heading', { level: 1, name: say(language, 'nav.purchases') }).waitFor();

  /** On a phone the pages sit behind the menu button; on a desktop the links are always there. */
  async function go(page: Page, language: Language, to: MessageId) {
    const menu = page.getByRole('button', { name: say(language, 'nav.menu') });
    if (await menu.isVisible()) {
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
    }
    await page
      .getByRole('navigation')
      .getByRole('link', { name: say(language, to) })
      .click();
    await page.getByRole('heading', { level: 1, name: say(language, to) }).waitFor();
  }

  /** Both widths: no sideways scrolling on the phone, a screenshot each; the accessibility engine at the walk's width. */
  async function check(page: Page, language: Language, name: string) {
    const walkedAt = page.viewportSize()!;
    expect(await page.evaluate('document.documentElement.lang')).toBe(language);
    for (const viewport of [phone, desktop]) {
      await page.setViewportSize(viewport);
      if (viewport === phone) {
        // A string, as the test code is type-checked for Node, not for the page.
        const overflow = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
          '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
        );
        expect(overflow.scrollWidth, `${name} overflows at 390 px`).toBeLessThanOrEqual(overflow.innerWidth);
      }
      await page.screenshot({ path: join(artifacts, `${language}-${viewport.width}-${name}.png`), fullPage: true });
    }
    await page.setViewportSize(walkedAt);
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
    expect(serious, `${name} in ${language}`).toEqual([]);
  }

  /** Purchases, the "not mine" report with its confirmation and progress, how to pay, and a review request. */
  async function walk(page: Page, language: Language, consumer: Consumer) {
    const { ownOrderId, fraudOrderId, declinedDecisionId } = seeded.get(consumer.email)!;
    const money = (cents: number) => formatMoney(cents, 'EUR', language);

    const fraud = page.locator(`[data-order="${fraudOrderId}"]`);
    await fraud.waitFor();
    await expect.poll(() => fraud.textContent()).toContain(`Phone Shop · ${money(93900)}`);
    expect(await fraud.textContent()).toContain('Kade 99, 3011 AA Rotterdam');
    // No carrier has reported anything: the portal must not claim a shipment or a delivery.
    expect(await fraud.locator('[data-delivery]').getAttribute('data-delivery')).toBe('ordered');
    expect(await fraud.locator('[data-delivery]').textContent()).toBe(catalogues[language]['delivery.ordered']);
    await check(page, language, '02-purchases');

    await fraud.getByRole('button', { name: say(language, 'report.not_mine') }).click();
    const dialog = page.getByRole('dialog', { name: say(language, 'claim.confirm.title') });
    await dialog.waitFor();
    for (const consequence of ['claim.confirm.paused', 'claim.confirm.shop', 'claim.confirm.police'] as const)
      expect(await dialog.textContent()).toContain(catalogues[language][consequence]);
    await check(page, language, '03-claim-confirmation');
    // Nothing is filed until the consumer confirms.
    expect(await app.database.query('SELECT id FROM claims WHERE order_id = $1', [fraudOrderId])).toEqual([]);
    await dialog.getByRole('button', { name: say(language, 'claim.confirm.yes') }).click();
    await page.getByRole('status').getByText(say(language, 'claim.filed.paused')).waitFor();
    await expect.poll(() => fraud.locator('[data-invoice-status]').getAttribute('data-invoice-status')).toBe('paused');
    const progress = fraud.getByRole('list', { name: say(language, 'claim.progress') });
    expect(await progress.textContent()).toContain(say(language, 'claim.step.shop'));
    expect(await progress.textContent()).toContain(say(language, 'claim.step.paused'));
    const [claim] = await app.database.query<{ status: string }>('SELECT status FROM claims WHERE order_id = $1', [
      fraudOrderId,
    ]);
    expect(claim).toEqual({ status: 'open' });
    await check(page, language, '04-claim-progress');

    await go(page, language, 'nav.invoices');
    const [own] = await app.database.query<{ id: string; due_at: Date }>(
      'SELECT id, due_at FROM invoices WHERE order_id = $1',
      [ownOrderId],
    );
    const open = page.locator(`[data-invoice="${own!.id}"]`);
    await open.waitFor();
    const openText = (await open.textContent())!;
    expect(openText).toContain(money(2450));
    expect(openText).toContain(formatDate(own!.due_at, language));
    expect(openText).toContain(catalogues[language]['invoice.status.open']);
    expect(await open.locator('[data-iban]').textContent()).toBe('NL91 ABNA 0417 1643 00');
    expect(await open.locator('[data-reference]').textContent()).toBe(own!.id);
    const payLink = open.getByRole('link', { name: say(language, 'pay.link') || money(2450) });
    expect(await payLink.getAttribute('href')).toBe(`https://pay.example/${own!.id}?amount=24.50`);
    await open.locator('[data-epc-qr] svg').waitFor();
    const paused = page.locator('[data-invoice]', { has: page.locator('[data-invoice-status="paused"]') });
    expect(await paused.locator('[data-paused]').textContent()).toBe(catalogues[language]['invoice.paused']);
    expect(await paused.locator('[data-iban]').count()).toBe(0);
    await check(page, language, '05-invoices');

    await go(page, language, 'nav.decisions');
    const declined = page.locator(`[data-decision="${declinedDecisionId}"]`);
    await declined.waitFor();
    // Only held, checked or declined purchases offer a review; approvals do not.
    expect(await page.locator('[data-outcome="approved"]').getByRole('button').count()).toBe(0);
    await declined.getByRole('button', { name: say(language, 'review.ask') }).click();
    await declined.getByLabel(say(language, 'review.message')).fill('Ik was het niet / it was not me');
    await check(page, language, '06-review-message');
    await declined.getByRole('button', { name: say(language, 'review.send') }).click();
    await declined.getByText(say(language, 'review.requested')).waitFor();
    await check(page, language, '07-review-requested');

    await go(page, language, 'nav.devices');
    await page.getByText('Windows, Chrome').waitFor();
    await page.getByText('iPhone, Safari').waitFor();
    await check(page, language, '08-devices');
  }

  it(
    'walks the portal in Dutch on a phone: the browser speaks Dutch, so the portal does',
    async () => {
      const page = await openPage('nl-NL', phone);
      await page.goto(`${baseUrl}/portal/`);
      await check(page, 'nl', '01-sign-in');
      await signIn(page, 'nl', anna);
      await purchasesHeading(page, 'nl');
      await walk(page, 'nl', anna);
      await page.context().close();
    },
    walkTimeout,
  );

  it(
    'walks the portal in English on a desktop after switching language, and keeps it and the review on the next sign-in',
    async () => {
      const page = await openPage('nl-NL', desktop);
      await page.goto(`${baseUrl}/portal/`);
      await page.getByRole('heading', { name: say('nl', 'signIn.title') }).waitFor();
      await signIn(page, 'nl', bram);
      await purchasesHeading(page, 'nl');
      await page.getByRole('button', { name: 'English' }).click();
      await purchasesHeading(page, 'en');
      const [stored] = await app.database.query<{ language: string }>(
        'SELECT language FROM accounts WHERE external_id = $1',
        [bram.externalId],
      );
      expect(stored!.language).toBe('en');
      await check(page, 'en', '01-signed-in');
      await walk(page, 'en', bram);

      // Signed out and this device forgotten: the browser says Dutch, the account says English, the account wins.
      await page.getByRole('button', { name: say('en', 'app.signOut') }).click();
      await page.evaluate('localStorage.clear()');
      await page.reload();
      expect(await page.evaluate('document.documentElement.lang')).toBe('nl');
      await signIn(page, 'nl', bram);
      // Back where the consumer left off (the devices page), in the account's language.
      await page.getByRole('heading', { level: 1, name: say('en', 'nav.devices') }).waitFor();
      await go(page, 'en', 'nav.decisions');
      const { declinedDecisionId } = seeded.get(bram.email)!;
      await page.locator(`[data-decision="${declinedDecisionId}"] [data-review="open"]`).waitFor();
      await check(page, 'en', '09-review-after-sign-in');
      await page.context().close();
    },
    walkTimeout,
  );

  it(
    'adds a passkey on the security page, then signs in with it instead of a code',
    async () => {
      const page = await openPage('en-GB', phone);
      await addVirtualAuthenticator(page);
      await page.goto(`${baseUrl}/portal/`);
      await signIn(page, 'en', anna);
      await purchasesHeading(page, 'en');
      await go(page, 'en', 'nav.security');
      // The box follows the server's answer, so click and wait for the confirmation rather than for the tick.
      await page.getByLabel(say('en', 'security.alwaysVerify')).click();
      await page.getByText(say('en', 'security.alwaysVerifyOn')).waitFor();
      const [account] = await app.database.query<{ always_verify: boolean }>(
        'SELECT always_verify FROM accounts WHERE external_id = $1',
        [anna.externalId],
      );
      expect(account!.always_verify).toBe(true);
      await page.getByRole('button', { name: say('en', 'passkey.add') }).click();
      await page.getByText(say('en', 'passkey.added')).waitFor();
      // A new passkey is told to every verified channel on file, so a takeover does not go unnoticed.
      const notices = await app.database.query<{ recipient: string }>(
        `SELECT recipient FROM outbox WHERE payload->>'kind' = 'security_notice' AND payload->>'text' ~ '(passkey (aan uw Rearguard-account )?toegevoegd|passkey (was )?added)'`,
      );
      expect(notices.map((notice) => notice.recipient).sort()).toEqual([anna.phone, anna.email]);
      await check(page, 'en', '10-security');
      await page.getByRole('button', { name: say('en', 'app.signOut') }).click();
      const codesSent = async () =>
        (await app.database.query(`SELECT id FROM outbox WHERE payload->>'kind' = 'sign_in_code'`)).length;
      const before = await codesSent();
      await page.getByRole('button', { name: say('en', 'signIn.passkey') }).click();
      // Signed in again where we left off (the security page), this time without any code.
      await page.getByRole('heading', { level: 1, name: say('en', 'nav.security') }).waitFor();
      expect(await codesSent()).toBe(before);
      const passkeySessions = await app.database.query(`SELECT id FROM consumer_sessions WHERE method = 'passkey'`);
      expect(passkeySessions).toHaveLength(1);
      await page.context().close();
    },
    walkTimeout,
  );

  it(
    'erases the account from the security page after a confirmation, and says what the law keeps and until when',
    async () => {
      const page = await openPage('nl-NL', desktop);
      await page.goto(`${baseUrl}/portal/`);
      await signIn(page, 'nl', bram);
      // The account's language wins after sign-in (English when the walk above ran first): read it from the account
      // and wait for the page to switch to it, rather than racing the switch.
      const [account] = await app.database.query<{ language: string | null }>(
        'SELECT language FROM accounts WHERE external_id = $1 OR email_pseudonym = $2 LIMIT 1',
        [bram.externalId, emailPseudonymOf(app, bram.email)],
      );
      const language: Language = account?.language === 'en' ? 'en' : 'nl';
      await page.locator(`html[lang="${language}"]`).waitFor({ state: 'attached' });
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await go(page, language, 'nav.security');
      await page.getByRole('button', { name: say(language, 'erasure.button') }).click();
      const dialog = page.getByRole('dialog', { name: say(language, 'erasure.confirm.title') });
      await dialog.getByText(say(language, 'erasure.confirm.kept')).waitFor();
      await dialog.getByRole('button', { name: say(language, 'erasure.confirm.yes') }).click();
      await page.getByText(say(language, 'erasure.done')).waitFor();
      // Bram's own order has an open invoice: kept for the tax authority, and as open debt until paid.
      const kept = page.locator('[role=status] li');
      await kept.first().waitFor();
      expect(await kept.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('2033')]));
      await check(page, language, '11-erased');
      const left = await app.database.query('SELECT id FROM accounts WHERE external_id = $1 OR email_pseudonym = $2', [
        bram.externalId,
        emailPseudonymOf(app, bram.email),
      ]);
      expect(left).toEqual([]);
      const [request] = await app.database.query<{ status: string; source: string }>(
        "SELECT status, source FROM erasure_requests WHERE source = 'portal'",
      );
      expect(request).toEqual({ status: 'done', source: 'portal' });
      await page.context().close();
    },
    walkTimeout,
  );
});
