// Policy: the documented precedence, lists, provider outages and the one principle for challenge options.
import { describe, expect, it } from 'vitest';
import type { Decision, HistoryEvent } from '../engine.ts';
import { makeRiskEngine } from '../risk.engine.ts';
import type { Provider } from '../providers/provider.ts';
import { makeProviderSet } from '../providers/provider.set.ts';
import type { PhoneSignals } from '../providers/phone.provider.ts';
import {
  customerHistory,
  dayMs,
  decisionInput,
  person,
  sessionFor,
  testNow,
  type SessionOptions,
} from '../testing/scenario.fixtures.ts';
import { maskEmail, maskPhone } from './challenge.options.ts';
import {
  addressListValue,
  makeMemoryListView,
  noLists,
  normaliseListValue,
  type ListKind,
  type Lists,
} from './list.view.ts';

const owner = person(10);
const other = person(11);
const history: HistoryEvent[] = [
  ...customerHistory(owner, { since: testNow - 300 * dayMs, orders: 4 }),
  ...customerHistory(other, { since: testNow - 300 * dayMs, orders: 4, verified: false }),
].sort((left, right) => left.at - right.at);

async function decide(
  options: SessionOptions,
  deps: { lists?: Lists; phone?: Provider<string, PhoneSignals> } = {},
  buyer = owner,
): Promise<Decision> {
  const engine = makeRiskEngine({
    lists: deps.lists ?? noLists,
    providers: makeProviderSet({ phone: deps.phone, guard: { deadlineMs: 20 } }),
  });
  for (const event of history) await engine.record(event);
  return engine.decide(decisionInput(sessionFor(buyer, options), testNow));
}

const lists = (block: [ListKind, string][], allow: [ListKind, string][] = []): Lists => ({
  block: makeMemoryListView(block),
  allow: makeMemoryListView(allow),
});
const hangingPhone: Provider<string, PhoneSignals> = {
  name: 'phone_live',
  cacheKey: (raw) => raw,
  lookup: () => new Promise(() => undefined),
};

describe('policy precedence', () => {
  it.each<[string, SessionOptions, Parameters<typeof decide>[1], Decision['outcome'], string]>([
    ['genuine returning customer', {}, {}, 'approved', 'trusted_customer'],
    [
      'block list beats an allow rule',
      {},
      { lists: lists([['email', normaliseListValue('email', owner.email.toUpperCase())!]]) },
      'declined',
      'blocked',
    ],
    [
      'block list on a normalised address',
      {},
      {
        lists: lists([
          ['address', addressListValue({ ...owner.address, postal_code: owner.address.postal_code.toLowerCase() })],
        ]),
      },
      'declined',
      'blocked',
    ],
    [
      'decline rule beats step-up rules',
      { shipping: person(50).address, deviceId: 'new', amount: 400_000 },
      {},
      'declined',
      'exposure_limit',
    ],
    [
      'step-up rule beats the allow list',
      { shipping: person(50).address, deviceId: 'new' },
      { lists: lists([], [['device', 'new']]) },
      'step_up',
      'new_delivery_address',
    ],
    [
      'allow list (device) overrides a high score only',
      { deviceId: owner.deviceId, category: 'electronics', amount: 9_000 },
      { lists: lists([], [['device', owner.deviceId]]) },
      'approved',
      'trusted',
    ],
  ])('%s -> %s', async (_name, options, deps, outcome, code) => {
    const decision = await decide(options, deps);
    expect(decision.outcome).toBe(outcome);
    expect(decision.reasons.map((reason) => reason.code)).toContain(code);
  });

  it('allow lists never vouch for a typed e-mail', async () => {
    const decision = await decide(
      { shipping: person(50).address, deviceId: 'new' },
      { lists: lists([], [['email', owner.email]]) },
    );
    expect(decision.outcome).toBe('step_up');
  });

  it('says a provider was unavailable and does not silently approve on a raised score', async () => {
    const decision = await decide(
      { deviceId: 'new_device', ip: '8.8.8.8', amount: 60_000, category: 'electronics' },
      { phone: hangingPhone },
    );
    expect(decision.reasons.map((reason) => reason.code)).toContain('provider_unavailable_phone_live');
    expect(decision.outcome).not.toBe('approved');
  });

  it('still approves a clean returning customer during an outage, and says so', async () => {
    const decision = await decide({}, { phone: hangingPhone });
    expect(decision.outcome).toBe('approved');
    expect(decision.reasons.map((reason) => reason.code)).toContain('provider_unavailable_phone_live');
  });
});

const bankProofs = [
  { method: 'bank_identification', channelId: null, maskedTarget: null },
  { method: 'verification_payment', channelId: null, maskedTarget: null },
];

describe('challenge options: the one principle', () => {
  it('offers codes only to channels verified before the purchase, by on-file id, whatever was typed', async () => {
    const decision = await decide({ shipping: person(50).address, deviceId: 'new', phone: '+31612999999' });
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions).toEqual([
      { method: 'otp_sms', channelId: `ch_${owner.index}_phone`, maskedTarget: maskPhone(owner.phone) },
      { method: 'otp_email', channelId: `ch_${owner.index}_email`, maskedTarget: maskEmail(owner.email) },
      { method: 'bank_identification', channelId: null, maskedTarget: null },
      { method: 'verification_payment', channelId: null, maskedTarget: null },
    ]);
    expect(JSON.stringify(decision.challengeOptions)).not.toContain('999999');
  });

  it('gives an account without verified channels only the proofs at their own bank', async () => {
    const decision = await decide({ shipping: person(50).address, deviceId: 'new' }, {}, other);
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions).toEqual(bankProofs);
  });

  it('never sends a new customer a code to what they just typed', async () => {
    const stranger = person(60);
    const decision = await decide({ amount: 50_000 }, {}, stranger);
    expect(decision.accountId).toBeNull();
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions).toEqual(bankProofs);
  });

  it('honours the customer asking to verify every purchase', async () => {
    const engine = makeRiskEngine();
    for (const event of history) await engine.record(event);
    await engine.record({ kind: 'preference', accountId: owner.accountId, at: testNow - dayMs, alwaysVerify: true });
    const decision = await engine.decide(decisionInput(sessionFor(owner), testNow));
    expect(decision.outcome).toBe('step_up');
    expect(decision.reasons[0]?.code).toBe('customer_requested_verification');
  });

  it.each([
    ['+31612345678', '+31 6 ** ** *678'],
    ['+4915112345678', '+49 ** ** *678'],
  ])('masks phone %s as %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
  it('masks e-mail', () => {
    expect(maskEmail('jan.jansen@gmail.com')).toBe('j***@g***.com');
  });
});
