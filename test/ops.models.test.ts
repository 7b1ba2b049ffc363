// The model registry on the desk through /v1/ops, on PGlite and PostgreSQL: a challenger scored in shadow beside the
// champion on the same live decisions (agreement, curves once fraud is labelled), promotion by four eyes, rollback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, type TestApplication } from './application.ts';
import { makeStaffDesk } from './staff.desk.ts';
import { lenientArtifact, placeSmallOrders } from './small-orders.ts';

describe.each(databaseKinds)('model registry on the desk (%s)', (kind) => {
  let app: TestApplication;
  const desk = makeStaffDesk(() => app);
  let champion: string;
  let challenger: string;

  beforeAll(async () => {
    app = await makeTestApplication(kind, { defaultModelPath: null });
    champion = await app.models.registry.register(lenientArtifact('champion'));
    challenger = await app.models.registry.register(lenientArtifact('challenger-b'));
    const promoted = await app.request('POST', `/v1/admin/models/${champion}/promote`, { key: adminKey });
    expect(promoted.statusCode).toBe(200);
    await desk.hire('Lotte', 'lead');
    await desk.hire('Ada', 'admin');
    await desk.hire('Bram', 'analyst');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the challenger against the champion on the same live decisions, with curves once fraud is known', async () => {
    const accounts = await placeSmallOrders(app, 6);
    const before = (await desk.as('Bram', 'GET', '/v1/ops/models')).json();
    expect(before.serving).toBe(champion);
    const row = before.versions.find((version: { id: string }) => version.id === challenger);
    expect(row.metrics).toEqual({ validation: { roc_auc: 0.9 } });
    expect(row.shadow).toMatchObject({ scored: 6, fraud_labelled: 0, challenger_curves: null });
    expect(row.shadow.agreement).not.toBeNull();

    // Two of them turn out to be fraud (marked from the desk, as an analyst would).
    const marked = await desk.as('Bram', 'POST', '/v1/ops/graph/mark-fraud', {
      accounts: accounts.slice(0, 2),
      note: 'not their orders',
    });
    expect(marked.statusCode).toBe(200);
    const after = (await desk.as('Bram', 'GET', '/v1/ops/models')).json();
    const shadow = after.versions.find((version: { id: string }) => version.id === challenger).shadow;
    expect(shadow.fraud_labelled).toBe(2);
    expect(shadow.roc_auc).toEqual(expect.any(Number));
    for (const curves of [shadow.challenger_curves, shadow.champion_curves]) {
      expect(curves).toMatchObject({ decisions: 6, fraud: 2 });
      expect(curves.roc[0]).toEqual({ x: 0, y: 0 });
      expect(curves.roc.at(-1)).toEqual({ x: 1, y: 1 });
      // The tiny test ensemble ties many scores: a curve may have a single precision-recall point.
      expect(curves.pr.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('promotes only when a second person confirms, and rolls back at once, audited', async () => {
    expect((await desk.as('Bram', 'POST', `/v1/ops/models/${challenger}/promote`)).statusCode).toBe(403);
    expect((await desk.as('Lotte', 'POST', '/v1/ops/models/mdl_nope/promote')).statusCode).toBe(404);
    const requested = await desk.as('Lotte', 'POST', `/v1/ops/models/${challenger}/promote`);
    expect(requested.statusCode).toBe(202);
    expect(app.models.models.champion()?.version).toBe(champion);
    expect((await desk.as('Lotte', 'POST', `/v1/ops/approvals/${requested.json().id}/confirm`)).statusCode).toBe(403);
    const confirmed = await desk.as('Ada', 'POST', `/v1/ops/approvals/${requested.json().id}/confirm`);
    expect(confirmed.statusCode).toBe(200);
    expect(app.models.models.champion()?.version).toBe(challenger);

    const rolledBack = await desk.as('Lotte', 'POST', '/v1/ops/models/rollback');
    expect(rolledBack.json()).toEqual({ from: challenger, to: champion, serving: champion });
    expect(app.models.models.champion()?.version).toBe(champion);
    const trail = await app.database.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM staff_audit WHERE action LIKE '%model%' ORDER BY seq",
    );
    expect(trail).toEqual([
      { actor: 'Lotte', action: 'approval.request:model.promote' },
      { actor: 'Ada', action: 'approval.confirm:model.promote' },
      { actor: 'Lotte', action: 'model.rollback' },
    ]);
  });
});
