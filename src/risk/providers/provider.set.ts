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
import { makeDevelopmentIbanNameProvider, type IbanNameQuery, type IbanNameSignals } from './iban-name.provider.ts';
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
  readonly ibanName: GuardedProvider<IbanNameQuery, IbanNameSignals>;
}

export interface ProviderSignals {
  readonly phone: ProviderOutcome<PhoneSignals>;
  readonly email: ProviderOutcome<EmailSignals>;
  readonly billingAddress: ProviderOutcome<AddressSignals>;
  readonly shippingAddress: ProviderOutcome<AddressSignals>;
  /** null when the session carried no IP. */
  readonly ip: ProviderOutcome<IpSignals> | null;
  /** null when the session claimed no IBAN. */
  readonly ibanName: ProviderOutcome<IbanNameSignals> | null;
}

export interface ProviderSetOptions {
  /** Replace an offline provider with a live adapter, e.g. the address register. */
  readonly address?: Provider<Address, AddressSignals>;
  readonly phone?: Provider<string, PhoneSignals>;
  readonly email?: Provider<string, EmailSignals>;
  readonly ip?: Provider<string, IpSignals>;
  readonly ibanName?: Provider<IbanNameQuery, IbanNameSignals>;
  readonly guard?: Partial<GuardOptions>;
}

export function makeProviderSet(options: ProviderSetOptions = {}): ProviderSet {
  return {
    phone: makeGuardedProvider(options.phone ?? makePhoneProvider(), options.guard),
    email: makeGuardedProvider(options.email ?? makeEmailProvider(), options.guard),
    address: makeGuardedProvider(options.address ?? makeAddressProvider(), options.guard),
    ip: makeGuardedProvider(options.ip ?? makeIpProvider(), options.guard),
    ibanName: makeGuardedProvider(options.ibanName ?? makeDevelopmentIbanNameProvider(), options.guard),
  };
}

export async function gatherSignals(
  providers: ProviderSet,
  session: SessionInput,
  at: number,
): Promise<ProviderSignals> {
  const ip = session.device?.ip;
  const iban = session.customer.iban;
  const [phone, email, billingAddress, shippingAddress, ipOutcome, ibanName] = await Promise.all([
    providers.phone.lookup(session.customer.phone, at),
    providers.email.lookup(session.customer.email, at),
    providers.address.lookup(session.billing_address, at),
    providers.address.lookup(session.shipping_address ?? session.billing_address, at),
    ip === undefined ? null : providers.ip.lookup(ip, at),
    iban === undefined ? null : providers.ibanName.lookup({ iban, name: session.customer.name }, at),
  ]);
  return { phone, email, billingAddress, shippingAddress, ip: ipOutcome, ibanName };
}

/** The outcomes that did not arrive, for reasons and features. */
export function unavailableProviders(signals: ProviderSignals): string[] {
  const names = new Set<string>();
  const outcomes = [
    signals.phone,
    signals.email,
    signals.billingAddress,
    signals.shippingAddress,
    signals.ip,
    signals.ibanName,
  ];
  for (const outcome of outcomes) {
    if (outcome !== null && outcome.kind === 'unavailable') names.add(outcome.provider);
  }
  return [...names];
}
