// The ops console in a real browser: enrol a passkey from the admin key's link, sign in with it, and work a review
// item to approval (the order and the merchant's webhooks appear). Screenshots at 1440 px in test-artifacts/console.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, freePort, type AuthenticatorBrowser } from './browser.ts';
import {
  adminRequests,
  buildConsole,
  consoleArtifacts,
  hireStaff,
  openDeskBrowser,
  openStaffDesk,
} from './console.desk.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { sessionBody, testConfig } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import { reviewLargeRuleset, shippedRuleset } from './review-ruleset.ts';

const available = chromiumAvailable('console browser test');

describe.skipIf(!available)('ops console in chromium', () => {
  let app: Application;
  let browser: AuthenticatorBrowser | undefined;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let page: Page;
  let baseUrl: string;
  let sessionId: string;
  let enrolmentUrl: string;
  let merchantKey: string;
  let approvedOrderId: string;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
  const colleagues: AuthenticatorBrowser[] = [];

  const admin = adminRequests(() => app);

  beforeAll(async () => {
    await buildConsole();
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: baseUrl, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }), {
      database: await makeTestDatabase('pglite'),
      clock,
      defaultModelPath: null,
    });
    // The desk's own lever: orders above EUR 100 are held for review.
    const ruleset = reviewLargeRuleset();
    expect((await admin('POST', '/v1/admin/rulesets', { ruleset, activate: true })).statusCode).toBe(201);

    const merchant = await app.merchants.create('Phone Shop');
    merchantKey = merchant.api_key;
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
    enrolmentUrl = await hireStaff(app, 'Ada', 'admin');

    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await openDeskBrowser('rearguard-console-');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    for (const colleague of colleagues) await colleague.close();
    await receiver?.close();
    await app?.close();
  });

  const shot = (name: string, on: Page = page) =>
    on.screenshot({ path: join(consoleArtifacts, `${name}.png`), fullPage: true });

  /** A colleague at their own desk: their own browser, passkey and enrolment link. */
  async function colleague(name: string, role: 'analyst' | 'lead') {
    const desk = await openStaffDesk(app, name, role);
    colleagues.push(desk);
    return desk.page;
  }

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
    // The next-item flow: the best-ranked free item opens in the case view, locked to whoever asked.
    await page.getByRole('button', { name: 'Next item' }).click();
    const caseView = page.locator('[data-case-view]');
    await caseView.getByText('Locked to you').waitFor();
    await caseView.getByLabel('As an analyst sees it').getByText('review_large').waitFor();
    await shot('04-case-view');
    const [lock] = await app.database.query<{ staff_name: string }>('SELECT staff_name FROM desk_locks');
    expect(lock).toEqual({ staff_name: 'Ada' });
    await caseView.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/approved — order ord_/).waitFor();
    await shot('05-case-approved');

    const [order] = await app.database.query<{ id: string; invoice: string | null }>(
      'SELECT o.id, i.id AS invoice FROM orders o LEFT JOIN invoices i ON i.order_id = o.id WHERE o.session_id = $1',
      [sessionId],
    );
    expect(order?.invoice).toMatch(/^inv_/);
    approvedOrderId = order!.id;
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

  it('resolves a claim as confirmed fraud only when a second analyst confirms', async () => {
    const claim = await admin('POST', '/v1/admin/claims', { order_id: approvedOrderId, kind: 'not_mine' });
    const caseId = claim.json().case_id as string;
    const bram = await colleague('Bram', 'analyst');
    const row = bram.locator(`[data-item="${caseId}"]`);
    await row.getByText('Claim (not_mine)').waitFor();
    await row.getByRole('button', { name: 'Open' }).click();
    const caseView = bram.locator(`[data-case-view="${caseId}"]`);
    await caseView.getByLabel('Identity timeline').getByText('account created').waitFor();
    await caseView.getByLabel('Note').fill('Anna confirmed by phone: not her order');
    await caseView.getByRole('button', { name: 'Confirm fraud' }).click();
    await bram.getByText('waiting for a second person').waitFor();
    await shot('06-claim-case-view', bram);
    await bram.getByRole('link', { name: 'Approvals' }).click();
    const own = bram.locator('[data-approval]').first();
    await own.getByText('needs someone else').waitFor();
    expect(await own.getByRole('button', { name: 'Confirm' }).isDisabled()).toBe(true);
    await shot('07-approvals-own-request', bram);
    const open = await app.database.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseId]);
    expect(open).toEqual([{ status: 'open' }]);

    const sam = await colleague('Sam', 'analyst');
    await sam.getByRole('link', { name: 'Approvals' }).click();
    await sam.locator('[data-approval]').first().getByRole('button', { name: 'Confirm' }).click();
    await sam.getByText(`Close case as confirmed fraud ${caseId}: confirmed.`).waitFor();
    await shot('08-approvals-confirmed', sam);
    const [resolved] = await app.database.query<{ status: string; resolution: string }>(
      'SELECT status, resolution FROM cases WHERE id = $1',
      [caseId],
    );
    expect(resolved).toEqual({ status: 'resolved', resolution: 'fraud_confirmed' });
  });

  it('shows the alert of a review past its deadline and acknowledges it', async () => {
    const headers = { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json' };
    const session = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers,
      payload: JSON.stringify(sessionBody({ merchant_reference: 'late-1' })),
    });
    await app.server.inject({
      method: 'POST',
      url: `/v1/sessions/${session.json().id}/authorize`,
      headers: { authorization: headers.authorization },
    });
    clock.advance(121 * 60_000);
    expect((await app.reviewScheduler.tick()).review_deadlines).toBe(1);

    await page.getByRole('link', { name: 'Alerts' }).click();
    const alert = page.locator('[data-alert]').filter({ hasText: 'review deadline passed' });
    await alert.waitFor();
    await shot('09-alerts');
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await alert.getByText('Acknowledged').waitFor();
    await shot('10-alert-acknowledged');
    const rows = await app.database.query<{ acknowledged_at: Date | null }>(
      "SELECT acknowledged_at FROM protection_alerts WHERE kind = 'review_deadline_passed'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.acknowledged_at).not.toBeNull();
  });

  it('previews a ruleset backtest and activates it with a second person', async () => {
    const candidate = structuredClone(shippedRuleset);
    candidate.version = 'stricter-2';
    expect((await admin('POST', '/v1/admin/rulesets', { ruleset: candidate })).statusCode).toBe(201);
    const lotte = await colleague('Lotte', 'lead');
    await lotte.getByRole('link', { name: 'Rules' }).click();
    const row = lotte.locator('[data-ruleset="stricter-2"]');
    await row.getByRole('button', { name: 'Preview backtest' }).click();
    const preview = row.getByLabel('Backtest of stricter-2');
    await preview.waitFor();
    await expect.poll(() => preview.textContent()).toContain('Orders replayed');
    await shot('11-rules-backtest', lotte);
    await row.getByRole('button', { name: 'Request activation' }).click();
    await lotte.getByText('Activation of stricter-2 is waiting for a second person.').waitFor();
    expect(app.rulesets.current().version).toBe('review-large-1');

    await page.getByRole('link', { name: 'Approvals' }).click();
    const request = page.locator('[data-approval]').filter({ hasText: 'Activate ruleset' });
    await request.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Activate ruleset stricter-2: confirmed.').waitFor();
    await shot('12-ruleset-activated');
    expect(app.rulesets.current().version).toBe('stricter-2');
  });

  it('searches decisions and opens one as the consumer and as an analyst see it', async () => {
    await page.getByRole('link', { name: 'Cases' }).click();
    await page.getByRole('heading', { name: 'Open cases' }).waitFor();
    await shot('13-cases');
    await page.getByRole('link', { name: 'Decisions' }).click();
    await page.getByLabel('Outcome').selectOption('review');
    await page.getByLabel('Rule hit').fill('review_large');
    await page.getByRole('button', { name: 'Search' }).click();
    const found = page.getByLabel('Decisions found');
    await found.waitFor();
    const rows = found.locator('[data-decision]');
    await expect.poll(() => rows.count()).toBe(2);
    for (const text of await rows.allTextContents()) expect(text).toContain('review_large');
    await shot('14-decisions-search');

    await page.getByLabel('Identifier (e-mail, phone, device, IP, account, order, session)').fill(sessionId);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByRole('button', { name: 'Explain' }).click();
    const consumer = page.getByLabel('As the consumer sees it');
    await consumer.getByText('We check larger orders by hand.').waitFor();
    await expect.poll(() => consumer.textContent()).toContain('A person on our team is checking this purchase');
    const analyst = page.getByLabel('As an analyst sees it');
    await expect.poll(() => analyst.textContent()).toContain('review_large');
    await expect.poll(() => analyst.textContent()).toContain('Anna de Vries');
    await shot('15-decision-explained');
  });
});
