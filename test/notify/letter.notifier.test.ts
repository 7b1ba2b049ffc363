// The letter channel: a print-and-mail HTTP adapter against a local server, chosen by the config, and a letter to
// the billing address when an account is opened in a person's name, delivered through the outbox (with the
// merchant's order.approved webhook carrying the delivery requirements).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeLetterServiceNotifier } from '../../src/notify/letter-service.notifier.ts';
import { makeNotifiers } from '../../src/notify/notifiers.ts';
import { outboxNotifier } from '../../src/notify/notifier.ts';
import { loadConfig } from '../../src/config.ts';
import { makeTestApplication, sessionBody, type TestApplication } from '../application.ts';

const address = {
  name: 'Jan Jansen',
  street: 'Kerkstraat',
  house_number: '12',
  postal_code: '3511AB',
  city: 'Utrecht',
  country: 'NL',
};

describe('print-and-mail letter notifier', () => {
  let server: Server;
  let url: string;
  let failNext = false;
  const received: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
  let app: TestApplication | undefined;
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
        response.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"letter-1"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/letters`;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the letter with its address and the bearer token, and treats a non-2xx as a failure to retry', async () => {
    const notifier = makeLetterServiceNotifier({ url, token: 'print-token' });
    const message = {
      channel: 'letter' as const,
      to: 'Jan Jansen, Kerkstraat 12, Utrecht',
      address,
      subject: 'A purchase on invoice in your name',
      text: 'Dear Jan Jansen, ...',
      kind: 'identity_letter',
    };
    failNext = true;
    await expect(notifier.send(message)).rejects.toThrow(/503/);
    await notifier.send(message);
    expect(received.splice(0)).toEqual([
      {
        authorization: 'Bearer print-token',
        body: {
          to: message.to,
          address,
          subject: message.subject,
          text: message.text,
          kind: 'identity_letter',
        },
      },
    ]);
    await expect(notifier.send({ ...message, channel: 'email' })).rejects.toThrow(/letters/);
  });

  it('is chosen by the config; the outbox notifier is the default', () => {
    const defaults = loadConfig({});
    if (!defaults.ok) throw new Error(defaults.errors.join());
    expect(makeNotifiers(defaults.config.notifier).letter).toBe(outboxNotifier);
    const result = loadConfig({ NOTIFIER_LETTER: 'http', LETTER_SERVICE_URL: url });
    if (!result.ok) throw new Error(result.errors.join());
    expect(makeNotifiers(result.config.notifier).letter).not.toBe(outboxNotifier);
    expect(loadConfig({ NEW_CUSTOMER_FLOOR_CENTS: '-1' }).ok).toBe(false);
  });

  it('sends a letter to the billing address when an account is opened in a person’s name', async () => {
    app = await makeTestApplication(
      'pglite',
      {},
      { NOTIFIER_LETTER: 'http', LETTER_SERVICE_URL: url, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' },
    );
    // The shop's webhook receiver is the same local server: the order.approved event carries the requirements.
    const hook = await app.request('POST', '/v1/webhooks', { body: { url, events: ['order.approved'] } });
    expect(hook.statusCode, hook.body).toBe(201);
    const body = sessionBody({
      amount: { value: 2_000, currency: 'EUR' },
      lines: [{ name: 'Socks', quantity: 1, unit_price: 2_000, category: 'fashion' }],
      customer: { name: 'Jan Jansen', email: 'jan.jansen@gmail.com', phone: '+31687654321' },
      billing_address: {
        street: 'Kerkstraat',
        house_number: '12',
        postal_code: '3511AB',
        city: 'Utrecht',
        country: 'NL',
      },
      shipping_address: undefined,
    });
    const created = await app.request('POST', '/v1/sessions', { body });
    const authorized = await app.request('POST', `/v1/sessions/${created.json().id}/authorize`);
    expect(authorized.json()).toMatchObject({
      decision: 'approved',
      delivery_requirements: ['no_redirect', 'no_pickup_point', 'id_check_on_delivery'],
    });
    await app.outbox.drainOnce();
    const letter = received.find((entry) => entry.body.kind === 'identity_letter');
    // Printed the Dutch way: postcode as 3511 AB, the letter in Dutch with the amount as € 20,00.
    expect(letter?.body).toMatchObject({
      address: { name: 'Jan Jansen', ...body.billing_address, postal_code: '3511 AB' },
    });
    expect(String(letter?.body.text)).toContain('Beste Jan Jansen');
    expect(String(letter?.body.text)).toContain('€\u00a020,00');
    expect(String(letter?.body.text)).toMatch(/vul de code [A-Z2-9]{5}-[A-Z2-9]{5} in/);
    // The victim follows the letter: the report page shows the order, its button files the claim, once.
    const code = /vul de code ([A-Z2-9]{5}-[A-Z2-9]{5}) in/.exec(String(letter?.body.text))![1]!;
    expect((await app.request('GET', '/v1/not-me', { key: null })).body).toContain('name="code"');
    const shown = await app.request('GET', `/v1/not-me?code=${code}`, { key: null });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('€\u00a020,00');
    expect((await app.request('GET', '/v1/not-me?code=AAAAA-BBBBB', { key: null })).statusCode).toBe(404);
    const reported = await app.request('POST', `/v1/not-me/${code}`, { key: null });
    expect(reported.statusCode).toBe(200);
    expect(reported.body).toContain('is vastgelegd');
    expect((await app.request('POST', `/v1/not-me/${code}`, { key: null })).statusCode).toBe(409);
    expect((await app.request('GET', `/v1/not-me?code=${code}`, { key: null })).body).toContain('Al gemeld');

    const approved = received.find((entry) => entry.body.type === 'order.approved');
    expect(approved?.body.data).toMatchObject({
      delivery_requirements: ['no_redirect', 'no_pickup_point', 'id_check_on_delivery'],
    });
  });
});
