// NUL characters, lone UTF-16 surrogates and absurd nesting anywhere in a request: a 4xx with a stable code on every
// route, never a 500 and never a silent change of the text (two references must not collapse into one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { databaseKinds } from '../databases.ts';

const hostileStrings = [
  { name: 'NUL', json: '"a\\u0000b"', url: 'a%00b', code: 'invalid_characters' },
  // A surrogate cannot be percent-encoded as valid UTF-8: the URL decoder refuses its CESU-8 bytes outright.
  { name: 'lone high surrogate', json: '"a\\ud800b"', url: 'a%ED%A0%80b', code: 'invalid_characters' },
  { name: 'lone low surrogate', json: '"\\udc00"', url: '%ED%B0%80', code: 'invalid_characters' },
] as const;

function concreteUrl(url: string, segment: string): string {
  return url.replace(/:[A-Za-z_]+/g, segment);
}

describe.each(databaseKinds)('hostile text on every route (%s)', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind, {}, { PAYMENT_PROCESSOR_KEY: 'processor-key-0123456789' });
  });
  afterAll(async () => {
    await app.close();
  });

  const authorizations = () => [
    `Bearer ${app.merchant.api_key}`,
    `Bearer ${adminKey}`,
    'Bearer processor-key-0123456789',
  ];

  it('rejects a NUL or lone surrogate in any body, query or path with 400 invalid_characters', async () => {
    const failures: string[] = [];
    for (const route of app.routes) {
      for (const hostile of hostileStrings) {
        for (const authorization of authorizations()) {
          const attempts = [
            {
              where: 'body',
              url: concreteUrl(route.url, 'x1'),
              payload: `{"merchant_reference":${hostile.json},"nested":{"list":[1,${hostile.json}]}}`,
            },
            { where: 'body key', url: concreteUrl(route.url, 'x1'), payload: `{${hostile.json}:1}` },
            { where: 'query', url: `${concreteUrl(route.url, 'x1')}?status=${hostile.url}&limit=1` },
            ...(route.url.includes(':') ? [{ where: 'path', url: concreteUrl(route.url, hostile.url) }] : []),
          ];
          for (const attempt of attempts) {
            if (attempt.payload && route.method === 'GET') continue;
            const response = await app.server.inject({
              method: route.method,
              url: attempt.url,
              headers: {
                authorization,
                ...(attempt.payload ? { 'content-type': 'application/json' } : {}),
              },
              ...(attempt.payload ? { payload: attempt.payload } : {}),
            });
            const code = /json/.test(String(response.headers['content-type']))
              ? (response.json() as { error?: { code?: string } }).error?.code
              : response.body.slice(0, 40);
            const expected =
              attempt.where === 'body' || attempt.where === 'body key' || hostile.name === 'NUL'
                ? [hostile.code]
                : [hostile.code, 'invalid_request'];
            if (response.statusCode !== 400 || !expected.includes(String(code))) {
              failures.push(
                `${route.method} ${route.url} ${hostile.name} in ${attempt.where}: ${response.statusCode} ${code}`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps two payment references apart: a surrogate is refused, not replaced', async () => {
    const first = await app.request('POST', '/v1/sessions', {
      body: `{"merchant_reference":"pay-\\ud800",${JSON.stringify(sessionBody())
        .slice(1)
        .replace(/"merchant_reference":"[^"]*",/, '')}`,
    });
    expect(first.statusCode).toBe(400);
    expect(first.json()).toMatchObject({ error: { code: 'invalid_characters', field: 'merchant_reference' } });
    const clean = await app.request('POST', '/v1/sessions', {
      body: sessionBody({ merchant_reference: 'pay-\ufffd' }),
    });
    expect(clean.statusCode).toBe(201);
  });

  it('refuses a NUL in a customer name with the field named', async () => {
    const response = await app.request('POST', '/v1/sessions', {
      body: JSON.stringify(sessionBody()).replace('Anna de Vries', 'Anna\\u0000de Vries'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_characters', field: 'customer.name' } });
  });

  it('refuses JSON nested thousands deep with 400 nesting_too_deep', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    for (const [method, url] of [
      ['POST', '/v1/sessions'],
      ['POST', '/v1/admin/rulesets'],
    ] as const) {
      const response = await app.request(method, url, {
        body: deep,
        key: url.includes('admin') ? adminKey : undefined,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'nesting_too_deep' } });
    }
  });
});

describe('wrong method', () => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication('pglite');
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 405 with an Allow header on a known path, 404 on an unknown one', async () => {
    const wrong = await app.request('DELETE', '/v1/sessions/ses_abc');
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    expect(wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    const post = await app.request('GET', '/v1/sessions');
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('POST');
    const put = await app.server.inject({ method: 'PUT', url: '/openapi.json' });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toContain('GET');
    const unknown = await app.request('GET', '/v1/nothing-here');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });
});
