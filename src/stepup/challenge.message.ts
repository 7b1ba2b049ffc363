// The texts of step-up messages: dynamic linking states what the code approves, so a victim can see it is not theirs.
import type { Address, SessionInput } from '../checkout/session.schema.ts';
import { formatMoney, type Language } from '../i18n/format.ts';
import { translatorFor } from '../i18n/translate.ts';
import { composeForChannel, type MessageTexts } from '../notify/message.compose.ts';

/** EUR 93900 minor units -> "EUR 939.00": the API's language-neutral amount; people read `formatMoney` instead. */
export function formatAmount(value: number, currency: string): string {
  const minorDigits = ['JPY', 'KRW', 'ISK'].includes(currency) ? 0 : 2;
  return `${currency} ${(value / 10 ** minorDigits).toFixed(minorDigits)}`;
}

export function formatAddress(address: Address): string {
  const street = [address.street, address.house_number].filter(Boolean).join(' ');
  return `${street}, ${address.city}`;
}

export function deliveryAddressOf(input: SessionInput): Address {
  return input.shipping_address ?? input.billing_address;
}

export interface CodeMessage {
  readonly code: string;
  readonly input: SessionInput;
  readonly merchantName: string;
  readonly reportLink: string;
}

/** The values every purchase message states, in the reader's language: amount, shop and delivery address. */
export function purchaseValues(language: Language, input: SessionInput, merchantName: string) {
  return {
    amount: formatMoney(input.amount.value, input.amount.currency, language),
    merchant: merchantName,
    address: formatAddress(deliveryAddressOf(input)),
  };
}

export function codeMessage(channel: 'sms' | 'email', language: Language, message: CodeMessage): MessageTexts {
  return composeForChannel(
    channel,
    translatorFor(language),
    language,
    {
      subject: 'stepup.code.subject',
      // The address goes before the warning only when both cannot fit one segment: the link still carries both.
      sms: ['stepup.code.sms', 'stepup.code.smsMedium', 'stepup.code.smsShort'],
      paragraphs: ['stepup.code.intro', 'stepup.code.ifYou', 'stepup.code.notYou'],
      link: { label: 'stepup.code.link', url: message.reportLink },
    },
    { ...purchaseValues(language, message.input, message.merchantName), code: message.code, link: message.reportLink },
  );
}

export function signInMessage(channel: 'sms' | 'email', language: Language, code: string, reportLink: string) {
  return composeForChannel(
    channel,
    translatorFor(language),
    language,
    {
      subject: 'signin.code.subject',
      sms: ['signin.code.sms', 'signin.code.smsShort'],
      paragraphs: ['signin.code.intro', 'signin.code.notYou'],
      link: { label: 'signin.code.link', url: reportLink },
    },
    { code, link: reportLink },
  );
}
