// Ruleset levers on the desk through /v1/ops, on PGlite and PostgreSQL: edit with validation errors by path, shadow a
// version on live traffic (answers unchanged, would-be outcomes stored, disagreements counted), roll back. Audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { makeStaffDesk } from './staff.desk.ts';
import { reviewLargeRuleset, shippedRuleset } from './review-ruleset.ts';

describe.each(databaseKinds)('ruleset editing, shadow and rollback on the desk (%s)', (kind) => {
  let app: TestApplication;
  const desk = makeStaffDesk(() => app);

  beforeAll(async () => {
    app = await makeTestApplication(kind);
    await desk.hire('Lotte', 'lead');
    await desk.hire('Ada', 'admin');
    await desk.hire('Bram', 'analyst');
  });
  afterAll(async () => {
    await app?.close();
  });

  async function authorize(reference: string) {
    const session = await app.request('POST', '/v1/sessions', { body: sessionBody({ merchant_reference: reference }) });
    const authorized = await app.request('POST', `/v1/sessions/${session.json().id}/authorize`);
    expect(authorized.statusCode).toBe(200);
    return authorized.json().decision as string;
  }

  it('shows validation errors by path and stores an edited version only when valid, for leads', async () => {
    const broken = structuredClone(shippedRuleset);
    broken.version = 'broken-1';
    broken.rules[0].action = 'explode';
    broken.rules[1].condition = { kind: 'cmp', feature: 'no_such_feature', op: 'gt', value: 1 };
    const checked = await desk.as('Bram', 'POST', '/v1/ops/rulesets/validate', { ruleset: broken });
    expect(checked.statusCode).toBe(200);
    expect(checked.json().valid).toBe(false);
    expect(checked.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'rules.0.action' })]),
    );
    const stored = await desk.as('Lotte', 'POST', '/v1/ops/rulesets', { ruleset: broken });
    expect(stored.statusCode).toBe(422);
    expect(stored.json().error.code).toBe('invalid_ruleset');

    const edited = reviewLargeRuleset('review-large-shadow');
    expect((await desk.as('Bram', 'POST', '/v1/ops/rulesets', { ruleset: edited })).statusCode).toBe(403);
    const created = await desk.as('Lotte', 'POST', '/v1/ops/rulesets', { ruleset: edited, note: 'hold big orders' });
    expect(created.statusCode).toBe(201);
    expect((await desk.as('Lotte', 'POST', '/v1/ops/rulesets', { ruleset: edited })).json().error.code).toBe(
      'ruleset_version_exists',
    );
    const read = await desk.as('Bram', 'GET', '/v1/ops/rulesets/review-large-shadow');
    expect(read.json().body.rules[0].id).toBe('review_large');
    const preview = await desk.as('Bram', 'POST', '/v1/ops/rulesets/review-large-shadow/backtest');
    expect(preview.statusCode).toBe(200);
    // No history yet: nothing caught, nothing added, but the figures are there for the screen.
    expect(preview.json().money).toMatchObject({ fraudCaughtCents: 0, fraudTotalCents: 0, reviews: 0 });
    expect((await desk.as('Bram', 'POST', '/v1/ops/rulesets/validate', { ruleset: read.json().body })).json()).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('shadows a version on live traffic: answers unchanged, would-be outcomes stored beside each decision', async () => {
    const active = app.rulesets.current().version;
    const before = await authorize('shadow-0');
    const started = await desk.as('Lotte', 'POST', '/v1/ops/rulesets/review-large-shadow/shadow');
    expect(started.json()).toEqual({ shadow: 'review-large-shadow' });
    const answers = [await authorize('shadow-1'), await authorize('shadow-2')];
    // The active ruleset still answers: the same outcome as before the shadow started.
    expect(answers).toEqual([before, before]);
    expect(app.rulesets.current().version).toBe(active);
    const stored = await app.database.query<{ outcome: string; active_outcome: string; rule_hits: string[] }>(
      'SELECT outcome, active_outcome, rule_hits FROM ruleset_shadow_outcomes ORDER BY decided_at',
    );
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row).toMatchObject({ outcome: 'review', active_outcome: before });
      expect(row.rule_hits).toContain('review_large');
    }
    const comparison = (await desk.as('Bram', 'GET', '/v1/ops/rulesets/review-large-shadow/shadow')).json();
    expect(comparison).toMatchObject({ decisions: 2, agreed: before === 'review' ? 2 : 0 });
    if (before !== 'review') {
      expect(comparison.disagreements).toEqual([{ active: before, shadow: 'review', decisions: 2 }]);
    }
    const listed = (await desk.as('Bram', 'GET', '/v1/ops/rulesets')).json().data as {
      version: string;
      shadow: boolean;
    }[];
    expect(listed.find((row) => row.version === 'review-large-shadow')?.shadow).toBe(true);
    // Found by the API fuzz: a well-formed cursor holding year 0000 failed in the query (500), now a 400.
    const yearZero = Buffer.from(JSON.stringify(['0000-01-01T00:00:00Z', 'x'])).toString('base64url');
    const refused = await desk.as('Bram', 'GET', `/v1/ops/rulesets?cursor=${yearZero}`);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('invalid_cursor');

    expect((await desk.as('Lotte', 'POST', '/v1/ops/rulesets/shadow/stop')).statusCode).toBe(200);
    await authorize('shadow-3');
    expect(await app.database.query('SELECT decision_id FROM ruleset_shadow_outcomes')).toHaveLength(2);
  });

  it('activates with four eyes and rolls back to the version active before, audited', async () => {
    const original = app.rulesets.current().version;
    expect((await desk.as('Lotte', 'POST', '/v1/ops/rulesets/rollback')).json().error.code).toBe('no_previous_ruleset');
    const request = await desk.as('Lotte', 'POST', '/v1/ops/rulesets/review-large-shadow/activate');
    expect(request.statusCode).toBe(202);
    await desk.as('Ada', 'POST', `/v1/ops/approvals/${request.json().id}/confirm`);
    expect(app.rulesets.current().version).toBe('review-large-shadow');
    expect(await authorize('after-activate')).toBe('review');

    expect((await desk.as('Bram', 'POST', '/v1/ops/rulesets/rollback')).statusCode).toBe(403);
    const rolledBack = await desk.as('Lotte', 'POST', '/v1/ops/rulesets/rollback');
    expect(rolledBack.json()).toEqual({ from: 'review-large-shadow', active_version: original });
    expect(app.rulesets.current().version).toBe(original);
    const trail = await app.database.query<{ action: string; before: unknown; after: unknown }>(
      "SELECT action, before, after FROM staff_audit WHERE action LIKE '%ruleset.%' ORDER BY seq",
    );
    expect(trail.map((row) => row.action)).toEqual([
      'ruleset.create',
      'ruleset.shadow',
      'ruleset.shadow_stop',
      'approval.request:ruleset.activate',
      'approval.confirm:ruleset.activate',
      'ruleset.rollback',
    ]);
    expect(trail.at(-1)).toMatchObject({
      before: { active: 'review-large-shadow' },
      after: { active: original },
    });
  });
});
