// Provider signals: phone, e-mail, address and IP intelligence, and which providers did not answer in time.
import type { ProviderOutcome } from '../providers/provider.ts';
import { unavailableProviders } from '../providers/provider.set.ts';
import { defineFamily } from './feature.family.ts';

const ok = <Signals>(outcome: ProviderOutcome<Signals> | null): Signals | null =>
  outcome !== null && outcome.kind === 'ok' ? outcome.signals : null;

export const providerFeatures = defineFamily(
  'provider',
  ({ signals }) => ({
    phone: ok(signals.phone),
    email: ok(signals.email),
    billing: ok(signals.billingAddress),
    shipping: ok(signals.shippingAddress),
    ip: ok(signals.ip),
    unavailable: unavailableProviders(signals),
  }),
  [
    {
      name: 'provider_unavailable_count',
      type: 'number',
      meaning: 'Providers that did not answer before their deadline or failed.',
      compute: (p) => p.unavailable.length,
    },
    {
      name: 'provider_phone_valid',
      type: 'boolean',
      meaning: 'The phone number is valid for its country (null: provider unavailable).',
      compute: (p) => p.phone?.valid ?? null,
    },
    {
      name: 'provider_phone_mobile',
      type: 'boolean',
      meaning: 'The phone number is a mobile number.',
      compute: (p) => (p.phone === null ? null : p.phone.type === 'mobile'),
    },
    {
      name: 'provider_phone_country',
      type: 'string',
      meaning: 'Country of the phone number.',
      compute: (p) => p.phone?.country ?? null,
    },
    {
      name: 'provider_phone_foreign',
      type: 'boolean',
      meaning: 'The phone country is not the billing country.',
      compute: (p, c) => (p.phone?.country == null ? null : p.phone.country !== c.claim.billing.country),
    },
    {
      name: 'provider_email_syntax_valid',
      type: 'boolean',
      meaning: 'The e-mail address is syntactically valid.',
      compute: (p) => p.email?.syntaxValid ?? null,
    },
    {
      name: 'provider_email_disposable',
      type: 'boolean',
      meaning: 'The e-mail domain is a disposable-mail service.',
      compute: (p) => p.email?.disposable ?? null,
    },
    {
      name: 'provider_email_free_mail',
      type: 'boolean',
      meaning: 'The e-mail domain is a free-mail provider.',
      compute: (p) => p.email?.freeMail ?? null,
    },
    {
      name: 'provider_email_company_domain',
      type: 'boolean',
      meaning: 'The e-mail domain is neither free-mail nor disposable (a company or own domain).',
      compute: (p) => (p.email === null ? null : p.email.syntaxValid && !p.email.freeMail && !p.email.disposable),
    },
    {
      name: 'provider_email_local_digits',
      type: 'number',
      meaning: 'Digits in the e-mail local part (generated addresses have many).',
      compute: (p) => p.email?.localPartDigits ?? null,
    },
    {
      name: 'provider_billing_postal_code_valid',
      type: 'boolean',
      meaning: "The billing postal code fits the country's format (null: unknown format).",
      compute: (p) => p.billing?.postalCodeValid ?? null,
    },
    {
      name: 'provider_shipping_postal_code_valid',
      type: 'boolean',
      meaning: "The delivery postal code fits the country's format.",
      compute: (p) => p.shipping?.postalCodeValid ?? null,
    },
    {
      name: 'provider_shipping_house_number_valid',
      type: 'boolean',
      meaning: 'The delivery house number is a plausible number.',
      compute: (p) => p.shipping?.houseNumberValid ?? null,
    },
    {
      name: 'provider_shipping_in_register',
      type: 'boolean',
      meaning: 'An address register confirmed the delivery point (null: not asked).',
      compute: (p) => p.shipping?.existsInRegister ?? null,
    },
    {
      name: 'provider_ip_public',
      type: 'boolean',
      meaning: 'The IP is a public unicast address (not private or reserved).',
      compute: (p) => p.ip?.isPublic ?? null,
    },
    {
      name: 'provider_ip_range',
      type: 'string',
      meaning: 'ipaddr.js range of the IP (unicast, private, loopback, ...).',
      compute: (p) => p.ip?.range ?? null,
    },
    {
      name: 'provider_ip_country',
      type: 'string',
      meaning: 'Country of the IP (GeoLite2 country data).',
      compute: (p) => p.ip?.country ?? null,
    },
    {
      name: 'provider_ip_country_differs',
      type: 'boolean',
      meaning: 'The IP country is not the billing country.',
      compute: (p, c) => (p.ip?.country == null ? null : p.ip.country !== c.claim.billing.country),
    },
  ],
);
