// Logs keep no personal data and no capability tokens: captured lines of real requests are searched for them.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApplication, type TestApplication } from './application.ts';
import { scrubText, scrubUrl } from '../src/http/log.redaction.ts';

const email = 'anna.devries@example.nl';
const phone = '+31612345678';
const signature = 'AbCdEfGhIjKlMnOpQrStUvWx0123456789';

describe('log redaction', () => {
  let app: TestApplication;
  const lines: string[] = [];
  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await makeTestApplication('pglite', { logStream }, { LOG_LEVEL: 'trace' });
    // A route that fails inside the database with personal data among the SQL parameters (as a bug would).
    app.server.get('/test/failing-query', async () => {
      await app.database.query('SELECT $1::int, $2::int', [email, phone]);
      return {};
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('masks SQL parameters, values in database messages, e-mail, phone and URL tokens', async () => {
    const failing = await app.request('GET', '/test/failing-query', { key: null });
    expect(failing.statusCode).toBe(500);
    expect(failing.body).not.toContain(email);
    await app.request('GET', `/v1/notices/ntc_0abc.${signature}`, { key: null });
    await app.request('POST', `/report/chl_0abc.${signature}`, { key: null });
    await app.request('GET', `/admin/outbox?key=${signature}&to=${encodeURIComponent(phone)}`, { key: null });
    await app.request('POST', '/v1/me/sign-in', { key: null, body: { email } });
    await app.request('POST', '/v1/me/sign-in', { key: null, body: { phone } });
    app.server.log.warn(
      { topic: 'notification', error: `SMS gateway refused ${phone} / ${email}` },
      'outbox delivery failed',
    );

    const log = lines.join('');
    expect(log).toContain('unexpected error');
    expect(log).toContain('22P02'); // the SQLSTATE survives: an operator can still see what went wrong
    expect(log).toContain('/v1/notices/:token');
    expect(log).toContain('outbox delivery failed');
    for (const secret of [email, phone, '0612345678', signature]) expect(log).not.toContain(secret);
  });

  it('scrubs text and URLs', () => {
    expect(scrubText('to 06-12 34 56 78 and anna@example.nl')).toBe('to [phone] and [email]');
    expect(scrubText('key rg_live_demo_0000000000000000 ok')).toBe('key [token] ok');
    expect(scrubUrl(`/v1/notices/ntc_1.${signature}?x=1`)).toBe('/v1/notices/:token');
    expect(scrubUrl('/v1/sessions/ses_0abc/authorize')).toBe('/v1/sessions/ses_0abc/authorize');
  });
});
