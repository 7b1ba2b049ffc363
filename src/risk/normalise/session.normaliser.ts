// Normalises the parts of a session that identify people and things, once, for both decisions and history.
import type { SessionInput } from '../../checkout/session.schema.ts';
import { normaliseAddress, type NormalisedAddress } from './address.normaliser.ts';
import { normaliseEmail, type NormalisedEmail } from './email.normaliser.ts';
import { normaliseName, type NormalisedName } from './name.normaliser.ts';
import { phoneKey } from './phone.normaliser.ts';
import { hashText } from './text.normaliser.ts';
import { normaliseIban } from './iban.normaliser.ts';

export interface NormalisedSession {
  readonly email: NormalisedEmail | null;
  readonly emailKey: string | null;
  readonly phoneKey: string | null;
  readonly name: NormalisedName;
  readonly nameHash: number;
  readonly surnameHash: number;
  readonly billing: NormalisedAddress;
  /** The delivery address: the shipping address, or billing when none was given. */
  readonly shipping: NormalisedAddress;
  readonly shippingGiven: boolean;
  readonly deviceKey: string | null;
  readonly ip: string | null;
  /** The claimed IBAN in electronic format. */
  readonly ibanKey: string | null;
}

export function normaliseSession(session: SessionInput): NormalisedSession {
  const email = normaliseEmail(session.customer.email);
  const name = normaliseName(session.customer.name);
  const billing = normaliseAddress(session.billing_address);
  const shipping = session.shipping_address === undefined ? billing : normaliseAddress(session.shipping_address);
  return {
    email,
    emailKey: email?.key ?? null,
    phoneKey: phoneKey(session.customer.phone),
    name,
    nameHash: name.sortedKey.length > 0 ? hashText(name.sortedKey) || 1 : 0,
    surnameHash: name.surname.length > 0 ? hashText(name.surname) || 1 : 0,
    billing,
    shipping,
    shippingGiven: session.shipping_address !== undefined,
    deviceKey: session.device?.id?.trim() || null,
    ip: session.device?.ip?.trim().toLowerCase() || null,
    ibanKey: session.customer.iban === undefined ? null : normaliseIban(session.customer.iban),
  };
}

/** What the online state keeps of an order's session: its amount and its keys, normalised. */
export interface OrderKeys {
  readonly amount: number;
  readonly emailKey: string | null;
  readonly phoneKey: string | null;
  readonly nameHash: number;
  readonly surnameHash: number;
  readonly billingKey: string;
  readonly shippingKey: string;
  readonly deviceKey: string | null;
  readonly ip: string | null;
  readonly ibanKey: string | null;
}

export function orderKeys(session: SessionInput): OrderKeys {
  const normalised = normaliseSession(session);
  return {
    amount: session.amount.value,
    emailKey: normalised.emailKey,
    phoneKey: normalised.phoneKey,
    nameHash: normalised.nameHash,
    surnameHash: normalised.surnameHash,
    billingKey: normalised.billing.key,
    shippingKey: normalised.shipping.key,
    deviceKey: normalised.deviceKey,
    ip: normalised.ip,
    ibanKey: normalised.ibanKey,
  };
}
