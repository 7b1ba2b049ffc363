// The fields of an order's input the online state reads: what a start takes from each order it opens.
import type { SessionInput } from '../checkout/session.schema.ts';

/** Addresses as JSON text: the start normalises each distinct address once, keyed by that text. */
export interface OrderStateFields {
  amount: string | number;
  email: string | null;
  phone: string | null;
  name: string | null;
  iban: string | null;
  billing: string | null;
  shipping: string | null;
  device_id: string | null;
  ip: string | null;
}

/** The fields the state reads, taken from a whole input (an order whose input is sealed in its session). */
export function stateFieldsOf(input: SessionInput): OrderStateFields {
  return {
    amount: input.amount.value,
    email: input.customer.email ?? null,
    phone: input.customer.phone ?? null,
    name: input.customer.name ?? null,
    iban: input.customer.iban ?? null,
    billing: JSON.stringify(input.billing_address),
    shipping: input.shipping_address ? JSON.stringify(input.shipping_address) : null,
    device_id: input.device?.id ?? null,
    ip: input.device?.ip ?? null,
  };
}
