// Input that is well-formed but wrong: rules nested thousands deep, inverted thresholds, carts that do not add up,
// currencies not sold in, overpayments and payments dated in the future. Each is a 4xx with a stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sessionBody, type TestApplication } from '../application.ts';
import { databaseKinds } from '../databases.ts';
import { approvedOrder, makeProtectionTestApplication } from '../protection.helpers.ts';
import { checkRuleset } from '../../src/risk/rules/ruleset.loader.ts';

const processorKey = 'test-processor-key-0123456789';

function ruleset(condition: unknown, thresholds = { stepUp: 0.5, review: 0.8, decline: 0.95 }) {
  return {
    version: `hardening-${Math.random().toString(36).slice(2, 8)}`,
    rules: [
      {
        id: 'deep',
        description: 'nested',
        condition,
        action: 'review',
        reason: { code: 'deep', message: 'Checked by hand.' },
      },
    ],
    score: { items: [], scale: 1 },
    thresholds: { ...thresholds, stepUpWhenProviderUnavailable: 0.3 },
  };
}

function nestedNot(depth: number): unknown {
  let condition: unknown = { kind: 'cmp', feature: 'cart_amount', op: 'gte', value: 1 };
  for (let level = 0; level < depth; level++) condition = { kind: 'not', condition };
  return condition;
}

function nestedAll(depth: number): unknown {
  let condition: unknown = { kind: 'exists', feature: 'cart_amount' };
  for (let level = 0; level < depth; level++) condition = { kind: 'all', conditions: [condition] };
  return condition;
}

describe('rule schema limits', () => {
  it('refuses conditions nested 100,000 deep without blowing the stack', () => {
    const check = checkRuleset(ruleset(nestedAll(100_000)));
    expect(check).toEqual({ kind: 'invalid', errors: ['rules: conditions nest deeper than 32 levels'] });
  });

  it('accepts 32 levels and refuses 33', () => {
    expect(checkRuleset(ruleset(nestedNot(31))).kind).toBe('ok');
    expect(checkRuleset(ruleset(nestedNot(32))).kind).toBe('invalid');
  });

  it.each([
    [{ stepUp: 0.9, review: 0.8, decline: 0.95 }, 'stepUp'],
    [{ stepUp: 0.5, review: 0.97, decline: 0.95 }, 'review'],
    [{ stepUp: 0.2, review: 0.8, decline: 0.95 }, 'stepUpWhenProviderUnavailable'],
  ])('refuses inverted thresholds %j', (thresholds, field) => {
    const check = checkRuleset(ruleset({ kind: 'exists', feature: 'cart_amount' }, thresholds));
    expect(check.kind).toBe('invalid');
    expect(check.kind === 'invalid' && check.errors.join(' ')).toContain(`thresholds.${field}`);
  });
});

describe.each(databaseKinds)('well-formed but wrong input over HTTP (%s)', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, { PAYMENT_PROCESSOR_KEY: processorKey, CURRENCIES: 'EUR,GBP' });
  });
  afterAll(async () => {
    await app.close();
  });

  const storeRuleset = (body: unknown) =>
    app.request('POST', '/v1/admin/rulesets', { key: adminKey, body: { ruleset: body } });

  it('answers a deeply nested or inverted ruleset with a 4xx code', async () => {
    const deep = await storeRuleset(ruleset(nestedNot(40)));
    expect(deep.statusCode).toBe(422);
    expect(deep.json().error).toMatchObject({ code: 'invalid_ruleset' });
    // Built as text: even JSON.stringify would run out of stack on it.
    const rulesetText = JSON.stringify(ruleset('CONDITION')).replace(
      '"CONDITION"',
      `${'{"kind":"all","conditions":['.repeat(5000)}{"kind":"exists","feature":"cart_amount"}${']}'.repeat(5000)}`,
    );
    const thousands = await app.request('POST', '/v1/admin/rulesets', {
      key: adminKey,
      body: `{"ruleset":${rulesetText}}`,
    });
    expect(thousands.statusCode).toBe(400);
    expect(thousands.json().error.code).toBe('nesting_too_deep');
    const inverted = await storeRuleset(
      ruleset({ kind: 'exists', feature: 'cart_amount' }, { stepUp: 0.9, review: 0.5, decline: 0.4 }),
    );
    expect(inverted.statusCode).toBe(422);
    expect(inverted.json().error.message).toContain('stepUp (0.9) must not be above review (0.5)');
  });

  it('refuses cart lines that do not add up to the amount', async () => {
    const response = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ lines: [{ name: 'Phone', quantity: 1, unit_price: 100 }] }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_request', field: 'lines' });
    const split = await app.request('POST', '/v1/sessions', {
      body: sessionBody({
        lines: [
          { name: 'Phone', quantity: 1, unit_price: 93000 },
          { name: 'Shipping', quantity: 2, unit_price: 450 },
        ],
      }),
    });
    expect(split.statusCode).toBe(201);
  });

  it('refuses a birth date in year 0000 at checkout, as the import does', async () => {
    const body = sessionBody();
    const response = await app.request('POST', '/v1/sessions', {
      body: { ...body, customer: { ...body.customer, date_of_birth: '0000-01-01' } },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'invalid_request', field: 'customer.date_of_birth' });
  });

  it('sells only in the configured currencies', async () => {
    const lines = [{ name: 'Phone', quantity: 1, unit_price: 93900 }];
    const usd = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ amount: { value: 93900, currency: 'USD' }, lines }),
    });
    expect(usd.statusCode).toBe(400);
    expect(usd.json().error).toMatchObject({ code: 'invalid_request', field: 'amount.currency' });
    const gbp = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ amount: { value: 93900, currency: 'GBP' }, lines, merchant_reference: 'gbp-1' }),
    });
    expect(gbp.statusCode).toBe(201);
  });

  it('refuses an overpayment and a payment dated in the future; the invoice is unchanged', async () => {
    const { invoiceId } = await approvedOrder(app, { merchant_reference: 'overpay-1' });
    const pay = (body: unknown) =>
      app.request('POST', `/v1/invoices/${invoiceId}/payments`, { key: processorKey, body });
    const over = await pay({ amount: { value: 93901, currency: 'EUR' }, reference: 'psp-over-1' });
    expect(over.statusCode).toBe(422);
    expect(over.json().error).toMatchObject({ code: 'overpayment', outstanding: { value: 93900, currency: 'EUR' } });
    const future = await pay({
      amount: { value: 100, currency: 'EUR' },
      reference: 'psp-future-1',
      received_at: new Date(app.clock.now() + 30 * 86_400_000).toISOString(),
    });
    expect(future.statusCode).toBe(422);
    expect(future.json().error).toMatchObject({ code: 'received_in_future', field: 'received_at' });
    const invoice = (await app.request('GET', `/v1/invoices/${invoiceId}`, { key: processorKey })).json();
    expect(invoice).toMatchObject({ status: 'open', paid: { value: 0 } });

    const exact = await pay({ amount: { value: 93900, currency: 'EUR' }, reference: 'psp-exact-1' });
    expect(exact.statusCode).toBe(201);
    const after = await pay({ amount: { value: 1, currency: 'EUR' }, reference: 'psp-after-1' });
    expect(after.json().error).toMatchObject({ code: 'overpayment', outstanding: { value: 0 } });
    // A retry of the payment that settled it is still the same payment, not an overpayment.
    expect((await pay({ amount: { value: 93900, currency: 'EUR' }, reference: 'psp-exact-1' })).statusCode).toBe(200);
  });
});
