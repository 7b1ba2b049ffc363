// The providers one decision asks, all at once, each behind its own deadline and cache.
import type { Address, SessionInput } from '../../checkout/session.schema.ts';
import type { AddressSignals } from './address.provider.ts';
import { makeAddressProvider } from './address.provider.ts';
import type { EmailSignals } from './email.provider.ts';
import { makeEmailProvider } from './email.provider.ts';
import type { IpSignals } from './ip.provider.ts';
import { makeIpProvider } from './ip.provider.ts';
import type { PhoneSignals } from './phone.provider.ts';
import { makePhoneProvider } from './phone.provider.ts';
import {
  makeGuardedProvider,
  type GuardOptions,
  type GuardedProvider,
  type Provider,
  type ProviderOutcome,
} from './provider.ts';

export interface ProviderSet {
  readonly phone: GuardedProvider<string, PhoneSignals>;
  readonly email: GuardedProvider<string, EmailSignals>;
  readonly address: GuardedProvider<Address, AddressSignals>;
  readonly ip: GuardedProvider<string, IpSignals>;
}

export interface ProviderSignals {
  readonly phone: ProviderOutcome<PhoneSignals>;
  readonly email: ProviderOutcome<EmailSignals>;
  readonly billingAddress: ProviderOutcome<AddressSignals>;
  readonly shippingAddress: ProviderOutcome<AddressSignals>;
  /** null when the session carried no IP. */
  readonly ip: ProviderOutcome<IpSignals> | null;
}

export interface ProviderSetOptions {
  /** Replace an offline provider with a live adapter, e.g. the address register. */
  readonly address?: Provider<Address, AddressSignals>;
  readonly phone?: Provider<string, PhoneSignals>;
  readonly email?: Provider<string, EmailSignals>;
  readonly ip?: Provider<string, IpSignals>;
  readonly guard?: Partial<GuardOptions>;
}

export function makeProviderSet(options: ProviderSetOptions = {}): ProviderSet {
  return {
    phone: makeGuardedProvider(options.phone ?? makePhoneProvider(), options.guard),
    email: makeGuardedProvider(options.email ?? makeEmailProvider(), options.guard),
    address: makeGuardedProvider(options.address ?? makeAddressProvider(), options.guard),
    ip: makeGuardedProvider(options.ip ?? makeIpProvider(), options.guard),
  };
}

export async function gatherSignals(
  providers: ProviderSet,
  session: SessionInput,
  at: number,
): Promise<ProviderSignals> {
  const ip = session.device?.ip;
  const [phone, email, billingAddress, shippingAddress, ipOutcome] = await Promise.all([
    providers.phone.lookup(session.customer.phone, at),
    providers.email.lookup(session.customer.email, at),
    providers.address.lookup(session.billing_address, at),
    providers.address.lookup(session.shipping_address ?? session.billing_address, at),
    ip === undefined ? null : providers.ip.lookup(ip, at),
  ]);
  return { phone, email, billingAddress, shippingAddress, ip: ipOutcome };
}

/** The outcomes that did not arrive, for reasons and features. */
export function unavailableProviders(signals: ProviderSignals): string[] {
  const names = new Set<string>();
  for (const outcome of [signals.phone, signals.email, signals.billingAddress, signals.shippingAddress, signals.ip]) {
    if (outcome !== null && outcome.kind === 'unavailable') names.add(outcome.provider);
  }
  return [...names];
}
