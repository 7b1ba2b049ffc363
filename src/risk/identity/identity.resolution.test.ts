// Identity resolution: which account a claim points to, how strongly, and the conflicts, over a real state snapshot.
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseSession } from '../normalise/session.normaliser.ts';
import { snapshotQuery } from '../risk.engine.ts';
import { makeMemoryFeatureState, type MemoryFeatureState } from '../state/memory.feature-state.ts';
import {
  customerHistory,
  dayMs,
  person,
  sessionFor,
  testNow,
  type SessionOptions,
} from '../testing/scenario.fixtures.ts';
import { resolveIdentity, type ConflictKind } from './identity.resolution.ts';

const alice = person(1);
const bob = person(2);
const carol = person(3);
let state: MemoryFeatureState;

beforeAll(() => {
  state = makeMemoryFeatureState();
  const history = [
    ...customerHistory(alice, { since: testNow - 300 * dayMs, orders: 3 }),
    ...customerHistory(bob, { since: testNow - 300 * dayMs, orders: 3 }),
    ...customerHistory(carol, { since: testNow - 300 * dayMs, orders: 1, verified: false }),
  ].sort((left, right) => left.at - right.at);
  for (const event of history) state.applySync(event);
});

function resolve(buyer = alice, options: SessionOptions = {}, at = testNow) {
  const session = sessionFor(buyer, options);
  const claim = normaliseSession(session);
  return resolveIdentity(claim, session.customer, state.snapshotSync(snapshotQuery(claim, at)));
}

describe('resolveIdentity', () => {
  it.each<[string, SessionOptions, string | null, readonly ConflictKind[]]>([
    ['exact claim', {}, alice.accountId, []],
    [
      'e-mail with other case, dots and a plus-tag',
      { email: alice.email.replace('@', '+shop@').toUpperCase() },
      alice.accountId,
      [],
    ],
    ['phone typed nationally', { phone: `06${alice.phone.slice(4)}` }, alice.accountId, []],
    ['name with a typo', { name: alice.name.replace('e', 'é') }, alice.accountId, []],
    [
      'name and home address only, fresh contact details',
      { email: 'someone@outlook.com', phone: '+31699999999' },
      alice.accountId,
      [],
    ],
    [
      'stranger',
      { name: 'Xander Quist', email: 'xq@example.nl', phone: '+31688888888', billing: person(99).address },
      null,
      [],
    ],
    [
      "alice's e-mail with bob's phone",
      { email: alice.email, phone: bob.phone },
      alice.accountId,
      ['email_and_phone_point_to_different_accounts', 'phone_belongs_to_other_account'],
    ],
    [
      "bob's name and address with alice's contact details",
      { name: bob.name, billing: bob.address },
      alice.accountId,
      ['name_differs_from_account', 'name_and_address_belong_to_other_account'],
    ],
  ])('%s', (_name, options, accountId, conflicts) => {
    const resolution = resolve(alice, options);
    expect(resolution.accountId).toBe(accountId);
    expect(resolution.newCustomer).toBe(accountId === null);
    expect([...resolution.conflicts].sort()).toEqual([...conflicts].sort());
  });

  it('reports match strength per attribute', () => {
    const resolution = resolve(alice, { phone: '+31677777777' });
    expect(resolution.attributes).toMatchObject({ email: 1, phone: 0, name: 1, billingAddress: 1, dateOfBirth: null });
    expect(resolution.strength).toBeGreaterThan(0.5);
    expect(resolution.strength).toBeLessThan(1);
  });

  it('tells verified on-file channels from merely typed ones', () => {
    const verified = resolve(alice);
    expect(verified.emailChannel?.verifiedAt).not.toBeNull();
    expect(verified.phoneChannel?.channelId).toBe(`ch_${alice.index}_phone`);
    const unverified = resolve(carol);
    expect(unverified.accountId).toBe(carol.accountId);
    expect(unverified.phoneChannel?.verifiedAt).toBeNull();
    const typed = resolve(alice, { phone: '+31677777777' });
    expect(typed.phoneChannel).toBeNull();
  });

  it('does not see accounts created after the decision time', () => {
    expect(resolve(alice, {}, testNow - 301 * dayMs).accountId).toBeNull();
  });
});
