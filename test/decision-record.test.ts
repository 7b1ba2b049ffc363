// The compact decision record: features stored as a vector of a named catalogue version, only the rules that hit;
// every reader sees features by name, and records stored before (or by another catalogue) read the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';
import { featureCatalogue } from '../src/risk/features/feature.catalogue.ts';
import { featureCatalogueVersion } from '../src/checkout/decision-record.codec.ts';

describe.each(databaseKinds)('compact decision record on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });
  const decisionRecords = async () =>
    (await app.request('GET', '/v1/admin/decisions?limit=200', { key: adminKey })).json().data as Array<{
      id: string;
      features: Record<string, unknown>;
      rule_results: Array<{ kind: string; ruleId: string }>;
    }>;

  it('stores a vector and the hits, and reads features by name for every record, old or new', async () => {
    const session = (await app.request('POST', '/v1/sessions', { body: sessionBody() })).json();
    const authorized = await app.request('POST', `/v1/sessions/${session.id}/authorize`);
    expect(authorized.statusCode).toBe(200);

    const [stored] = await app.database.query<{ id: string; features: unknown; rule_results: unknown[] }>(
      'SELECT id, features, rule_results FROM decisions WHERE session_id = $1',
      [session.id],
    );
    const vector = stored!.features as { catalogue: string; values: unknown[]; absent?: number[] };
    expect(vector.catalogue).toBe(featureCatalogueVersion);
    expect(vector.values).toHaveLength(featureCatalogue.length);
    expect(stored!.rule_results.every((result) => (result as { kind: string }).kind !== 'no_hit')).toBe(true);
    const [catalogue] = await app.database.query<{ names: string[] }>(
      'SELECT names FROM feature_catalogues WHERE version = $1',
      [featureCatalogueVersion],
    );
    expect(catalogue!.names).toEqual(featureCatalogue.map((feature) => feature.name));

    const live = (await decisionRecords()).find((record) => record.id === stored!.id)!;
    // By name again: every catalogue name but those the decision had no value for.
    const absent = new Set(vector.absent ?? []);
    expect(Object.keys(live.features).sort()).toEqual(
      featureCatalogue
        .map((feature) => feature.name)
        .filter((_, index) => !absent.has(index))
        .sort(),
    );
    expect(Object.keys(live.features).length).toBeGreaterThan(200);

    // A record written before the compact form: every feature by name and every rule's result, misses included.
    const named = live.features;
    const withMisses = [...live.rule_results, { kind: 'no_hit', ruleId: 'some_rule' }];
    await app.database.query(
      `INSERT INTO decisions (id, session_id, merchant_id, account_id, outcome, reasons, score, features, rule_results,
         challenge_options, versions, input, latency_us, decided_at)
       SELECT 'dec_before_compact', session_id, merchant_id, account_id, outcome, reasons, score, $1, $2,
         challenge_options, versions, input, latency_us, decided_at FROM decisions WHERE id = $3`,
      [JSON.stringify(named), JSON.stringify(withMisses), stored!.id],
    );
    // And one stored by another build whose catalogue had other names.
    await app.database.query(
      `INSERT INTO feature_catalogues (version, names) VALUES ('older0000000000', '["amount_eur", "email_is_new"]')`,
    );
    await app.database.query(
      `INSERT INTO decisions (id, session_id, merchant_id, account_id, outcome, reasons, score, features, rule_results,
         challenge_options, versions, input, latency_us, decided_at)
       SELECT 'dec_older_catalogue', session_id, merchant_id, account_id, outcome, reasons, score, $1, '[]',
         challenge_options, versions, input, latency_us, decided_at FROM decisions WHERE id = $2`,
      [JSON.stringify({ catalogue: 'older0000000000', values: [49.95, true] }), stored!.id],
    );
    const records = await decisionRecords();
    const before = records.find((record) => record.id === 'dec_before_compact')!;
    expect(before.features).toEqual(live.features);
    expect(before.rule_results).toEqual(withMisses);
    expect(records.find((record) => record.id === 'dec_older_catalogue')!.features).toEqual({
      amount_eur: 49.95,
      email_is_new: true,
    });
  });
});
