// The console's rule and model levers in chromium: edit a ruleset (errors shown by path), preview its backtest, shadow
// it on live traffic, activate it with a second person, and roll back; then compare a challenger model with the
// champion on the same live decisions, promote it with a second person and roll back. Screenshots at 1440 px.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, freePort, type AuthenticatorBrowser } from './browser.ts';
import { adminRequests, buildConsole, consoleArtifacts, openStaffDesk } from './console.desk.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { sessionBody, testConfig } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import { reviewLargeRuleset } from './review-ruleset.ts';
import { lenientArtifact, placeSmallOrders } from './small-orders.ts';

const available = chromiumAvailable('console rules and models browser test');

describe.skipIf(!available)('console rule and model levers in chromium', () => {
  let app: Application;
  const desks: AuthenticatorBrowser[] = [];
  const pages = new Map<string, Page>();
  let merchantKey: string;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));

  const admin = adminRequests(() => app);

  /** A staff member at their own desk: their own browser, passkey and enrolment link. */
  async function desk(name: string, role: 'lead' | 'admin'): Promise<Page> {
    const open = pages.get(name);
    if (open) return open;
    const browser = await openStaffDesk(app, name, role);
    desks.push(browser);
    pages.set(name, browser.page);
    return browser.page;
  }

  async function authorize(reference: string) {
    const headers = { authorization: `Bearer ${merchantKey}`, 'content-type': 'application/json' };
    const session = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers,
      payload: JSON.stringify(sessionBody({ merchant_reference: reference })),
    });
    await app.server.inject({
      method: 'POST',
      url: `/v1/sessions/${session.json().id}/authorize`,
      headers: { authorization: headers.authorization },
    });
  }

  beforeAll(async () => {
    await buildConsole();
    const port = await freePort();
    app = await makeApplication(testConfig({ PUBLIC_URL: `http://localhost:${port}` }), {
      database: await makeTestDatabase('pglite'),
      clock,
      defaultModelPath: null,
    });
    merchantKey = (await app.merchants.create('Phone Shop')).api_key;
    await authorize('history-1');
    await app.server.listen({ port, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const browser of desks) await browser.close();
    await app?.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(consoleArtifacts, `${name}.png`), fullPage: true });

  it('edits, previews, shadows, activates with a second person and rolls back a ruleset', async () => {
    const original = app.rulesets.current().version;
    const lotte = await desk('Lotte', 'lead');
    await lotte.getByRole('link', { name: 'Rules' }).click();
    await lotte.locator(`[data-ruleset="${original}"]`).getByRole('button', { name: 'Edit as new version' }).click();
    const editor = lotte.getByLabel('Ruleset document (edit the version, rules, score and thresholds)');
    await expect.poll(() => editor.inputValue()).toContain(`"version": "${original}-edit"`);

    const broken = reviewLargeRuleset('edited-1');
    broken.rules[0].action = 'explode';
    await editor.fill(JSON.stringify(broken, null, 2));
    await lotte.getByRole('button', { name: 'Validate' }).click();
    await lotte.getByLabel('Validation').getByText('rules.0.action').waitFor();
    await shot(lotte, '30-rules-editor-errors');
    await editor.fill(JSON.stringify(reviewLargeRuleset('edited-1'), null, 2));
    await lotte.getByRole('button', { name: 'Save as new version' }).click();
    await lotte.getByText('Saved edited-1 as a new version.').waitFor();

    const row = lotte.locator('[data-ruleset="edited-1"]');
    await row.getByRole('button', { name: 'Preview backtest' }).click();
    await expect.poll(() => row.getByLabel('Backtest of edited-1').textContent()).toContain('Orders replayed');
    await expect.poll(() => row.getByLabel('Backtest of edited-1').textContent()).toContain('Fraud caught in EUR');
    await expect.poll(() => row.getByLabel('Backtest of edited-1').textContent()).toContain('Reviews per hour added');

    await row.getByRole('button', { name: 'Shadow on live traffic' }).click();
    await lotte.getByText('edited-1 runs in shadow on live traffic.').waitFor();
    await authorize('live-1');
    await authorize('live-2');
    // Leave and come back: the screen reads the shadow figures afresh.
    await lotte.getByRole('link', { name: 'Lists' }).click();
    await lotte.getByRole('link', { name: 'Rules' }).click();
    const shadow = row.getByLabel('Shadow of edited-1');
    await expect.poll(() => shadow.textContent()).toMatch(/In shadow on 2 live decisions/);
    await shot(lotte, '31-rules-shadow');
    expect(app.rulesets.current().version).toBe(original);

    // Activation is offered only after a preview on this screen.
    await row.getByRole('button', { name: 'Preview backtest' }).click();
    await row.getByLabel('Backtest of edited-1').waitFor();
    await row.getByRole('button', { name: 'Request activation' }).click();
    await lotte.getByText('Activation of edited-1 is waiting for a second person.').waitFor();
    const ada = await desk('Ada', 'admin');
    await ada.getByRole('link', { name: 'Approvals' }).click();
    await ada
      .locator('[data-approval]')
      .filter({ hasText: 'Activate ruleset' })
      .getByRole('button', { name: 'Confirm' })
      .click();
    await ada.getByText('Activate ruleset edited-1: confirmed.').waitFor();
    expect(app.rulesets.current().version).toBe('edited-1');

    await lotte.getByRole('link', { name: 'Lists' }).click();
    await lotte.getByRole('link', { name: 'Rules' }).click();
    await lotte.getByRole('button', { name: 'Roll back to previous version' }).click();
    await lotte.getByText('Rolled back to the previous version.').waitFor();
    await lotte.locator(`[data-ruleset="${original}"]`).getByText('· active').waitFor();
    await shot(lotte, '32-rules-rolled-back');
    expect(app.rulesets.current().version).toBe(original);
    const trail = await app.database.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM staff_audit WHERE action LIKE '%ruleset%' ORDER BY seq",
    );
    expect(trail).toEqual([
      { actor: 'Lotte', action: 'ruleset.create' },
      { actor: 'Lotte', action: 'ruleset.shadow' },
      { actor: 'Lotte', action: 'approval.request:ruleset.activate' },
      { actor: 'Ada', action: 'approval.confirm:ruleset.activate' },
      { actor: 'Lotte', action: 'ruleset.rollback' },
    ]);
  });

  it('compares a challenger with the champion, promotes it with a second person and rolls back', async () => {
    const champion = await app.models.registry.register(lenientArtifact('champion'));
    const challenger = await app.models.registry.register(lenientArtifact('challenger-b'));
    expect((await admin('POST', `/v1/admin/models/${champion}/promote`, {})).statusCode).toBe(200);
    const request = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { body?: unknown } = {}) =>
      app.server.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${merchantKey}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
      });
    const accounts = await placeSmallOrders({ request, database: app.database }, 6);
    // Two of the six turn out to be fraud: enough for both models' curves on the same decisions.
    await app.database.query(
      `INSERT INTO labels (id, order_id, label, known_at)
       SELECT 'lbl_t' || o.id, o.id, 'fraud_third_party', now() FROM orders o WHERE o.account_id = ANY($1::text[])`,
      [accounts.slice(0, 2)],
    );

    const lotte = await desk('Lotte', 'lead');
    await lotte.getByRole('link', { name: 'Models' }).click();
    const row = lotte.locator(`[data-model="${challenger}"]`);
    const comparison = row.getByLabel(`Champion vs ${challenger}`);
    await expect.poll(() => comparison.textContent()).toContain('Scored in shadow on 6 live decisions');
    await row.getByRole('img', { name: 'ROC curve' }).waitFor();
    await row.getByRole('img', { name: 'Precision-recall curve' }).waitFor();
    expect(await row.locator('polyline[data-series="champion"]').count()).toBe(2);
    await row.getByLabel(`Metrics of ${challenger}`).getByText('validation roc_auc: 0.900').waitFor();
    await shot(lotte, '33-models');
    await row.getByRole('button', { name: 'Request promotion' }).click();
    await lotte.getByText(`Promotion of ${challenger} is waiting for a second person.`).waitFor();
    expect(app.models.models.champion()?.version).toBe(champion);

    const ada = await desk('Ada', 'admin');
    await ada.getByRole('link', { name: 'Queue' }).click();
    await ada.getByRole('link', { name: 'Approvals' }).click();
    const approval = ada.locator('[data-approval]').filter({ hasText: 'Promote model' });
    await approval.getByRole('button', { name: 'Confirm' }).click();
    await ada.getByText(`Promote model ${challenger}: confirmed.`).waitFor();
    expect(app.models.models.champion()?.version).toBe(challenger);

    await lotte.getByRole('link', { name: 'Lists' }).click();
    await lotte.getByRole('link', { name: 'Models' }).click();
    await lotte.getByText(`Serving: ${challenger}`).waitFor();
    await lotte.getByRole('button', { name: 'Roll back champion' }).click();
    await lotte.getByText('Rolled back the champion.').waitFor();
    await lotte.getByText(`Serving: ${champion}`).waitFor();
    await shot(lotte, '34-models-rolled-back');
    expect(app.models.models.champion()?.version).toBe(champion);
  });
});
