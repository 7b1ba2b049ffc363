// Issue 3's acceptance scenarios through the HTTP API, with history brought in by the import: the reported
// attack, ghost invoices, and friction for genuine returning customers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, type DatabaseKind } from './databases.ts';
import { makeTestApplication, type TestApplication, postImport } from './application.ts';
import { person, sessionFor, type Person } from '../src/risk/testing/scenario.fixtures.ts';

const day = 86_400_000;

function historyFor(people: readonly Person[], now: number): string {
  const since = now - 400 * day;
  const lines: object[] = [];
  for (const who of people) {
    lines.push({
      type: 'account',
      id: who.accountId,
      created_at: new Date(since).toISOString(),
      name: who.name,
      email: who.email,
      phone: who.phone,
      address: who.address,
    });
  }
  for (let order = 0; order < 6; order++) {
    for (const who of people) {
      const placed = since + (order + 1) * 50 * day + who.index * 60_000;
      const session = sessionFor(who, { amount: 4_000 + ((who.index * 7 + order * 13) % 40) * 100 });
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
  lines.sort((a, b) => String(Object.values(a)[2]).localeCompare(String(Object.values(b)[2])));
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

// Once on the ruleset's transparent points score, once with the shipped model as champion (what `npm start` serves).
const variants = databaseKinds.flatMap((kind): [DatabaseKind, string][] => [
  [kind, 'points score'],
  [kind, 'shipped model'],
]);

describe.each(variants)('risk acceptance through the API on %s with the %s', (kind, scoring) => {
  let app: TestApplication;
  const colleagues = [0, 1, 2, 3].map((index) => person(100 + index));
  // The fixtures' 16th first name (Zoë) makes a non-ASCII e-mail the checkout schema refuses: skip it.
  const asciiPeople = (from: number, count: number) =>
    Array.from({ length: count * 2 }, (_, index) => from + index)
      .filter((index) => index % 16 !== 15)
      .slice(0, count)
      .map(person);
  const genuine = asciiPeople(1_000, 100);
  const strangers = asciiPeople(5_000, 10);
  const attacker = person(9_000);

  async function authorize(session: object) {
    const created = await app.request('POST', '/v1/sessions', { body: session });
    expect(created.statusCode).toBe(201);
    const response = await app.request('POST', `/v1/sessions/${created.json().id}/authorize`);
    expect(response.statusCode).toBe(200);
    return response.json() as {
      decision: string;
      reasons: { code: string }[];
      challenge?: { methods: { method: string; target: string | null }[] };
    };
  }

  beforeAll(async () => {
    app = await makeTestApplication(kind, scoring === 'shipped model' ? { defaultModelPath: undefined } : {});
    const imported = await postImport(app.server, historyFor([...colleagues, ...genuine], app.clock.now()));
    expect(imported.json().rejected.slice(0, 3)).toEqual([]);
    expect(imported.json().imported).toBe((4 + 100) * 7);
  });
  afterAll(async () => {
    await app.close();
  });

  it('the reported attack: 40 orders with a colleague’s name, e-mail and phone, none approved without step-up', async () => {
    const outcomes: string[] = [];
    for (const [index, buyer] of colleagues.entries()) {
      const victim = colleagues[(index + 1) % colleagues.length]!;
      for (let attempt = 0; attempt < 10; attempt++) {
        app.clock.advance(7 * 60_000);
        const decision = await authorize(
          sessionFor(buyer, {
            name: victim.name,
            email: victim.email,
            phone: victim.phone,
            // Half bill the victim at home, half claim the attacker's own address; all ship to the attacker.
            billing: attempt % 2 === 0 ? victim.address : buyer.address,
            shipping: buyer.address,
            amount: 93_900,
            category: 'electronics',
          }),
        );
        outcomes.push(decision.decision);
        if (decision.decision === 'step_up') {
          // A code may only go to the victim's channels on file: the attacker cannot read them.
          for (const method of decision.challenge?.methods ?? []) {
            if (method.method.startsWith('otp_'))
              expect(method.target).not.toContain(buyer.phone.slice(-3) + buyer.email);
          }
        }
      }
    }
    expect(outcomes).toHaveLength(40);
    expect(outcomes.filter((outcome) => outcome === 'approved')).toHaveLength(0);
  });

  it('ghost invoices: a stranger’s name and home with the attacker’s e-mail and phone are never approved outright', async () => {
    const outcomes: string[] = [];
    for (const [index, stranger] of strangers.entries()) {
      app.clock.advance(13 * 60_000);
      const decision = await authorize(
        sessionFor(attacker, {
          name: stranger.name,
          billing: stranger.address,
          // Shipped elsewhere, or to the victim's own address from a new device (to intercept the parcel).
          shipping: index % 2 === 0 ? attacker.address : stranger.address,
          deviceId: `dev_fresh_${index}`,
          amount: 45_000 + index * 1_000,
          category: 'electronics',
        }),
      );
      outcomes.push(decision.decision);
      if (decision.decision === 'step_up') {
        // Never a code to the e-mail or phone typed at this checkout: only strong verification.
        expect(decision.challenge?.methods.map((method) => method.method)).not.toContain('otp_email');
        expect(decision.challenge?.methods.map((method) => method.method)).not.toContain('otp_sms');
      }
    }
    expect(outcomes.filter((outcome) => outcome === 'approved')).toHaveLength(0);
  });

  it('friction: at least 95 of 100 genuine returning customers are approved without step-up', async () => {
    let approved = 0;
    const others: string[] = [];
    for (const [index, customer] of genuine.entries()) {
      app.clock.advance(11 * 60_000);
      // Known device, or the known home address from a new device; normal amounts.
      const decision = await authorize(
        sessionFor(customer, {
          amount: 3_500 + (index % 20) * 250,
          ...(index % 4 === 0 ? { deviceId: `dev_new_phone_${index}`, ip: `77.160.${index}.20` } : {}),
        }),
      );
      if (decision.decision === 'approved') approved += 1;
      else others.push(`${decision.decision}:${decision.reasons.map((reason) => reason.code).join('+')}`);
    }
    expect(approved, others.join(', ')).toBeGreaterThanOrEqual(95);
  });
});
