// The console's entity graph and list screens in chromium: find a planted ring from its one shared device, expand and
// collapse a node, slide through time, mark the ring as fraud and act on its drop address at once; then add a
// block-list entry with an expiry. Screenshots at 1440 px in test-artifacts/console.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, freePort, type AuthenticatorBrowser } from './browser.ts';
import { buildConsole, consoleArtifacts, openStaffDesk } from './console.desk.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import { testConfig, postImport } from './application.ts';
import { makeTestDatabase } from './databases.ts';
import { dropAddress, ringDevice, ringHistory, ringMembers } from './graph.ring.ts';
import { normaliseAddress } from '../src/risk/normalise/address.normaliser.ts';

const available = chromiumAvailable('console graph browser test');

describe.skipIf(!available)('console entity graph and lists in chromium', () => {
  let app: Application;
  let browser: AuthenticatorBrowser | undefined;
  let page: Page;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));

  beforeAll(async () => {
    await buildConsole();
    const port = await freePort();
    const baseUrl = `http://localhost:${port}`;
    app = await makeApplication(testConfig({ PUBLIC_URL: baseUrl }), {
      database: await makeTestDatabase('pglite'),
      clock,
      defaultModelPath: null,
    });
    const imported = await postImport(app.server, ringHistory());
    expect(imported.json()).toMatchObject({ rejected: [] });
    await app.server.listen({ port, host: '127.0.0.1' });
    browser = await openStaffDesk(app, 'Ada', 'analyst');
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(consoleArtifacts, `${name}.png`), fullPage: true });

  it('finds the ring from its one shared device, marks it and acts on its drop address at once', async () => {
    await page.getByRole('link', { name: 'Graph' }).click();
    await page.getByLabel('Identifier (e-mail, phone, device, IP, address key, IBAN, account, order)').fill(ringDevice);
    await page.getByLabel('Depth').selectOption('1');
    await page.getByRole('button', { name: 'Search graph' }).click();
    const accounts = page.getByLabel('Accounts in the graph');
    await expect.poll(() => accounts.locator('li').allTextContents()).toHaveLength(ringMembers.length);
    for (const name of ringMembers) await accounts.getByText(name).waitFor();
    // Cytoscape holds every entity of the answer: the ring's accounts, orders, device, IPs and addresses.
    const canvas = page.getByRole('img', { name: 'Entity graph' });
    const drawn = async () => Number(await canvas.getAttribute('data-drawn-nodes'));
    await expect.poll(drawn).toBeGreaterThan(ringMembers.length * 2);
    const atDepthOne = await drawn();
    await page.getByText(/Cut short at depth 1/).waitFor();
    const clusters = page.getByLabel('Drop-address clusters');
    await clusters.getByText('Kerkstraat 5, Utrecht').waitFor();
    await expect.poll(() => clusters.locator('li').count()).toBe(1);
    await shot('20-graph-ring');

    // Expand one member: the pick-up point's honest users come in; collapse takes them out again.
    await accounts.locator('li').filter({ hasText: 'Bas Jansen' }).getByRole('button', { name: 'Show' }).click();
    const selected = page.getByLabel('Selected entity');
    await selected.getByRole('button', { name: 'Expand' }).click();
    await expect.poll(drawn).toBeGreaterThan(atDepthOne);
    await shot('21-graph-expanded');
    await selected.getByRole('button', { name: 'Collapse' }).click();
    await expect.poll(drawn).toBe(atDepthOne);

    // The time slider at its first day shows only what was seen by then.
    await page.getByRole('slider', { name: 'Time' }).fill('0');
    await expect.poll(drawn).toBeLessThan(atDepthOne);
    await shot('22-graph-time-slider');
    await page.getByRole('slider', { name: 'Time' }).fill('99');
    await expect.poll(drawn).toBe(atDepthOne);

    await clusters.getByRole('button', { name: 'Select its accounts' }).click();
    await page.getByLabel('Note', { exact: true }).fill('one device, one drop address');
    await page.getByRole('button', { name: 'Mark selected as confirmed fraud' }).click();
    await page.getByText('Marked 4 accounts as confirmed fraud (4 orders labelled).').waitFor();
    await expect.poll(() => accounts.getByText('fraud').count()).toBe(ringMembers.length);

    await clusters.getByLabel('Reason').fill('drop-address ring');
    await clusters.getByRole('button', { name: 'Block and hold all' }).click();
    await page.getByText('Cluster at Kerkstraat 5, Utrecht: 2 entries block-listed, 4 shipments held.').waitFor();
    await shot('23-graph-cluster-acted');
    expect(app.lists.lists.block.has('address', normaliseAddress(dropAddress).key)).toBe(true);
    expect(app.lists.lists.block.has('device', ringDevice)).toBe(true);
    const trail = await app.database.query<{ action: string; n: string | number }>(
      "SELECT action, count(*) AS n FROM staff_audit WHERE actor = 'Ada' GROUP BY action ORDER BY action",
    );
    expect(trail.map((row) => [row.action, Number(row.n)])).toEqual([
      ['graph.mark_fraud', 4],
      ['list.add', 2],
      ['order.hold_shipment', 4],
    ]);
  });

  it('adds a block-list entry with an expiry and removes it', async () => {
    await page.getByRole('link', { name: 'Lists' }).click();
    const entries = page.getByLabel('List entries');
    await entries.getByText(ringDevice).waitFor();
    await page.getByLabel('Kind').selectOption('email');
    await page.getByLabel('Value').fill('Mule@Example.nl');
    await page.getByLabel('Reason').fill('money mule');
    await page.getByLabel('Expires').fill('2026-12-01T09:00');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.getByText('Listed email mule@example.nl on the block list.').waitFor();
    const row = entries.locator('tr').filter({ hasText: 'mule@example.nl' });
    await row.getByText('money mule').waitFor();
    await shot('24-lists');
    const [stored] = await app.database.query<{ expires_at: Date | null }>(
      "SELECT expires_at FROM list_entries WHERE value = 'mule@example.nl' AND removed_at IS NULL",
    );
    expect(stored?.expires_at).toBeInstanceOf(Date);
    expect(app.lists.lists.block.has('email', 'mule@example.nl')).toBe(true);
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Removed email mule@example.nl.').waitFor();
    expect(app.lists.lists.block.has('email', 'mule@example.nl')).toBe(false);
  });
});
