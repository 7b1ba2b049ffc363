// A malformed rg_consumer cookie is no token: every signed-in consumer route answers 401, never 500 (issue 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../databases.ts';
import { makeTestApplication, type TestApplication } from '../application.ts';

const malformed = ['%', '%E0%A4%A', 'abc%zz', '%%%'];

describe.each(databaseKinds)('malformed consumer cookies on %s', (kind) => {
  let app: TestApplication;

  beforeAll(async () => {
    app = await makeTestApplication(kind);
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 401 unauthorized on every /v1/me route that needs a signed-in consumer', async () => {
    const routes = app.routes.filter((route) => route.auth === 'consumer');
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes.every((route) => route.url.startsWith('/v1/me'))).toBe(true);
    for (const route of routes) {
      // Path parameters get a well-formed value, so only the cookie can be what is refused.
      const url = route.url.replace(/:(\w+)/g, (_match, name: string) => (name === 'id' ? 'pky_0000000001' : 'x1'));
      for (const value of malformed) {
        const withBody = route.method !== 'GET' && route.method !== 'DELETE';
        const response = await app.server.inject({
          method: route.method,
          url,
          headers: { cookie: `rg_consumer=${value}`, ...(withBody ? { 'content-type': 'application/json' } : {}) },
          ...(withBody ? { payload: '{}' } : {}),
        });
        expect(response.statusCode, `${route.method} ${url} with rg_consumer=${value}: ${response.body}`).toBe(401);
        expect(response.json().error.code).toBe('unauthorized');
      }
    }
  });

  it('still reads a well-formed cookie among malformed other cookies', async () => {
    const { accountId } = { accountId: await firstAccount(app) };
    const { token } = await app.consumerSessions.issue(accountId, 'otp_email');
    const response = await app.server.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: { cookie: `other=%; rg_consumer=${token}` },
    });
    expect(response.statusCode, response.body).toBe(200);
  });
});

async function firstAccount(app: TestApplication): Promise<string> {
  await app.database.query(`INSERT INTO accounts (id, name, created_at) VALUES ('acc_cookie', 'Cookie Test', now())`);
  return 'acc_cookie';
}
