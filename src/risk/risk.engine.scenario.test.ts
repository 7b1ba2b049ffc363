// Engine-level acceptance scenarios (pure, in-process): the reported attack, ghost invoices, and friction for genuine customers.
import { describe, expect, it } from 'vitest';
import type { Decision, HistoryEvent, RiskEngine } from './engine.ts';
import { makeRiskEngine } from './risk.engine.ts';
import {
  customerHistory,
  dayMs,
  decisionInput,
  makeRandom,
  person,
  sessionFor,
  testNow,
  type Person,
} from './testing/scenario.fixtures.ts';

async function engineWith(history: readonly HistoryEvent[]): Promise<RiskEngine> {
  const engine = makeRiskEngine();
  for (const event of [...history].sort((left, right) => left.at - right.at)) await engine.record(event);
  return engine;
}

/** The pipeline records an approved order as history, so later attempts see it. */
async function recordIfApproved(
  engine: RiskEngine,
  decision: Decision,
  orderId: string,
  at: number,
  session: Parameters<typeof sessionFor>[0] extends never ? never : ReturnType<typeof sessionFor>,
): Promise<void> {
  if (decision.outcome !== 'approved' || decision.accountId === null) return;
  await engine.record({ kind: 'order', orderId, accountId: decision.accountId, merchantId: 'mer_test', at, session });
}

const approvedWithoutStepUp = (decisions: readonly Decision[]): number =>
  decisions.filter((decision) => decision.outcome === 'approved').length;

describe('the reported attack: colleagues order with each other identity', () => {
  it('approves none of 40 orders without step-up, and never offers a code to a typed channel', async () => {
    const colleagues = [0, 1, 2, 3].map((index) => person(100 + index));
    const history = colleagues.flatMap((colleague) =>
      customerHistory(colleague, { since: testNow - 400 * dayMs, orders: 6 }),
    );
    const engine = await engineWith(history);
    const decisions: Decision[] = [];
    for (let round = 0; round < 10; round += 1) {
      for (const [index, attacker] of colleagues.entries()) {
        const victim = colleagues[(index + 1) % colleagues.length]!;
        const at = testNow + (round * 4 + index) * 7 * 60_000;
        const session = sessionFor(attacker, {
          name: victim.name,
          email: victim.email,
          phone: victim.phone,
          billing: victim.address,
          shipping: attacker.address,
          amount: 93_900,
          category: 'electronics',
        });
        const decision = await engine.decide(decisionInput(session, at));
        decisions.push(decision);
        await recordIfApproved(engine, decision, `ord_attack_${round}_${index}`, at, session);
        expect(decision.accountId).toBe(victim.accountId);
        for (const option of decision.challengeOptions) {
          if (option.method === 'otp_sms' || option.method === 'otp_email')
            expect(option.channelId).toMatch(new RegExp(`^ch_${victim.index}_`));
        }
      }
    }
    expect(approvedWithoutStepUp(decisions)).toBe(0);
  });

  it('also catches the variant where the victim billing address is left out', async () => {
    const [attacker, victim] = [person(200), person(201)];
    const engine = await engineWith([
      ...customerHistory(attacker, { since: testNow - 300 * dayMs, orders: 5 }),
      ...customerHistory(victim, { since: testNow - 300 * dayMs, orders: 5 }),
    ]);
    const decision = await engine.decide(
      decisionInput(sessionFor(attacker, { name: victim.name, email: victim.email, phone: victim.phone }), testNow),
    );
    expect(decision.outcome).not.toBe('approved');
  });
});

describe('ghost invoices: a stranger name and address with the attacker contact details', () => {
  it('approves none without strong verification', async () => {
    const random = makeRandom(7);
    const attacker = person(300);
    const customers = Array.from({ length: 20 }, (_, index) => person(400 + index));
    const history = [
      ...customerHistory(attacker, { since: testNow - 200 * dayMs, orders: 3 }),
      ...customers.flatMap((customer) => customerHistory(customer, { since: testNow - 500 * dayMs, orders: 4 })),
    ];
    const engine = await engineWith(history);
    const decisions: Decision[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const strangerIsCustomer = attempt % 2 === 0;
      const stranger = strangerIsCustomer ? customers[attempt % customers.length]! : person(1_000 + attempt);
      const usesOwnAccountContacts = attempt % 4 < 2;
      const email = usesOwnAccountContacts ? attacker.email : `deals${attempt}@outlook.com`;
      const phone = usesOwnAccountContacts ? attacker.phone : `+3169${String(1_000_000 + attempt).padStart(7, '0')}`;
      const shipElsewhere = attempt % 3 !== 0;
      const at = testNow + attempt * 3 * 3_600_000;
      const session = sessionFor(stranger, {
        email,
        phone,
        shipping: shipElsewhere ? person(2_000 + attempt).address : undefined,
        deviceId: `ghost_device_${attempt}`,
        ip: `5.${attempt}.1.1`,
        amount: 10_000 + Math.floor(random() * 140_000),
        category: random() < 0.6 ? 'electronics' : 'fashion',
      });
      const decision = await engine.decide(decisionInput(session, at));
      decisions.push(decision);
      if (decision.outcome === 'step_up') {
        // Strong verification only: a bank-account check, or a code to the stranger's own verified channel.
        for (const option of decision.challengeOptions) {
          if (option.channelId !== null) expect(option.channelId).toMatch(new RegExp(`^ch_${stranger.index}_`));
        }
      }
    }
    expect(approvedWithoutStepUp(decisions)).toBe(0);
  });
});

describe('friction: genuine returning customers', () => {
  it('approves at least 95 of 100 without step-up', async () => {
    const random = makeRandom(11);
    const customers: Person[] = Array.from({ length: 100 }, (_, index) => person(5_000 + index));
    const history = customers.flatMap((customer, index) => {
      const events = customerHistory(customer, {
        since: testNow - (120 + index) * dayMs,
        orders: 3 + (index % 5),
        amount: 3_000 + (index % 7) * 2_000,
      });
      return events;
    });
    const engine = await engineWith(history);
    let approved = 0;
    for (const [index, customer] of customers.entries()) {
      const knownDevice = random() < 0.7;
      const knownAddress = !knownDevice || random() < 0.85;
      const session = sessionFor(customer, {
        amount: Math.round((3_000 + (index % 7) * 2_000) * (0.6 + random())),
        deviceId: knownDevice ? customer.deviceId : `new_phone_${index}`,
        ip: random() < 0.5 ? customer.ip : `84.${index}.9.9`,
        shipping: knownAddress ? undefined : person(9_000 + index).address,
      });
      const decision = await engine.decide(decisionInput(session, testNow + index * 60_000));
      if (decision.outcome === 'approved') approved += 1;
    }
    expect(approved).toBeGreaterThanOrEqual(95);
  });
});
