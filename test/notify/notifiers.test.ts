// Notifier adapters against real local servers: SMTP (smtp-server) and an SMS gateway stub on 127.0.0.1; the dev outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { makeSmtpNotifier } from '../../src/notify/smtp.notifier.ts';
import { makeSmsGatewayNotifier } from '../../src/notify/sms-gateway.notifier.ts';
import { makeNotifiers } from '../../src/notify/notifiers.ts';
import { outboxNotifier, type Notifier, type OutgoingMessage } from '../../src/notify/notifier.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseKinds } from '../databases.ts';
import { adminKey, makeTestApplication, type TestApplication } from '../application.ts';
import { attackerSession, authorize, importAnna } from '../stepup/stepup.fixtures.ts';
import { makeRiskEngine } from '../../src/risk/risk.engine.ts';

describe('SMTP notifier', () => {
  let server: SMTPServer;
  let port: number;
  const received: { to: string[]; data: string }[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((address) => address.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers an e-mail with its plain-text and HTML parts to the local SMTP server', async () => {
    const notifier = makeSmtpNotifier({ url: `smtp://127.0.0.1:${port}`, from: 'Rearguard <no-reply@rearguard.test>' });
    await notifier.send({
      channel: 'email',
      to: 'anna@example.nl',
      subject: 'Your code for Test Shop',
      text: 'Code 123456 for EUR 939.00 at Test Shop',
      html: '<p>Code <b>123456</b></p>',
      kind: 'step_up_code',
    });
    notifier.close();
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['anna@example.nl']);
    expect(received[0]!.data).toContain('Subject: Your code for Test Shop');
    expect(received[0]!.data).toContain('Code 123456 for EUR 939.00 at Test Shop');
    expect(received[0]!.data).toContain('Content-Type: text/html');
    expect(received[0]!.data).toContain('<p>Code <b>123456</b></p>');
  });
});

describe('SMS gateway notifier', () => {
  let server: Server;
  let url: string;
  let failNext = false;
  const received: { authorization: string | undefined; body: unknown }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (failNext) {
          failNext = false;
          response.writeHead(503).end();
          return;
        }
        received.push({ authorization: request.headers.authorization, body: JSON.parse(body) });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"sms-1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts {to, text} with the bearer token and treats a non-2xx as a failure to retry', async () => {
    const notifier = makeSmsGatewayNotifier({ url, token: 'gateway-token' });
    const message = {
      channel: 'sms' as const,
      to: '+31612345678',
      subject: '',
      text: 'Code 654321',
      kind: 'step_up_code',
    };
    failNext = true;
    await expect(notifier.send(message)).rejects.toThrow(/503/);
    await notifier.send(message);
    expect(received).toEqual([
      { authorization: 'Bearer gateway-token', body: { to: '+31612345678', text: 'Code 654321' } },
    ]);
  });

  it('is chosen by the config, and the outbox notifier is the default', () => {
    const result = loadConfig({ NOTIFIER_SMS: 'http', SMS_GATEWAY_URL: url, NOTIFIER_EMAIL: 'outbox' });
    if (!result.ok) throw new Error(result.errors.join());
    const notifiers = makeNotifiers(result.config.notifier);
    expect(notifiers.email).toBe(outboxNotifier);
    expect(notifiers.sms).not.toBe(outboxNotifier);
    expect(loadConfig({ NOTIFIER_EMAIL: 'smtp' })).toEqual({
      ok: false,
      errors: ['SMTP_URL: required when NOTIFIER_EMAIL=smtp'],
    });
  });
});

describe.each(databaseKinds)('the development outbox on %s', (kind) => {
  let app: TestApplication;
  beforeAll(async () => {
    app = await makeTestApplication(kind, { engine: makeRiskEngine() });
    await importAnna(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('keeps messages readable by recipient as JSON and as a page, for the admin only', async () => {
    const { body } = await authorize(app, attackerSession());
    await app.request('POST', `/v1/challenges/${body.challenge.id}/send`, { body: { method: 'otp_sms' } });
    await app.outbox.drainOnce();
    const listed = await app.request('GET', '/v1/admin/outbox?to=%2B31612345678&limit=5', { key: adminKey });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data[0]).toMatchObject({
      topic: 'notification',
      to: '+31612345678',
      status: 'delivered',
      payload: {
        channel: 'sms',
        kind: 'step_up_code',
        text: expect.stringMatching(/^Code \d{6}: € 939,00 bij Test Shop/),
      },
    });
    expect((await app.request('GET', '/v1/admin/outbox')).statusCode).toBe(401);
    const page = await app.request('GET', `/admin/outbox?key=${adminKey}&to=%2B31612345678`, { key: null });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Code ');
    expect(page.body).toContain('€ 939,00 bij Test Shop');
    expect((await app.request('GET', '/admin/outbox?key=wrong-key', { key: null })).statusCode).toBe(401);
  });
});

describe.each(databaseKinds)('a production notifier on %s', (kind) => {
  let app: TestApplication;
  const delivered: OutgoingMessage[] = [];
  const capturing: Notifier = { send: async (message) => void delivered.push(message) };
  beforeAll(async () => {
    app = await makeTestApplication(kind, {
      engine: makeRiskEngine(),
      notifiers: { email: capturing, sms: capturing },
    });
    await importAnna(app);
  });
  afterAll(async () => {
    await app.close();
  });

  it('receives the code from the outbox, after which the stored message no longer holds it', async () => {
    const { body } = await authorize(app, attackerSession());
    await app.request('POST', `/v1/challenges/${body.challenge.id}/send`, { body: { method: 'otp_sms' } });
    await app.outbox.drainOnce();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ channel: 'sms', to: '+31612345678', kind: 'step_up_code' });
    expect(delivered[0]!.text).toMatch(/^Code \d{6}: € 939,00 bij Test Shop/);
    const [stored] = await app.database.query<{ status: string; text: string }>(
      `SELECT status, payload->>'text' AS text FROM outbox WHERE recipient = '+31612345678' ORDER BY seq DESC LIMIT 1`,
    );
    expect(stored).toEqual({ status: 'delivered', text: '(delivered; code removed)' });
  });
});
