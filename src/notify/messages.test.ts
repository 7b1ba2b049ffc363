// Every consumer message in both languages: what it states (amount, shop, address, link) and whether an SMS fits.
import { describe, expect, it } from 'vitest';
import type { SessionInput } from '../checkout/session.schema.ts';
import { languages } from '../i18n/format.ts';
import { codeMessage, signInMessage } from '../stepup/challenge.message.ts';
import { securityNoticeText } from '../consumer/security-notice.ts';
import { gsm7Safe, gsm7Septets, smsSegmentSeptets } from './message.compose.ts';
import { orderNoticeMessage } from './order-notice.hook.ts';

// The longest realistic case: a long shop name, a four-digit amount, a long street, and production-length links.
const merchant = 'MediaMarkt Nederland';
const input = {
  amount: { value: 149999, currency: 'EUR' },
  billing_address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
  shipping_address: {
    street: 'Burgemeester de Monchyplein',
    house_number: '118',
    postal_code: '2585DK',
    city: 'Den Haag',
    country: 'NL',
  },
} as SessionInput;
const reportLink = 'https://pay.rearguard.nl/report/chl_01kb2m3n4p5q6r7s8t9v0w1x2y.AbCdEfGhIjKlMnOp';
const noticeLink = 'https://pay.rearguard.nl/v1/notices/ntc_01kb2m3n4p5q6r7s8t9v0w1x2y.AbCdEfGhIjKlMnOp';
const amountIn = { nl: '€ 1.499,99', en: '€1,499.99' } as const;

function expectOneSegment(text: string) {
  const septets = gsm7Septets(text);
  expect(septets, `not GSM-7: ${text}`).not.toBeNull();
  expect(septets!, `${septets} septets: ${text}`).toBeLessThanOrEqual(smsSegmentSeptets);
}

describe.each(languages)('messages in %s', (language) => {
  const step = { code: '123456', input, merchantName: merchant, reportLink };

  it('step-up code SMS: one GSM-7 segment with code, amount, shop and the report link', () => {
    const { text } = codeMessage('sms', language, step);
    expectOneSegment(text);
    for (const part of ['123456', amountIn[language], merchant, reportLink]) expect(text).toContain(part);
  });

  it('step-up code e-mail: HTML and text with amount, shop, address, link and the warning', () => {
    const message = codeMessage('email', language, step);
    expect(message.subject).toContain(merchant);
    for (const body of [message.text, message.html!]) {
      for (const part of ['123456', merchant, 'Burgemeester de Monchyplein 118, Den Haag', reportLink]) {
        expect(body).toContain(part);
      }
    }
    expect(message.text).toContain(amountIn[language].replace(' ', '\u00a0'));
    expect(message.text).toMatch(language === 'nl' ? /nooit om deze code/ : /never ask for this code/);
    expect(message.html).toMatch(new RegExp(`^<!doctype html><html lang="${language}">`));
  });

  it('sign-in code SMS fits one segment; the e-mail says we never ask for it', () => {
    const portal = 'https://pay.rearguard.nl/portal/';
    const sms = signInMessage('sms', language, '654321', portal).text;
    expectOneSegment(sms);
    expect(sms).toContain('654321');
    expect(sms).toMatch(language === 'nl' ? /wij bellen er nooit om/ : /we never call for it/);
    const email = signInMessage('email', language, '654321', portal);
    expect(email.text).toContain(portal);
    expect(email.html).toContain('654321');
  });

  it('order notice SMS: one segment with amount, shop and the "not me" link', () => {
    const { text } = orderNoticeMessage('sms', language, { input, merchant, link: noticeLink });
    expectOneSegment(text);
    for (const part of [amountIn[language], merchant, noticeLink]) expect(text).toContain(part);
  });

  it('order notice e-mail: amount, shop, delivery address, link, and what will happen', () => {
    const message = orderNoticeMessage('email', language, { input, merchant, link: noticeLink });
    for (const body of [message.text, message.html!]) {
      for (const part of [merchant, 'Burgemeester de Monchyplein 118, Den Haag', noticeLink]) {
        expect(body).toContain(part);
      }
    }
    expect(message.html).toContain(`href="${noticeLink}"`);
    expect(message.text).toMatch(language === 'nl' ? /Aangifte bij de politie is niet nodig/ : /No police report/);
  });

  it('security notice fits one segment, in Amsterdam time', () => {
    const text = securityNoticeText(
      'always_verify_off',
      new Date('2026-07-01T12:00:00Z'),
      'https://pay.rearguard.nl/portal/',
      language,
    );
    expectOneSegment(text);
    expect(text).toContain('14:00');
  });
});

describe('GSM-7', () => {
  it('counts the euro sign as two septets and refuses what GSM-7 cannot carry', () => {
    expect(gsm7Septets('€ 5')).toBe(4);
    expect(gsm7Septets('日本')).toBeNull();
  });

  it('turns letters GSM-7 lacks into their plain form so a name does not force UCS-2', () => {
    expect(gsm7Safe('Daniëlle, Zeeuws-Vlaanderen, € 5')).toBe('Danielle, Zeeuws-Vlaanderen, € 5');
    expect(gsm7Septets(gsm7Safe('Café Ruïne'))).toBe(10);
  });

  it('falls back to the shorter variant when the full one would need two segments', () => {
    const { text } = codeMessage('sms', 'nl', { code: '123456', input, merchantName: merchant, reportLink });
    expect(text).not.toContain('Burgemeester');
    const short = codeMessage('sms', 'nl', {
      code: '123456',
      input,
      merchantName: 'Shop',
      reportLink: 'https://r.nl/x',
    }).text;
    expect(short).toContain('Burgemeester de Monchyplein 118');
  });
});
