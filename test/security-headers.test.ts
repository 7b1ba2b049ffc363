// Security headers on every HTML page, and the widget framed by / posting to the merchant's registered origins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, type TestApplication } from './application.ts';
import { makeRiskEngine } from '../src/risk/risk.engine.ts';
import { attackerSession, authorize, importAnna } from './stepup/stepup.fixtures.ts';

describe('security headers and widget origins', () => {
  let app: TestApplication;
  let challengeId: string;
  beforeAll(async () => {
    app = await makeTestApplication('pglite', { engine: makeRiskEngine() });
    await importAnna(app);
    const { body } = await authorize(app, attackerSession());
    expect(body.decision).toBe('step_up');
    challengeId = body.challenge.id;
  });
  afterAll(async () => {
    await app.close();
  });

  const admin = (method: 'GET' | 'PUT', origins?: unknown, merchantId = app.merchant.id) =>
    app.server.inject({
      method,
      url: `/v1/admin/merchants/${merchantId}/allowed-origins`,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(origins === undefined ? {} : { payload: JSON.stringify({ origins }) }),
    });

  it('every HTML page carries a CSP with frame-ancestors, nosniff and no-store', async () => {
    const pages = [
      `/admin/outbox?key=${adminKey}`,
      '/v1/notices/ntc_0abc.AAAAAAAAAAAAAAAAAAAAAAAA',
      '/report/chl_0abc.AAAAAAAAAAAAAAAAAAAAAAAA',
      `/widget/challenge?id=${challengeId}`,
    ];
    for (const url of pages) {
      const response = await app.request('GET', url, { key: null });
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['content-security-policy'], url).toMatch(/frame-ancestors [^;]+/);
      expect(response.headers['content-security-policy'], url).toContain("script-src 'self'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
    const json = await app.request('GET', '/healthz', { key: null });
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it('admins set allowed origins; bad origins and unknown merchants are refused', async () => {
    for (const origins of [['https://shop.example/path'], ['*'], ['javascript:alert(1)'], ['https://*.example'], 'x']) {
      const response = await admin('PUT', origins);
      expect(response.statusCode, JSON.stringify(origins)).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    expect((await admin('PUT', ['https://shop.example'], 'mer_unknown')).statusCode).toBe(404);
    const set = await admin('PUT', ['https://shop.example', 'http://localhost:3000', 'https://shop.example']);
    expect(set.json()).toEqual({ origins: ['https://shop.example', 'http://localhost:3000'] });
    expect((await admin('GET')).json()).toEqual({ origins: ['https://shop.example', 'http://localhost:3000'] });
  });

  it('the challenge page may be framed by and posts only to registered origins', async () => {
    await admin('PUT', ['https://shop.example']);
    const page = (origin: string) =>
      app.request('GET', `/widget/challenge?id=${challengeId}&origin=${encodeURIComponent(origin)}`, { key: null });

    const registered = await page('https://shop.example');
    expect(registered.headers['content-security-policy']).toContain('frame-ancestors https://shop.example;');
    expect(registered.body).toContain('data-parent-origin="https://shop.example"');

    const attacker = await page('https://evil.example');
    expect(attacker.headers['content-security-policy']).toContain('frame-ancestors https://shop.example;');
    expect(attacker.body).toContain('data-parent-origin=""');
    expect(attacker.body).not.toContain('evil.example');

    await admin('PUT', []);
    const none = await page('https://shop.example');
    expect(none.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(none.body).toContain('data-parent-origin=""');

    const unknown = await app.request('GET', '/widget/challenge?id=chl_unknown&origin=https%3A%2F%2Fshop.example', {
      key: null,
    });
    expect(unknown.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
