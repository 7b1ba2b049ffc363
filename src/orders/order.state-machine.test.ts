import { describe, expect, it } from 'vitest';
import { transition, type OrderCommand, type OrderFigures, type OrderState } from './order.state-machine.ts';

const order = (state: OrderState, captured = 0, refunded = 0): OrderFigures => ({
  state,
  authorized: 10_000,
  captured,
  refunded,
});

describe('order state machine', () => {
  const allowed: Array<[string, OrderFigures, OrderCommand, string, Partial<OrderFigures>]> = [
    ['full capture', order('authorized'), { kind: 'capture', amount: 10_000 }, 'captured', { captured: 10_000 }],
    [
      'partial capture',
      order('authorized'),
      { kind: 'capture', amount: 4_000 },
      'partially_captured',
      { captured: 4_000 },
    ],
    ['last capture completes', order('partially_captured', 4_000), { kind: 'capture', amount: 6_000 }, 'captured', {}],
    ['cancel before capture', order('authorized'), { kind: 'cancel' }, 'cancelled', { captured: 0 }],
    ['cancel the rest', order('partially_captured', 4_000), { kind: 'cancel' }, 'captured', { captured: 4_000 }],
    ['expire before capture', order('authorized'), { kind: 'expire' }, 'expired', {}],
    ['expire the rest', order('partially_captured', 4_000), { kind: 'expire' }, 'captured', {}],
    [
      'rest expires after all was refunded',
      order('partially_captured', 4_000, 4_000),
      { kind: 'expire' },
      'refunded',
      {},
    ],
    ['partial refund', order('captured', 10_000), { kind: 'refund', amount: 2_500 }, 'captured', { refunded: 2_500 }],
    ['full refund', order('captured', 10_000, 2_500), { kind: 'refund', amount: 7_500 }, 'refunded', {}],
    [
      'refund while capturing',
      order('partially_captured', 4_000),
      { kind: 'refund', amount: 4_000 },
      'partially_captured',
      {},
    ],
    ['refund after payment', order('closed', 10_000), { kind: 'refund', amount: 1 }, 'closed', { refunded: 1 }],
    ['settled', order('captured', 10_000), { kind: 'settle' }, 'closed', {}],
  ];
  it.each(allowed)('%s', (_name, figures, command, state, expected) => {
    const result = transition(figures, command);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.figures.state).toBe(state);
    expect(result.figures).toMatchObject(expected);
  });

  const refused: Array<[string, OrderFigures, OrderCommand, string]> = [
    [
      'capture above the authorization',
      order('authorized'),
      { kind: 'capture', amount: 10_001 },
      'amount_above_capturable',
    ],
    [
      'capture above what is left',
      order('partially_captured', 9_000),
      { kind: 'capture', amount: 1_001 },
      'amount_above_capturable',
    ],
    ['capture of nothing', order('authorized'), { kind: 'capture', amount: 0 }, 'invalid_amount'],
    ['capture a cancelled order', order('cancelled'), { kind: 'capture', amount: 1 }, 'order_cancelled'],
    ['capture an expired order', order('expired'), { kind: 'capture', amount: 1 }, 'authorization_expired'],
    ['capture twice in full', order('captured', 10_000), { kind: 'capture', amount: 1 }, 'order_not_capturable'],
    ['cancel a captured order', order('captured', 10_000), { kind: 'cancel' }, 'order_already_captured'],
    ['cancel twice', order('cancelled'), { kind: 'cancel' }, 'order_cancelled'],
    ['refund before capture', order('authorized'), { kind: 'refund', amount: 1 }, 'nothing_captured'],
    [
      'refund above captured',
      order('partially_captured', 4_000),
      { kind: 'refund', amount: 4_001 },
      'amount_above_refundable',
    ],
    [
      'refund twice in full',
      order('refunded', 10_000, 10_000),
      { kind: 'refund', amount: 1 },
      'amount_above_refundable',
    ],
    ['refund an expired order', order('expired'), { kind: 'refund', amount: 1 }, 'authorization_expired'],
    ['settle while capturing', order('partially_captured', 1), { kind: 'settle' }, 'order_not_settleable'],
  ];
  it.each(refused)('refuses: %s', (_name, figures, command, code) => {
    const result = transition(figures, command);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
  });
});
