// Live monitoring in the console, in chromium: charts that move while `rearguard replay` plays a simulated world
// against the server, an alert raised by a rule, acknowledged, an emergency lever pulled from it that steps up the
// next new-address order, and the lever ending by itself. Screenshots at 1440 px in test-artifacts/console.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, freePort, type AuthenticatorBrowser } from './browser.ts';
import { buildConsole, consoleArtifacts, openStaffDesk } from './console.desk.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { sessionBody, testConfig } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import { runSimulateCommand } from '../src/simulation/simulate.command.ts';
import { runReplayCommand } from '../src/simulation/replay.command.ts';

const week = 7 * 24 * 60 * 60 * 1000;

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

const available = chromiumAvailable('console monitoring browser test');

describe.skipIf(!available)('console live monitoring in chromium', () => {
  let app: Application;
  let browser: AuthenticatorBrowser | undefined;
  let page: Page;
  let baseUrl: string;
  let merchant: { id: string; api_key: string };
  let directory: string;
  let orderNumber = 0;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));

  /** A new customer's small order, shipped to an address no account has: approved unless a lever says otherwise. */
  async function order() {
    orderNumber += 1;
    const headers = { authorization: `Bearer ${merchant.api_key}`, 'content-type': 'application/json' };
    const address = {
      street: 'Singel',
      house_number: String(orderNumber),
      postal_code: '1015AB',
      city: 'Amsterdam',
      country: 'NL',
    };
    const session = await app.server.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers,
      payload: JSON.stringify(
        sessionBody({
          amount: { value: 2_500, currency: 'EUR' },
          merchant_reference: `live-${orderNumber}`,
          lines: [{ name: 'Cable', quantity: 1, unit_price: 2_500 }],
          customer: {
            name: `Koper ${orderNumber}`,
            email: `koper${orderNumber}@example.nl`,
            phone: `+3161000${String(1000 + orderNumber)}`,
          },
          billing_address: address,
          shipping_address: address,
          device: { id: `dev-live-${orderNumber}`, ip: `192.0.2.${orderNumber}`, user_agent: 'Mozilla/5.0' },
        }),
      ),
    });
    const authorized = await app.server.inject({
      method: 'POST',
      url: `/v1/sessions/${session.json().id}/authorize`,
      headers: { authorization: headers.authorization },
    });
    return authorized.json() as { decision_id: string; decision: string; reasons: { code: string }[] };
  }

  beforeAll(async () => {
    await buildConsole();
    directory = await mkdtemp(join(tmpdir(), 'rearguard-live-'));
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    // demo: the development bank is there, so a step-up has a proof to ask for even from a new customer.
    app = await makeApplication(testConfig({ PUBLIC_URL: baseUrl }), {
      database: await makeTestDatabase('pglite'),
      clock,
      defaultModelPath: null,
      demo: true,
    });
    merchant = await app.merchants.create('Phone Shop');
    // Last week's traffic, for the dashed line to compare with.
    clock.set(Date.parse('2026-11-02T10:00:00Z') - week);
    for (let index = 0; index < 3; index++) expect((await order()).decision).toBe('approved');
    clock.set(Date.parse('2026-11-02T10:00:00Z'));
    expect((await order()).decision).toBe('approved');
    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await openStaffDesk(app, 'Ada', 'admin');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(consoleArtifacts, `${name}.png`), fullPage: true });

  it('shows the monitoring charts moving while a simulated world is replayed against the server', async () => {
    await page.getByRole('link', { name: 'Monitoring', exact: true }).click();
    const headline = page.locator('.headline');
    await headline.waitFor();
    await expect.poll(() => headline.getAttribute('data-total')).toBe('1');
    for (const chart of [
      'Decisions per minute by outcome',
      'Decision latency (ms)',
      'Webhook and notification backlog',
    ])
      await page.locator(`[data-chart="${chart}"] svg`).waitFor();
    await page.locator('.live.on').waitFor();

    const file = join(directory, 'world.ndjson');
    expect(
      await runSimulateCommand(['--orders', '10', '--seed', '3', '--out', file, '--quiet'], {
        stdout: sink(),
        stderr: sink(),
      }),
    ).toBe(0);
    const replayed = await runReplayCommand(
      [file, '--url', baseUrl, '--key', merchant.api_key, '--rate', '20', '--limit', '8', '--quiet'],
      {
        stdout: sink(),
        stderr: sink(),
      },
    );
    expect(replayed).toBe(0);
    // No reload: the server pushes the new picture and the charts redraw.
    await expect.poll(() => headline.getAttribute('data-total'), { timeout: 15_000 }).toBe('9');
    expect(Number(await page.locator('.monitoring').getAttribute('data-updates'))).toBeGreaterThan(1);
    const lastWeekLine = await page.locator('[data-series="last week (all)"]').getAttribute('points');
    expect(lastWeekLine).toBeTruthy();
    await shot('21-monitoring-live');
    // One merchant's picture: an unknown merchant has no decisions.
    await page.getByLabel('Merchant').fill('mer_nobody');
    await page.getByLabel('Merchant').press('Enter');
    await expect.poll(() => headline.getAttribute('data-total')).toBe('0');
    await page.getByLabel('Merchant').fill(merchant.id);
    await page.getByLabel('Merchant').press('Enter');
    await expect.poll(() => headline.getAttribute('data-total')).toBe('9');
  });

  it('raises an alert from a rule, acknowledges it, pulls a lever that steps up the next order, and sees it end', async () => {
    await page.getByRole('link', { name: 'Thresholds & levers', exact: true }).click();
    await page.getByLabel('Name').fill('Busy Phone Shop');
    await page.getByLabel('Series').selectOption('decisions');
    await page.getByLabel('Merchant (empty: all)').fill(merchant.id);
    await page.locator('.rule-form').getByLabel('New-address orders only').check();
    await page.getByLabel('Kind').selectOption('threshold');
    await page.getByLabel('Alert at').fill('5');
    await page.getByLabel('Minimum events').fill('1');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.locator('[data-alert-rule]').filter({ hasText: 'Busy Phone Shop' }).waitFor();

    await page.getByRole('button', { name: 'Evaluate now' }).click();
    await page.getByText('Evaluated: 1 alert(s) raised.').waitFor();
    const alert = page.locator('[data-rule-alert]').filter({ hasText: 'Busy Phone Shop: decisions was' });
    await alert.waitFor();
    await shot('22-alert-rule-raised');
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await alert.getByText('Acknowledged').waitFor();

    await alert.getByRole('button', { name: 'Emergency lever…' }).click();
    expect(await alert.getByLabel('Merchant').inputValue()).toBe(merchant.id);
    expect(await alert.getByLabel('New-address orders only').isChecked()).toBe(true);
    await alert.getByLabel('For minutes').fill('120');
    await alert.getByRole('button', { name: 'Pull lever' }).click();
    const lever = page.locator('[data-lever]').filter({ hasText: 'active' });
    await lever.waitFor();
    await expect.poll(() => lever.textContent()).toContain('new-address orders');
    await shot('23-lever-pulled');

    const stepped = await order();
    expect(stepped.decision).toBe('step_up');
    expect(stepped.reasons.map((reason) => reason.code)).toContain('emergency_lever_step_up');
    await page.getByRole('link', { name: 'Decisions', exact: true }).click();
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`[data-decision="${stepped.decision_id}"]`);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('step_up');
    await expect.poll(() => row.textContent()).toMatch(/emergency_lever_lev_/);
    await shot('24-decision-under-lever');

    // Two hours later the lever has stopped acting; the scheduled round records that it ended.
    clock.advance(121 * 60_000);
    expect((await order()).decision).toBe('approved');
    await app.monitoring.alertRules.evaluate();
    await page.getByRole('link', { name: 'Thresholds & levers', exact: true }).click();
    await page.locator('[data-lever]').filter({ hasText: 'expired (clock)' }).waitFor();
    await page.locator('[data-rule-alert]').first().getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Alert resolved.').waitFor();
    await shot('25-lever-expired-alert-resolved');
  });
});
