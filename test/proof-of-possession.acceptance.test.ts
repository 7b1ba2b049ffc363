// Issue 9's acceptance scenarios through the HTTP API on both databases: ghost invoices with everything public about
// the victim, a customer onboarded live and later impersonated, and loyal customers who must be asked, not refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, type DatabaseKind } from './databases.ts';
import { makeTestApplication, type TestApplication, postImport } from './application.ts';
import { person, sessionFor, type Person, type SessionOptions } from '../src/risk/testing/scenario.fixtures.ts';
import { maskEmail, maskPhone } from '../src/risk/policy/challenge.options.ts';
import type { SessionInput } from '../src/checkout/session.schema.ts';
import { makeMemoryFeatureState } from '../src/risk/state/memory.feature-state.ts';
import { readHistory } from '../src/storage/history.reader.ts';
import { normaliseEmail } from '../src/risk/normalise/email.normaliser.ts';
import { loginAtBank, startOidcBank } from './stepup/oidc-bank.ts';
import { startPaymentService, type PaymentService } from './stepup/payment-service.ts';
import { openedAccounts } from './accounts.sealed.ts';

const emptyQuery = {
  emailKey: null,
  phoneKey: null,
  billingAddressKey: null,
  shippingAddressKey: null,
  deviceKey: null,
  ip: null,
  ibanKey: null,
};

const day = 86_400_000;
const floor = 5_000;

interface Authorization {
  decision: string;
  reasons: { code: string }[];
  order?: { id: string };
  delivery_requirements?: string[];
  challenge?: { id: string; client_token: string; methods: { method: string; target: string | null }[] };
}

