// Staff at their desks in API tests: enrol a passkey from an enrolment link, then call /v1/ops with their cookie.
import { expect } from 'vitest';
import { makeSoftwareAuthenticator } from './software-authenticator.ts';
import { adminKey, type TestApplication } from './application.ts';

export function makeStaffDesk(app: () => TestApplication) {
  const desks = new Map<string, { authenticator: ReturnType<typeof makeSoftwareAuthenticator>; cookie: string }>();

  const as = (name: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
    app().request(method, url, {
      key: null,
      body: body ?? (method === 'POST' ? {} : undefined),
      headers: { cookie: desks.get(name)?.cookie ?? '' },
    });

  async function enrol(name: string, token: string) {
    const authenticator = makeSoftwareAuthenticator();
    const options = await app().request('POST', '/v1/ops/enrolment/options', { key: null, body: { token } });
    expect(options.statusCode).toBe(200);
    const { ceremony_id, options: creation } = options.json();
    const verified = await app().request('POST', '/v1/ops/enrolment/verify', {
      key: null,
      body: { token, ceremony_id, response: authenticator.register(creation) },
    });
    expect(verified.statusCode).toBe(200);
    const setCookie = String(verified.headers['set-cookie']);
    desks.set(name, { authenticator, cookie: setCookie.split(';')[0]! });
    return { response: verified, setCookie, authenticator };
  }

  /** A staff member created with the admin key and signed in at their own desk. */
  async function hire(name: string, role: 'analyst' | 'lead' | 'admin') {
    const created = await app().request('POST', '/v1/admin/staff', { key: adminKey, body: { name, role } });
    expect(created.statusCode).toBe(201);
    await enrol(name, created.json().enrolment_token);
  }

  return { as, enrol, hire, desks };
}
