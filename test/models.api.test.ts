// Champion / challenger through the HTTP API: shadow scores on live decisions, comparison, promote, rollback, drift.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeArtifact } from '../src/training/model.artifact.ts';
import { testArtifact } from '../src/training/model.fixtures.ts';
import { makePsiMonitor } from '../src/training/psi.monitor.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { databaseKinds } from './databases.ts';

const features = ['cart_amount', 'cart_items', 'cart_lines'];

describe.each(databaseKinds)('model registry API on %s', (kind) => {
  let application: TestApplication;
  afterEach(() => application?.close());

  async function authorize(reference: string) {
    const created = await application.request('POST', '/v1/sessions', {
      body: sessionBody({ merchant_reference: reference }),
      headers: { 'idempotency-key': reference },
    });
    expect(created.statusCode, created.body).toBe(201);
    const authorized = await application.request('POST', `/v1/sessions/${created.json().id}/authorize`);
    expect(authorized.statusCode, authorized.body).toBe(200);
    return authorized.json();
  }

  it('scores challengers in shadow, compares them, promotes and rolls back', async () => {
    application = await makeTestApplication(kind, { defaultModelPath: null });
    const registry = application.models.registry;
    const champion = await registry.register(testArtifact('champion', features));
    const challenger = await registry.register(testArtifact('challenger-b', features));
    const admin = { key: adminKey };

    const promoted = await application.request('POST', `/v1/admin/models/${champion}/promote`, admin);
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ kind: 'promoted', id: champion, serving: champion });
    expect(application.models.models.challengers().map((model) => model.version)).toEqual([challenger]);

    const decision = await authorize('order-shadow-1');
    expect(decision.decision).toBeDefined();
    const shadow = await application.database.query<{ model_id: string; champion_score: number | null }>(
      'SELECT model_id, champion_score FROM model_shadow_scores',
    );
    expect(shadow).toHaveLength(1);
    expect(shadow[0]?.model_id).toBe(challenger);
    expect(shadow[0]?.champion_score).not.toBeNull();
    const [recorded] = await application.database.query<{ versions: { model: string | null } }>(
      'SELECT versions FROM decisions',
    );
    expect(recorded?.versions.model).toBe(champion);

    const listed = await application.request('GET', '/v1/admin/models', admin);
    expect(listed.statusCode).toBe(200);
    const body = listed.json();
    expect(body.serving.version).toBe(champion);
    const challengerRow = body.versions.find((version: { id: string }) => version.id === challenger);
    expect(challengerRow.shadow).toMatchObject({ scored: 1, fraudLabelled: 0 });
    expect(challengerRow.shadow.agreement).not.toBeNull();

    expect((await application.request('POST', '/v1/admin/models/mdl_nope/promote', admin)).statusCode).toBe(404);
    const second = await application.request('POST', `/v1/admin/models/${challenger}/promote`, admin);
    expect(second.json()).toMatchObject({ previous: champion, serving: challenger });
    const rolledBack = await application.request('POST', '/v1/admin/models/rollback', admin);
    expect(rolledBack.json()).toMatchObject({ kind: 'rolled_back', from: challenger, to: champion, serving: champion });
    expect((await application.request('GET', '/v1/admin/models', { key: null })).statusCode).toBe(401);
  });

  it('serves the shipped default model while the registry has no champion', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rearguard-default-model-'));
    try {
      const path = join(directory, 'default.json');
      await writeArtifact(path, testArtifact('default', features));
      application = await makeTestApplication(kind, { defaultModelPath: path });
      expect(application.models.models.champion()?.version).toBe('default');
      await authorize('order-default-1');
      const [recorded] = await application.database.query<{ versions: { model: string | null }; score: number }>(
        'SELECT versions, score FROM decisions',
      );
      expect(recorded?.versions.model).toBe('default');
      expect(recorded?.score).toBeGreaterThanOrEqual(0);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('exposes PSI gauges and raises a drift alert when live traffic moved', async () => {
    application = await makeTestApplication(kind, { defaultModelPath: null });
    const id = await application.models.registry.register(testArtifact('drifting', features));
    await application.models.registry.promote(id);
    await application.models.models.refresh();
    for (const reference of ['order-psi-1', 'order-psi-2', 'order-psi-3']) await authorize(reference);

    const monitor = makePsiMonitor({
      database: application.database,
      models: application.models.models,
      clock: application.clock,
      ids: application.ids,
      minimumDecisions: 1,
    });
    // The baseline said amounts of 1-2 cents; live amounts are EUR 939, so the amount has drifted.
    const report = await monitor.compute();
    expect(report?.featurePsi.cart_amount).toBeGreaterThan(0.25);
    expect(report?.alerts).toContain('cart_amount');
    const alerts = await application.database.query<{ subject: string }>('SELECT subject FROM model_drift_alerts');
    expect(alerts.map((alert) => alert.subject)).toContain('cart_amount');
    // A second computation within the hour does not alert again.
    expect((await monitor.compute())?.alerts).toEqual([]);

    const metrics = await application.request('GET', '/metrics', { key: null });
    expect(metrics.body).toContain('rearguard_score_psi');
    expect(metrics.body).toContain('rearguard_feature_psi');
  });
});
