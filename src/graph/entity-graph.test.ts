// Pure parts of the entity graph: what kind of identifier was typed, and which shared addresses count as drop addresses.
import { describe, expect, it } from 'vitest';
import { classifyIdentifier, dropAddressClusters, makeGraphBuilder, type OrderFacts } from './entity-graph.ts';

describe('classifyIdentifier', () => {
  it.each([
    ['acc_01abc', { kind: 'account', key: 'acc_01abc' }],
    ['ord_01abc', { kind: 'order', key: 'ord_01abc' }],
    [' J.Doe+shop@Example.NL ', { kind: 'email', key: 'j.doe@example.nl' }],
    ['06 1234 5678', { kind: 'phone', key: '+31612345678' }],
    ['203.0.113.7', { kind: 'ip', key: '203.0.113.7' }],
    ['NL91 ABNA 0417 1643 00', { kind: 'iban', key: 'NL91ABNA0417164300' }],
    ['NL|3511AB|5||kerkstraat|utrecht', { kind: 'address', key: 'NL|3511AB|5||kerkstraat|utrecht' }],
    ['dev-ring-7', { kind: 'device', key: 'dev-ring-7' }],
  ])('%s', (typed, expected) => {
    expect(classifyIdentifier(typed)).toEqual(expected);
  });

  it('refuses what is not the kind asked for', () => {
    expect(classifyIdentifier('not-an-email@', 'email')).toBeNull();
    expect(classifyIdentifier('   ')).toBeNull();
  });
});

const order = (id: string, account: string, street: string, device: string): OrderFacts => ({
  id,
  accountId: account,
  accountName: account,
  placedAt: new Date('2026-10-01T12:00:00Z'),
  amount: 1000,
  currency: 'EUR',
  state: 'captured',
  shipped: id.endsWith('shipped'),
  fraudLabel: null,
  email: null,
  phone: null,
  deviceId: device,
  ip: null,
  iban: null,
  billingAddress: { street: 'Dorpsweg', house_number: id, postal_code: '1100 AA', city: 'Amstelveen', country: 'NL' },
  shippingAddress: { street, house_number: '5', postal_code: '3511 AB', city: 'Utrecht', country: 'NL' },
});

describe('dropAddressClusters', () => {
  it('finds a home shared by enough accounts, never a pick-up point, and lists only open orders', () => {
    const builder = makeGraphBuilder();
    for (const [index, account] of ['a', 'b', 'c'].entries()) {
      builder.addOrder(order(`${index}${index === 0 ? '-shipped' : ''}`, account, 'Kerkstraat', `dev-${account}`));
      builder.addOrder(order(`p${index}`, account, 'PostNL Punt Primera Kerkstraat', `dev-${account}`));
    }
    builder.addOrder(order('x', 'd', 'Molenweg', 'dev-d'));
    const clusters = dropAddressClusters(builder.nodes(), builder.edges(), 3);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({
      label: 'Kerkstraat 5, Utrecht',
      accounts: ['account:a', 'account:b', 'account:c'],
      devices: ['device:dev-a', 'device:dev-b', 'device:dev-c'],
      open_orders: ['order:1', 'order:2'],
    });
    expect(dropAddressClusters(builder.nodes(), builder.edges(), 4)).toEqual([]);
  });
});
