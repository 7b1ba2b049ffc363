// Analysts' levers through the admin API: block/allow lists take effect on the next decision; rulesets are
// versioned, validated and activated while the server runs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './databases.ts';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from './application.ts';

const shippedRuleset = JSON.parse(readFileSync(new URL('../rules/default.json', import.meta.url), 'utf8'));

describe.each(databaseKinds)('lists and rulesets on %s', (kind) => {
  let app: TestApplication;
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.request(method, url, { key: adminKey, body });
  const authorize = async (body: object) => {
    const session = (await app.request('POST', '/v1/sessions', { body })).json();
    return (await app.request('POST', `/v1/sessions/${session.id}/authorize`)).json();
  };
  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('declines a session whose e-mail is on the block list, however it is spelled, until it is removed', async () => {
    const listed = await admin('POST', '/v1/admin/lists', {
      list: 'block',
      kind: 'email',
      value: 'Fraud.Ster+shop@GMAIL.com',
      reason: 'confirmed ring',
    });
    expect(listed.statusCode).toBe(201);
    expect(listed.json().value).toBe('fraudster@gmail.com');
    const body = sessionBody({ customer: { name: 'F. Ster', email: 'fraudster+x@gmail.com', phone: '+31687654321' } });
    const decision = await authorize(body);
    expect(decision.decision).toBe('declined');
    expect(decision.reasons.map((reason: { code: string }) => reason.code)).toContain('blocked');
    const again = await admin('POST', '/v1/admin/lists', {
      list: 'block',
      kind: 'email',
      value: 'fraudster@gmail.com',
      reason: 'dup',
    });
    expect(again.statusCode).toBe(409);
    const entries = (await admin('GET', '/v1/admin/lists?list=block')).json().data;
    expect(entries).toHaveLength(1);
    const removed = await app.request('DELETE' as 'GET', `/v1/admin/lists/${listed.json().id}`, { key: adminKey });
    expect(removed.statusCode).toBe(204);
    expect((await authorize(body)).decision).not.toBe('declined');
  });

  it('blocks an address by its normalised key', async () => {
    const address = {
      street: 'Kerkstraat',
      house_number: '12-a',
      postal_code: '1017 gc',
      city: 'Amsterdam',
      country: 'NL',
    };
    const listed = await admin('POST', '/v1/admin/lists', {
      list: 'block',
      kind: 'address',
      address,
      reason: 'drop address',
    });
    expect(listed.statusCode).toBe(201);
    const decision = await authorize(
      sessionBody({
        shipping_address: { ...address, house_number: '12A', postal_code: '1017GC' },
        merchant_reference: 'addr-1',
      }),
    );
    expect(decision.decision).toBe('declined');
    expect(
      (
        await admin('POST', '/v1/admin/lists', { list: 'block', kind: 'phone', value: 'not a phone', reason: 'x' })
      ).json().error.code,
    ).toBe('invalid_list_value');
    // An IP entry that is no address could never match a checkout: refused instead of silently listed.
    const notAnIp = await admin('POST', '/v1/admin/lists', {
      list: 'block',
      kind: 'ip',
      value: 'not-an-ip',
      reason: 'x',
    });
    expect(notAnIp.statusCode).toBe(422);
    expect(notAnIp.json().error.code).toBe('invalid_list_value');
    expect(
      (await admin('POST', '/v1/admin/lists', { list: 'block', kind: 'ip', value: ' 2001:DB8::7 ', reason: 'x' }))
        .statusCode,
    ).toBe(201);
  });

  it('stores ruleset versions immutably, refuses invalid ones, and uses the activated one for the next decision', async () => {
    const listing = (await admin('GET', '/v1/admin/rulesets')).json();
    expect(listing.data).toEqual([expect.objectContaining({ version: shippedRuleset.version, active: true })]);

    const unknownFeature = structuredClone(shippedRuleset);
    unknownFeature.version = 'broken-1';
    unknownFeature.rules[0].condition = { kind: 'cmp', feature: 'no_such_feature', op: 'eq', value: 1 };
    const refused = await admin('POST', '/v1/admin/rulesets', { ruleset: unknownFeature });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'invalid_ruleset',
      message: expect.stringContaining('no_such_feature'),
    });

    // A stricter version: every purchase above EUR 100 goes to review.
    const strict = structuredClone(shippedRuleset);
    strict.version = 'strict-1';
    strict.rules.unshift({
      id: 'review_everything_large',
      description: 'Review anything above EUR 100',
      condition: { kind: 'cmp', feature: 'cart_amount', op: 'gt', value: 10000 },
      action: 'review',
      reason: { code: 'large_order_review', message: 'We check larger orders by hand.' },
    });
    expect((await admin('POST', '/v1/admin/rulesets', { ruleset: strict })).statusCode).toBe(201);
    expect((await admin('POST', '/v1/admin/rulesets', { ruleset: strict })).json().error.code).toBe(
      'ruleset_version_exists',
    );
    const before = await authorize(sessionBody({ merchant_reference: 'rs-1' }));
    expect(before.reasons.map((reason: { code: string }) => reason.code)).not.toContain('large_order_review');
    expect((await admin('POST', '/v1/admin/rulesets/strict-1/activate')).json()).toEqual({
      version: 'strict-1',
      active: true,
    });
    const after = await authorize(sessionBody({ merchant_reference: 'rs-2' }));
    expect(after.decision).toBe('review');
    expect(after.reasons.map((reason: { code: string }) => reason.code)).toContain('large_order_review');
    const record = (await admin('GET', '/v1/admin/decisions?limit=200')).json().data.at(-1);
    expect(record.versions.ruleset).toBe('strict-1');
    expect(record.rule_results).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'hit', ruleId: 'review_everything_large' })]),
    );
    expect((await admin('POST', `/v1/admin/rulesets/${shippedRuleset.version}/activate`)).statusCode).toBe(200);
    expect((await admin('POST', '/v1/admin/rulesets/nope/activate')).statusCode).toBe(404);
  });
});
