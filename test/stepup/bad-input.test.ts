// Bad input to the step-up, notice and consumer routes: always a 4xx with a stable code, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication } from '../application.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';
import { attackerSession, authorize, importAnna } from './stepup.fixtures.ts';

const junkBodies: unknown[] = [
  'not json',
  '[]',
  '{"code":123456}',
  '{"code":null}',
  '{"method":["otp_sms"]}',
  '{"iban":{"a":1}}',
  '{"response":{"id":"x","rawId":"y","type":"public-key","response":{"clientDataJSON":"!!!"}}}',
  '{"response":{"id":"x","rawId":"y","type":"public-key"}}',
  '{"ceremony_id":"wac_abc","response":{"id":"x","rawId":"y","type":"public-key","response":{"clientDataJSON":"e30"}}}',
  '{"email":"a@b.nl","phone":"+31612345678"}',
  '{"sign_in_id":"sgn_x","code":"12345678901234"}',
  '{"always_verify":"yes"}',
  `{"code":"${'9'.repeat(5000)}"}`,
];

describe('bad input to step-up, notices and consumer routes', () => {
  let app: TestApplication;
  let challengeId: string;
  let clientToken: string;
  beforeAll(async () => {
    app = await makeTestApplication('pglite', { engine: makeRiskEngine() });
    await importAnna(app);
    const { body } = await authorize(app, attackerSession());
    challengeId = body.challenge.id;
    clientToken = body.challenge.client_token;
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers every junk body on every route with a 4xx and an error code', async () => {
    const routes = [
      ['POST', `/v1/challenges/${challengeId}/send`],
      ['POST', `/v1/challenges/${challengeId}/verify`],
      ['POST', `/v1/challenges/${challengeId}/verification-payment/start`],
      ['POST', '/v1/verification-payment/callback'],
      ['POST', `/v1/challenges/${challengeId}/passkey/verify`],
      ['POST', '/v1/me/sign-in'],
      ['POST', '/v1/me/sign-in/verify'],
      ['POST', '/v1/me/sign-in/passkey/verify'],
      ['POST', '/v1/me/passkeys'],
      ['PUT', '/v1/me/security'],
      ['POST', '/v1/notices/ntc_abc.AAAAAAAAAAAAAAAAAAAAAAAA'],
      ['POST', '/report/chl_abc.AAAAAAAAAAAAAAAAAAAAAAAA'],
    ] as const;
    for (const [method, url] of routes) {
      for (const payload of junkBodies) {
        for (const authorization of [`Bearer ${clientToken}`, `Bearer ${app.merchant.api_key}`, 'Bearer rgt_x']) {
          const response = await app.server.inject({
            method,
            url,
            headers: { authorization, 'content-type': 'application/json' },
            payload: payload as string,
          });
          expect(response.statusCode, `${method} ${url} ${String(payload)} -> ${response.body}`).toBeLessThan(500);
          if (String(response.headers['content-type']).includes('json'))
            expect(response.json().error?.code ?? 'ok').toBeTruthy();
        }
      }
    }
  });

  it('a passkey step-up without a passkey on file is not offered', async () => {
    const response = await app.request('POST', `/v1/challenges/${challengeId}/passkey/options`);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('method_not_allowed');
  });
});
