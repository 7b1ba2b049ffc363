// Policy: the documented precedence, lists, provider outages and the one principle for challenge options.
import { describe, expect, it } from 'vitest';
import type { ChallengeMethod, Decision, HistoryEvent } from '../engine.ts';
import { makeRiskEngine, type RiskModel } from '../risk.engine.ts';
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
  deps: {
    lists?: Lists;
    phone?: Provider<string, PhoneSignals>;
    possessionProofs?: readonly ChallengeMethod[];
    extraHistory?: readonly HistoryEvent[];
    model?: RiskModel;
  } = {},
  buyer = owner,
): Promise<Decision> {
  const engine = makeRiskEngine({
    lists: deps.lists ?? noLists,
    providers: makeProviderSet({ phone: deps.phone, guard: { deadlineMs: 20 } }),
    possessionProofs: deps.possessionProofs,
    ...(deps.model === undefined ? {} : { model: deps.model }),
  });
  for (const event of [...history, ...(deps.extraHistory ?? [])].sort((left, right) => left.at - right.at))
    await engine.record(event);
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
      'a credit decline beats step-up rules, and says it is about credit',
      { shipping: person(50).address, deviceId: 'new', amount: 400_000 },
      {},
      'declined',
      'credit_exposure_limit',
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

const possessionOptions = [
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

  it('gives an account without verified channels only the possession proofs', async () => {
    const decision = await decide({ shipping: person(50).address, deviceId: 'new' }, {}, other);
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions).toEqual(possessionOptions);
  });

  it('never sends a new customer a code to what they just typed', async () => {
    const stranger = person(60);
    const decision = await decide({ amount: 50_000 }, {}, stranger);
    expect(decision.accountId).toBeNull();
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions).toEqual(possessionOptions);
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

describe('ask before you refuse', () => {
  // A long-standing customer ordering far above the usual, to a new address, from a new device, at night-ish:
  // the points score alone reaches the decline band.
  const doubtful = {
    shipping: { ...person(51).address, street: 'Packstation locker' },
    deviceId: 'new',
    ip: '8.8.8.8',
    amount: 120_000,
    category: 'gift_card',
    email: 'someone.else@mailinator.com',
  } satisfies SessionOptions;

  it('turns identity doubt into a step-up through the holder’s own channels while a method exists', async () => {
    const decision = await decide(doubtful);
    expect(decision.outcome).toBe('step_up');
    expect(decision.challengeOptions.map((option) => option.method)).toContain('bank_identification');
    expect(JSON.stringify(decision.challengeOptions)).not.toContain('mailinator');
  });

  it('falls back to review or decline only when no method exists for this person', async () => {
    const decision = await decide(doubtful, { possessionProofs: [] }, other);
    expect(decision.challengeOptions).toEqual([]);
    expect(['review', 'declined']).toContain(decision.outcome);
  });

  it('keeps a link to confirmed fraud a review: a proof does not explain it away', async () => {
    const fraudLink: HistoryEvent[] = [
      { kind: 'label', orderId: `ord_${owner.index}_0`, at: testNow - dayMs, label: 'fraud_third_party' },
    ];
    const decision = await decide({}, { extraHistory: fraudLink });
    expect(decision.outcome).toBe('review');
    expect(decision.reasons.map((reason) => reason.code)).toContain('linked_to_fraud');
  });
});

describe('new customers and unproven accounts', () => {
  const stranger = person(61);
  const home = { shipping: stranger.address, category: 'fashion' } satisfies SessionOptions;

  it('approves a small first order to the billing address, with delivery requirements', async () => {
    const decision = await decide({ ...home, amount: 3_000 }, {}, stranger);
    expect(decision.outcome, JSON.stringify(decision.reasons)).toBe('approved');
    expect(decision.deliveryRequirements).toEqual(['no_redirect', 'no_pickup_point', 'id_check_on_delivery']);
  });

  it('asks for a possession proof above the floor, or for delivery anywhere but the billing address', async () => {
    for (const options of [
      { ...home, amount: 5_001 },
      { ...home, amount: 3_000, shipping: person(62).address },
    ]) {
      const decision = await decide(options, {}, stranger);
      expect(decision.outcome).toBe('step_up');
      expect(decision.challengeOptions).toEqual(possessionOptions);
    }
  });

  it('does not let channels verified on an unproven, unpaid account approve above the floor', async () => {
    const ghost = person(63);
    const ghostHistory = customerHistory(ghost, { since: testNow - 40 * dayMs, orders: 0 });
    // From a new device to a new address: a step-up either way; the question is which methods count.
    const above = {
      amount: 20_000,
      category: 'fashion',
      shipping: person(64).address,
      deviceId: 'new',
    } satisfies SessionOptions;
    const unproven = await decide(above, { extraHistory: ghostHistory }, ghost);
    expect(unproven.outcome).toBe('step_up');
    expect(unproven.challengeOptions).toEqual(possessionOptions);
    const proven = await decide(
      above,
      {
        extraHistory: [
          ...ghostHistory,
          {
            kind: 'verification',
            accountId: ghost.accountId,
            at: testNow - dayMs,
            method: 'bank_identification',
            deviceId: null,
          },
        ],
      },
      ghost,
    );
    expect(proven.outcome).toBe('step_up');
    expect(proven.challengeOptions.map((option) => option.method)).toContain('otp_sms');
  });
});

describe('a calibrated model: bands by expected loss and the first-party credit limit', () => {
  const calibrated = (probability: number, firstParty?: number): RiskModel => ({
    version: 'calibrated-test',
    calibrated: true,
    score: () => probability,
    ...(firstParty === undefined ? {} : { firstPartyProbability: () => firstParty }),
  });

  it('approves a EUR 15 order and steps up a EUR 120 order at the same 5% probability', async () => {
    // A new laptop: no allow rule vouches for the order, so the score decides.
    const cheap = await decide({ amount: 1_500, deviceId: 'new-laptop' }, { model: calibrated(0.05) });
    expect(cheap.outcome).toBe('approved');
    expect(cheap.score).toBe(0.05);
    const dear = await decide({ amount: 12_000, deviceId: 'new-laptop' }, { model: calibrated(0.05) });
    expect(dear.outcome).toBe('step_up');
    expect(dear.reasons.map((reason) => reason.code)).toContain('risk_score_step_up');
    expect(dear.score).toBe(0.05);
    const clean = await decide({ amount: 12_000, deviceId: 'new-laptop' }, { model: calibrated(0) });
    expect(clean.outcome).toBe('approved');
  });

  it('declines above budget / first-party probability as a credit limit, and only above it', async () => {
    // 10% first-party risk: EUR 50 budget / 0.1 = EUR 500 limit.
    const above = await decide({ amount: 60_000 }, { model: calibrated(0, 0.1) });
    expect(above.outcome).toBe('declined');
    expect(above.reasons.map((reason) => reason.code)).toEqual(['credit_limit']);
    const below = await decide({ amount: 40_000 }, { model: calibrated(0, 0.1) });
    expect(below.outcome).not.toBe('declined');
  });
});
