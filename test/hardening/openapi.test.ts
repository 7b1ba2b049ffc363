// The OpenAPI contract: operation ids, declared authentication per route family (merchant, consumer, staff), and an error schema that allows
// the fields errors really carry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication } from '../application.ts';
import { operationIdOf } from '../../src/http/openapi.ts';

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
};

describe('the OpenAPI document', () => {
  let app: TestApplication;
  let operations: [string, string, Operation][];
  let document: { components: { securitySchemes: Record<string, unknown> } };
  beforeAll(async () => {
    app = await makeTestApplication('pglite', {}, { PAYMENT_PROCESSOR_KEY: 'processor-key-0123456789' });
    document = (await app.server.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = (document as unknown as { paths: Record<string, Record<string, Operation>> }).paths;
    operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => [method, path, operation] as [string, string, Operation]),
    );
  });
  afterAll(async () => {
    await app.close();
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations.map(([, , operation]) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationIdOf('POST', '/v1/sessions/:id/authorize')).toBe('postSessionsByIdAuthorize');
  });

  it('declares the consumer authentication on /v1/me/* and the processor key on /v1/invoices/*', () => {
    const signIn = new Set([
      '/v1/me/sign-in',
      '/v1/me/sign-in/verify',
      '/v1/me/sign-in/passkey/options',
      '/v1/me/sign-in/passkey/verify',
    ]);
    for (const [method, path, operation] of operations) {
      if (path.startsWith('/v1/me/') && !signIn.has(path)) {
        expect(operation.security, `${method} ${path}`).toEqual([{ consumerKey: [] }, { consumerCookie: [] }]);
      }
      if (path.startsWith('/v1/invoices/')) {
        expect(operation.security, `${method} ${path}`).toEqual([{ processorKey: [] }]);
      }
    }
    expect(document.components.securitySchemes).toHaveProperty('consumerCookie', {
      type: 'apiKey',
      in: 'cookie',
      name: 'rg_consumer',
      description: expect.any(String),
    });
  });

  it('declares the staff cookie on /v1/ops/*, apart from enrolment and sign-in', () => {
    const open = new Set([
      '/v1/ops/enrolment/options',
      '/v1/ops/enrolment/verify',
      '/v1/ops/sign-in/options',
      '/v1/ops/sign-in/verify',
    ]);
    const staffOperations = operations.filter(([, path]) => path.startsWith('/v1/ops/') && !open.has(path));
    expect(staffOperations.length).toBeGreaterThan(40);
    for (const [method, path, operation] of staffOperations) {
      expect(operation.security, `${method} ${path}`).toEqual([{ staffCookie: [] }]);
    }
    for (const [method, path, operation] of operations.filter(([, path]) => open.has(path))) {
      expect(operation.security, `${method} ${path}`).toEqual([]);
    }
    expect(document.components.securitySchemes).toHaveProperty('staffCookie', {
      type: 'apiKey',
      in: 'cookie',
      name: 'rg_staff',
      description: expect.any(String),
    });
  });

  it('documents a body for every 4xx, with room for the fields errors carry', () => {
    for (const [method, path, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('4')) continue;
        const schema = response.content?.['application/json']?.schema as
          { properties: { error: { properties: Record<string, unknown>; additionalProperties: unknown } } } | undefined;
        expect(schema, `${method} ${path} ${status}`).toBeDefined();
        expect(Object.keys(schema!.properties.error.properties)).toEqual(
          expect.arrayContaining(['code', 'message', 'field', 'attempts_remaining', 'retry_after_seconds']),
        );
        expect(schema!.properties.error.additionalProperties).toEqual({});
      }
    }
  });

  it('gives every list the one envelope: data, next_cursor, has_more, paged by limit and cursor', () => {
    type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[] };
    type Parameter = { name: string; in: string };
    const enveloped = [
      'get /v1/admin/decisions',
      'get /v1/admin/lists',
      'get /v1/admin/rulesets',
      'get /v1/admin/cases',
      'get /v1/admin/case-alerts',
      'get /v1/webhooks',
      'get /v1/webhooks/{id}/deliveries',
      'get /v1/admin/outbox',
      'get /v1/me/passkeys',
      'get /v1/me/claims',
      'get /v1/me/purchases',
      'get /v1/me/invoices',
      'get /v1/me/decisions',
      'get /v1/me/devices',
      'get /v1/me/addresses',
      'get /v1/payouts',
    ];
    // A GET answering a top-level `data` array is a list route; each must be the full envelope.
    const lists = operations.filter(([method, , operation]) => {
      const schema = operation.responses['200']?.content?.['application/json']?.schema as Schema | undefined;
      return method === 'get' && schema?.properties?.data?.type === 'array';
    });
    const names = lists.map(([method, path]) => `${method} ${path}`);
    expect(names).toEqual(expect.arrayContaining(enveloped));
    for (const [method, path, operation] of lists) {
      const schema = operation.responses['200']!.content!['application/json']!.schema as Schema;
      expect(Object.keys(schema.properties!).sort(), `${method} ${path}`).toEqual(['data', 'has_more', 'next_cursor']);
      expect(schema.required?.sort(), `${method} ${path}`).toEqual(['data', 'has_more', 'next_cursor']);
      expect(schema.properties!.has_more!.type).toBe('boolean');
      const parameters = ((operation as unknown as { parameters?: Parameter[] }).parameters ?? [])
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name);
      expect(parameters, `${method} ${path}`).toEqual(expect.arrayContaining(['limit', 'cursor']));
    }
  });

  it('gives every 2xx answer with a body a schema: JSON by a zod schema, pages and scripts by their content type', () => {
    const missing: string[] = [];
    for (const [method, path, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2') || status === '204') continue;
        const content = response.content ?? {};
        const described = Object.values(content).some((media) => media.schema !== undefined);
        if (!described) missing.push(`${method} ${path} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    const challenge = operations.find(([method, path]) => method === 'get' && path === '/v1/challenges/{id}')![2];
    const schema = challenge.responses['200']!.content!['application/json']!.schema as { required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'status', 'methods', 'attempts_remaining']));
  });

  it('documents pages and scripts by their content type', () => {
    const widget = operations.find(([, path]) => path === '/widget/rearguard.js')![2];
    expect(widget.responses['200']!.content).toEqual({ 'text/javascript': { schema: { type: 'string' } } });
  });
});