/** A loyal customer: three years of paid orders from their own device to their own home. */
function loyalHistory(customers: readonly Person[], now: number): string {
  const since = now - 3 * 365 * day;
  const lines: object[] = customers.map((who) => ({
    type: 'account',
    id: who.accountId,
    created_at: new Date(since).toISOString(),
    name: who.name,
    email: who.email,
    phone: who.phone,
    address: who.address,
    email_verified_at: new Date(since).toISOString(),
    phone_verified_at: new Date(since).toISOString(),
  }));
  for (let order = 0; order < 8; order++) {
    for (const who of customers) {
      const placed = since + (order + 1) * 120 * day + who.index * 60_000;
      const session = sessionFor(who, { amount: 2_500 + ((who.index * 7 + order * 13) % 60) * 100 });
      lines.push({
        type: 'order',
        id: `${who.accountId}-${order}`,
        placed_at: new Date(placed).toISOString(),
        account_id: who.accountId,
        merchant: 'History Shop',
        amount: session.amount,
        lines: session.lines,
        customer: session.customer,
        billing_address: session.billing_address,
        device: session.device,
        outcome: 'paid_on_time',
        outcome_at: new Date(placed + 10 * day).toISOString(),
      });
    }
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

const industrialEstate = {
  street: 'Industrieweg',
  house_number: '99',
  postal_code: '3044 AS',
  city: 'Rotterdam',
  country: 'NL',
};
const shop = { street: 'Kalverstraat', house_number: '92', postal_code: '1012 PH', city: 'Amsterdam', country: 'NL' };
const pickUpPoint = {
  street: 'PostNL Pakketpunt Bruna Stationsplein',
  house_number: '5',
  postal_code: '3511 ED',
  city: 'Utrecht',
  country: 'NL',
};

// Once on the ruleset's transparent points score, once with the shipped model as champion (what `npm start` serves).
const variants = databaseKinds.flatMap((kind): [DatabaseKind, string][] => [
  [kind, 'points score'],
  [kind, 'shipped model'],
]);

// The live-onboarded newcomer as their own bank knows them (name, date of birth, home address).
const newcomer = person(7_000);
const newcomerAtBank = {
  password: 'newcomer-password',
  name: newcomer.name,
  birthdate: '1988-04-21',
  address: {
    street_address: `${newcomer.address.street} ${newcomer.address.house_number}`,
    postal_code: newcomer.address.postal_code,
    locality: newcomer.address.city,
    country: newcomer.address.country,
  },
};

describe.each(variants)('proof of possession through the API on %s with the %s', (kind, scoring) => {
  let app: TestApplication;
  let bank: Awaited<ReturnType<typeof startOidcBank>>;
  let payments: PaymentService;
  // The fixtures' 16th first name (Zoë) makes a non-ASCII e-mail the checkout schema refuses: skip it.
  const asciiPeople = (from: number, count: number) =>
    Array.from({ length: count * 2 }, (_, index) => from + index)
      .filter((index) => index % 16 !== 15)
      .slice(0, count)
      .map(person);
  // Every fifth loyal customer uses an e-mail address on their own domain.
  const loyal = asciiPeople(2_000, 120).map((who, index) =>
    index % 5 === 4
      ? { ...who, email: `${who.name.split(' ')[0]!.toLowerCase()}@${who.accountId.replace('_', '')}.nl` }
      : who,
  );
  const victims = asciiPeople(6_000, 12);
  const attacker = person(9_001);
  const smallAttackers = asciiPeople(9_100, 4);

  async function authorize(session: SessionInput): Promise<Authorization> {
    const created = await app.request('POST', '/v1/sessions', { body: session });
    expect(created.statusCode, created.body).toBe(201);
    const response = await app.request('POST', `/v1/sessions/${created.json().id}/authorize`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Authorization;
  }

  async function messagesTo(to: string, messageKind: string) {
    const rows = await app.database.query<{ payload: { text: string; kind: string; channel: string } }>(
      'SELECT payload FROM outbox WHERE recipient = $1 ORDER BY seq',
      [to],
    );
    return rows.map((row) => row.payload).filter((payload) => payload.kind === messageKind);
  }

  /**
   * The shopper's way through a bank identification: start with the widget's client token, log in at the (real
   * OpenID Connect) test bank as `username`, follow the bank's redirect back; returns the proof's status.
   */
  async function identifyAtBank(challenge: { id: string; client_token: string }, username: string, password: string) {
    const started = await app.request('POST', `/v1/challenges/${challenge.id}/bank-identification/start`, {
      key: challenge.client_token,
    });
    expect(started.statusCode, started.body).toBe(200);
    const back = await loginAtBank(started.json().redirect_url, { username, password });
    expect(back?.pathname).toBe('/v1/bank-identification/callback');
    await app.request('GET', `${back!.pathname}${back!.search}`, { key: null });
    const status = await app.request('GET', `/v1/challenges/${challenge.id}/bank-identification`, {
      key: challenge.client_token,
    });
    return status.json() as { status: string; code?: string; result?: Authorization };
  }

  async function confirmChannels(to: string) {
    for (const message of await messagesTo(to, 'channel_confirmation')) {
      const token = /\/v1\/channel-confirmations\/(chc_[0-9a-z]+\.[\w-]+)/.exec(message.text)?.[1];
      expect(token).toBeDefined();
      const page = await app.request('GET', `/v1/channel-confirmations/${token}`, { key: null });
      expect(page.statusCode).toBe(200);
      const confirmed = await app.request('POST', `/v1/channel-confirmations/${token}`, { key: null });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain('Bevestigd');
    }
  }

  beforeAll(async () => {
    bank = await startOidcBank({
      redirectUris: ['http://localhost:8080/v1/bank-identification/callback'],
      users: { newcomer: newcomerAtBank },
    });
    payments = await startPaymentService();
    app = await makeTestApplication(kind, scoring === 'shipped model' ? { defaultModelPath: undefined } : {}, {
      ...bank.environment,
      ...payments.environment,
    });
    const imported = await postImport(app.server, loyalHistory(loyal, app.clock.now()));
    expect(imported.json()).toMatchObject({ imported: loyal.length * 9, rejected: [] });
  });
  afterAll(async () => {
    await app.close();
    await payments.close();
    await bank.close();
  });

  it('ghost invoices with everything public about the victim are approved 0 times above the floor', async () => {
    const outcomes: string[] = [];
    let triedOwnBank = false;
    const addresses = [shop, pickUpPoint, industrialEstate, undefined];
    for (const [index, victim] of victims.slice(0, 8).entries()) {
      for (const [where, shipping] of addresses.entries()) {
        app.clock.advance(17 * 60_000);
        const session = sessionFor(attacker, {
          name: victim.name,
          billing: victim.address,
          ...(shipping === undefined ? {} : { shipping }),
          deviceId: `dev_ghost_${index}_${where}`,
          amount: [floor + 1, 9_900, 24_900, 59_900][(index + where) % 4]!,
          category: 'electronics',
        });
        const decision = await authorize({
          ...session,
          customer: { ...session.customer, date_of_birth: '1980-01-01' },
        });
        outcomes.push(decision.decision);
        if (decision.decision === 'step_up') {
          // Only proofs that need the victim's own bank: never a code to what the attacker typed.
          const methods = decision.challenge!.methods.map((method) => method.method);
          expect(methods).toEqual(['bank_identification', 'verification_payment']);
          // The attacker's own bank names the attacker, not the victim: the proof fails, nothing is approved.
          if (!triedOwnBank) {
            triedOwnBank = true;
            const proof = await identifyAtBank(decision.challenge!, 'mallory', 'mallory-password');
            expect(proof).toMatchObject({ status: 'failed', code: 'name_mismatch' });
          }
        }
      }
    }
    expect(outcomes).toHaveLength(32);
    expect(outcomes.filter((outcome) => outcome === 'approved')).toHaveLength(0);
  });

  it('below the floor a ghost invoice is approved only to the billing address, with delivery requirements and a letter', async () => {
    const approvedTo: string[] = [];
    const addresses = { shop, pickUpPoint, industrialEstate, victimsHome: undefined };
    for (const [index, victim] of victims.slice(8).entries()) {
      for (const [label, shipping] of Object.entries(addresses)) {
        app.clock.advance(23 * 60_000);
        const decision = await authorize(
          sessionFor(smallAttackers[index]!, {
            name: victim.name,
            billing: victim.address,
            ...(shipping === undefined ? {} : { shipping }),
            deviceId: `dev_small_${index}_${label}`,
            amount: 2_500,
          }),
        );
        if (decision.decision !== 'approved') continue;
        approvedTo.push(label);
        expect(decision.delivery_requirements).toEqual(['no_redirect', 'no_pickup_point', 'id_check_on_delivery']);
        const stored = await app.database.query<{ delivery_requirements: string[] }>(
          'SELECT delivery_requirements FROM orders WHERE id = $1',
          [decision.order!.id],
        );
        expect(stored[0]!.delivery_requirements).toEqual(decision.delivery_requirements);
        // The victim hears of it by post at their own address, whatever e-mail the attacker typed.
        const recipient = `${victim.name}, ${victim.address.street} ${victim.address.house_number}, ${victim.address.city}`;
        const letters = await messagesTo(recipient, 'identity_letter');
        expect(letters.at(-1)).toMatchObject({ channel: 'letter' });
        const code = /vul de code ([A-Z2-9]{5}-[A-Z2-9]{5}) in/.exec(letters.at(-1)!.text)?.[1];
        expect(code).toBeDefined();
        // The "not me" code files a claim (invoice paused) once.
        const report = await app.request('POST', '/v1/not-me', { key: null, body: { code: code!.toLowerCase() } });
        expect(report.statusCode, report.body).toBe(201);
        const [invoice] = await app.database.query<{ status: string }>(
          'SELECT status FROM invoices WHERE order_id = $1',
          [decision.order!.id],
        );
        expect(invoice!.status).toBe('paused');
        expect((await app.request('POST', '/v1/not-me', { key: null, body: { code } })).statusCode).toBe(409);
        // Nothing was sent to the attacker's e-mail: notices go to verified channels only.
        expect(await messagesTo(smallAttackers[index]!.email, 'order_notice')).toEqual([]);
      }
    }
    // The shipped model scores a first order with a stranger's e-mail high enough to ask anyway; the points score
    // lets the small, home-delivered one through, which is what shows the floor at work.
    if (scoring === 'points score') expect(approvedTo.length).toBeGreaterThan(0);
    expect(approvedTo.filter((label) => label !== 'victimsHome')).toEqual([]);
    expect((await app.request('POST', '/v1/not-me', { key: null, body: { code: 'AAAAA-AAAAA' } })).statusCode).toBe(
      404,
    );
  });

  it('a ghost account whose typed channels the attacker confirmed gets no power to approve larger orders', async () => {
    const victim = person(6_500);
    const ghostBuyer = person(9_500);
    app.clock.advance(60 * 60_000);
    const small = await authorize(
      sessionFor(ghostBuyer, { name: victim.name, billing: victim.address, amount: 2_000 }),
    );
    // With the shipped model even the small opening order is asked for a proof: no ghost account to abuse.
    if (scoring === 'shipped model' && small.decision === 'step_up') return;
    expect(small.decision).toBe('approved');
    await confirmChannels(ghostBuyer.email);
    await confirmChannels(ghostBuyer.phone);
    for (const shipping of [industrialEstate, victim.address]) {
      app.clock.advance(2 * day);
      const larger = await authorize(
        sessionFor(ghostBuyer, { name: victim.name, billing: victim.address, shipping, amount: 29_900 }),
      );
      expect(larger.decision).toBe('step_up');
      expect(larger.challenge!.methods.map((method) => method.method)).toEqual([
        'bank_identification',
        'verification_payment',
      ]);
    }
  });

  it('a customer onboarded live, later impersonated, is stepped up to the channels verified at onboarding', async () => {
    app.clock.advance(60 * 60_000);
    const first = await authorize(sessionFor(newcomer, { amount: 12_000 }));
    expect(first.decision).toBe('step_up');
    expect(first.challenge!.methods.map((method) => method.method)).toEqual([
      'bank_identification',
      'verification_payment',
    ]);
    // Their own bank confirms who they are; the new account is built from what the bank verified.
    const proof = await identifyAtBank(first.challenge!, 'newcomer', newcomerAtBank.password);
    expect(proof, JSON.stringify(proof)).toMatchObject({ status: 'verified', result: { decision: 'approved' } });
    const approved = proof.result!;
    const [order] = await app.database.query<{ delivery_requirements: string[] | null }>(
      'SELECT delivery_requirements FROM orders WHERE id = $1',
      [approved.order!.id],
    );
    expect(order!.delivery_requirements ?? []).toEqual([]);
    // Onboarding: a code (link) to the e-mail and the phone they gave; following each verifies it.
    await confirmChannels(newcomer.email);
    await confirmChannels(newcomer.phone);
    expect(await messagesTo(newcomer.email, 'channel_confirmation')).toHaveLength(1);
    expect(await messagesTo(newcomer.phone, 'channel_confirmation')).toHaveLength(1);

    // What the restart rebuilds from the database says the same: identity proven, both channels verified.
    const [{ account_id: accountId }] = (await app.database.query<{ account_id: string }>(
      'SELECT account_id FROM orders WHERE id = $1',
      [approved.order!.id],
    )) as [{ account_id: string }];
    const rebuilt = makeMemoryFeatureState();
    for await (const event of readHistory(app.database, { openInput: app.personalData.open })) rebuilt.applySync(event);
    const account = rebuilt
      .snapshotSync({ ...emptyQuery, at: app.clock.now() + 1, emailKey: normaliseEmail(newcomer.email)!.key })
      .accounts.get(accountId);
    expect(account?.identityProvenAt).not.toBeNull();
    // The account was built from what the bank verified (the date of birth only the bank gave) and is bank-linked.
    const [bankSubject] = await app.database.query<{ subject: string | null }>(
      'SELECT subject FROM account_bank_subjects WHERE account_id = $1',
      [accountId],
    );
    const [opened] = await openedAccounts(app, 'a.id = $1', [accountId]);
    expect({ date_of_birth: opened?.date_of_birth, subject: bankSubject?.subject }).toMatchObject({
      date_of_birth: newcomerAtBank.birthdate,
      subject: expect.any(String),
    });
    expect(account?.bankIdentifiedAt).not.toBeNull();
    expect(account?.channels.map((channel) => channel.verifiedAt !== null)).toEqual([true, true]);

    // Portal sign-in now works for them.
    const started = await app.request('POST', '/v1/me/sign-in', { key: null, body: { email: newcomer.email } });
    expect(started.statusCode).toBe(202);
    const [signInMessage] = (await messagesTo(newcomer.email, 'sign_in_code')).slice(-1);
    const code = /\b(\d{6})\b/.exec(signInMessage!.text)?.[1];
    const signedIn = await app.request('POST', '/v1/me/sign-in/verify', {
      key: null,
      body: { sign_in_id: started.json().sign_in_id, code },
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json().token).toBeTruthy();

    // An impersonator with their name, e-mail and phone, from a new device, to a new address.
    app.clock.advance(30 * day);
    const impersonated = await authorize(
      sessionFor(newcomer, {
        shipping: industrialEstate,
        deviceId: 'dev_impersonator',
        ip: '203.0.113.99',
        amount: 39_900,
      }),
    );
    expect(impersonated.decision).toBe('step_up');
    expect(impersonated.challenge!.methods).toEqual(
      expect.arrayContaining([
        { method: 'otp_sms', target: maskPhone(newcomer.phone) },
        { method: 'otp_email', target: maskEmail(newcomer.email) },
      ]),
    );
  });

  it('a customer’s postcode and house number with another street is not their home', async () => {
    const victim = loyal[0]!;
    app.clock.advance(60 * 60_000);
    // Everything about the victim, their device id (a claim like any other), and the home's postcode and number
    // on another street: before, this was approved as the trusted customer shipping home.
    const decision = await authorize(
      sessionFor(victim, { shipping: { ...victim.address, street: 'Industrieweg' }, amount: 4_500 }),
    );
    // A new address now (from a known device a small gift may still pass on the score, as for the real customer).
    expect(decision.reasons.map((reason) => reason.code)).not.toContain('trusted_customer');
    const home = await authorize(sessionFor(victim, { amount: 4_500 }));
    expect(home).toMatchObject({ decision: 'approved', reasons: [{ code: 'trusted_customer' }] });
  });

  it('at least 100 loyal customers with a new address, device, missing or carrier-NAT IP or own-domain e-mail: 0 declined', async () => {
    const outcomes: Record<string, number> = {};
    const refusals: string[] = [];
    for (const [index, customer] of loyal.entries()) {
      app.clock.advance(7 * 60_000);
      const friend = person(30_000 + index).address;
      const variant = index % 5;
      const options: SessionOptions = {
        amount: 4_500,
        category: 'gifts',
        shipping: variant === 1 ? undefined : friend,
        ...(variant === 1 ? { deviceId: `dev_new_laptop_${index}` } : {}),
        ...(variant === 3 ? { ip: `100.${64 + (index % 64)}.${index % 250}.7` } : {}),
      };
      const session = sessionFor(customer, options);
      const decision = await authorize(variant === 2 ? { ...session, device: { id: customer.deviceId } } : session);
      outcomes[decision.decision] = (outcomes[decision.decision] ?? 0) + 1;
      if (decision.decision === 'declined' || decision.decision === 'review')
        refusals.push(`${index}:${decision.decision}:${decision.reasons.map((reason) => reason.code).join('+')}`);
      if (decision.decision === 'step_up') {
        // Friction is a code to their own channels on file.
        expect(decision.challenge!.methods).toEqual(
          expect.arrayContaining([
            { method: 'otp_sms', target: maskPhone(customer.phone) },
            { method: 'otp_email', target: maskEmail(customer.email) },
          ]),
        );
      }
    }
    expect(refusals, JSON.stringify(outcomes)).toEqual([]);
    console.info(`[loyal customers, ${kind}, ${scoring}] ${JSON.stringify(outcomes)}`);
    expect((outcomes.approved ?? 0) + (outcomes.step_up ?? 0)).toBe(loyal.length);
  });
});
