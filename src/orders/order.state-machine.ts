// The order life-cycle in one place: every capture, cancel, expiry, refund and settlement goes through `transition`.

export const orderStates = [
  'authorized',
  'partially_captured',
  'captured',
  'refunded',
  'closed',
  'cancelled',
  'expired',
] as const;
export type OrderState = (typeof orderStates)[number];

/** The money of an order in cents: what was authorized, captured (shipped and invoiced) and refunded. */
export interface OrderFigures {
  readonly state: OrderState;
  readonly authorized: number;
  readonly captured: number;
  readonly refunded: number;
}

export type OrderCommand =
  | { readonly kind: 'capture'; readonly amount: number }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'expire' }
  | { readonly kind: 'refund'; readonly amount: number }
  /** The invoice is paid in full: nothing is owed and nothing more can be captured. */
  | { readonly kind: 'settle' };

export type OrderEventName =
  | 'captured'
  | 'partially_captured'
  | 'cancelled'
  | 'remainder_cancelled'
  | 'expired'
  | 'remainder_expired'
  | 'refunded'
  | 'partially_refunded'
  | 'closed';

export interface TransitionError {
  readonly status: 409 | 422;
  readonly code: string;
  readonly message: string;
}

export type Transition =
  | { readonly ok: true; readonly event: OrderEventName; readonly figures: OrderFigures }
  | { readonly ok: false; readonly error: TransitionError };

const fail = (status: 409 | 422, code: string, message: string): Transition => ({
  ok: false,
  error: { status, code, message },
});

/** States in which more of the authorization may still be captured. */
export const capturableStates: readonly OrderState[] = ['authorized', 'partially_captured'];

/** Why a closed-off order refuses a command, by state: the same answer whatever the command. */
const finished: Partial<Record<OrderState, TransitionError>> = {
  cancelled: { status: 409, code: 'order_cancelled', message: 'the order was cancelled' },
  expired: { status: 409, code: 'authorization_expired', message: 'the authorization expired before capture' },
};

export const capturable = (order: OrderFigures) =>
  capturableStates.includes(order.state) ? order.authorized - order.captured : 0;

export const refundable = (order: OrderFigures) => order.captured - order.refunded;

/** Pure: the next state of an order under a command, or why the command is refused. */
export function transition(order: OrderFigures, command: OrderCommand): Transition {
  const stop = finished[order.state];
  if (stop) return { ok: false, error: stop };
  switch (command.kind) {
    case 'capture': {
      if (!capturableStates.includes(order.state)) {
        return fail(409, 'order_not_capturable', `an order in state ${order.state} cannot be captured any more`);
      }
      if (!Number.isSafeInteger(command.amount) || command.amount <= 0) {
        return fail(422, 'invalid_amount', 'the amount must be a positive number of cents');
      }
      if (command.amount > capturable(order)) {
        return fail(422, 'amount_above_capturable', `at most ${capturable(order)} can still be captured`);
      }
      const captured = order.captured + command.amount;
      const complete = captured === order.authorized;
      return {
        ok: true,
        event: complete ? 'captured' : 'partially_captured',
        figures: { ...order, captured, state: complete ? 'captured' : 'partially_captured' },
      };
    }
    case 'cancel':
    case 'expire': {
      const cancelled = command.kind === 'cancel';
      if (order.state === 'authorized') {
        return {
          ok: true,
          event: cancelled ? 'cancelled' : 'expired',
          figures: { ...order, state: cancelled ? 'cancelled' : 'expired' },
        };
      }
      if (order.state === 'partially_captured') {
        // What was shipped stays invoiced; only the rest of the authorization is released.
        return {
          ok: true,
          event: cancelled ? 'remainder_cancelled' : 'remainder_expired',
          figures: { ...order, state: afterCapturesEnd(order) },
        };
      }
      return fail(409, 'order_already_captured', 'a captured order cannot be cancelled; refund it instead');
    }
    case 'refund': {
      if (order.captured === 0)
        return fail(409, 'nothing_captured', 'nothing was captured, so nothing can be refunded');
      if (!Number.isSafeInteger(command.amount) || command.amount <= 0) {
        return fail(422, 'invalid_amount', 'the amount must be a positive number of cents');
      }
      if (command.amount > refundable(order)) {
        return fail(422, 'amount_above_refundable', `at most ${refundable(order)} can be refunded`);
      }
      const next = { ...order, refunded: order.refunded + command.amount };
      const everything = next.refunded === next.captured && !capturableStates.includes(order.state);
      return {
        ok: true,
        event: everything ? 'refunded' : 'partially_refunded',
        figures: { ...next, state: everything ? 'refunded' : order.state },
      };
    }
    case 'settle': {
      if (order.state !== 'captured')
        return fail(409, 'order_not_settleable', `an order in state ${order.state} stays open`);
      return { ok: true, event: 'closed', figures: { ...order, state: 'closed' } };
    }
  }
}

/** When no more can be captured: refunded if everything captured was refunded, else captured. */
function afterCapturesEnd(order: OrderFigures): OrderState {
  return order.captured > 0 && order.refunded === order.captured ? 'refunded' : 'captured';
}
