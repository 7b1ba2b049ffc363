// Every consumer message in both languages: what it states (amount, shop, address, link) and whether an SMS fits.
import { describe, expect, it } from 'vitest';
import type { SessionInput } from '../checkout/session.schema.ts';
import { languages } from '../i18n/format.ts';
import { codeMessage, signInMessage } from '../stepup/challenge.message.ts';
import { securityChanges, securityNoticeMessage } from '../consumer/security-notice.ts';
import { gsm7Safe, gsm7Septets, smsSegmentSeptets } from './message.compose.ts';
import { orderNoticeMessage } from './order-notice.hook.ts';
import { escapeHtml } from './html.page.ts';

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

  const securityLink = 'https://pay.rearguard.nl/security-report/acc_01kb2m3n4p5q6r7s8t9v0w1x2y.AbCdEfGhIjKlMnOp';
  const at = new Date('2026-07-01T12:00:00Z');

  it.each(securityChanges)(
    'security notice SMS (%s): one segment saying what changed, with the "not me" link',
    (change) => {
      const { text } = securityNoticeMessage('sms', language, { change, at, link: securityLink });
      expectOneSegment(text);
      // What changed always fits; the time (Amsterdam) goes in when there is room, and is always in the e-mail.
      const changed = {
        nl: {
          new_sign_in: 'nieuwe inlog',
          channel_verified: 'nieuw e-mailadres',
          passkey_added: 'passkey toegevoegd',
          passkey_removed: 'passkey verwijderd',
          always_verify_on: 'aangezet',
          always_verify_off: 'uitgezet',
        },
        en: {
          new_sign_in: 'new sign-in',
          channel_verified: 'new e-mail address',
          passkey_added: 'passkey added',
          passkey_removed: 'passkey removed',
          always_verify_on: 'switched on',
          always_verify_off: 'switched off',
        },
      }[language][change];
      expect(text).toContain(changed);
      if (text.includes(' 2026')) expect(text).toContain('14:00');
      expect(text).toContain(securityLink);
    },
  );

  it.each(securityChanges)(
    'security notice e-mail (%s): HTML and text saying what changed and what to do',
    (change) => {
      const message = securityNoticeMessage('email', language, { change, at, link: securityLink });
      const said = {
        nl: {
          new_sign_in: 'ingelogd',
          channel_verified: 'nieuw e-mailadres of telefoonnummer',
          passkey_added: 'passkey aan uw Rearguard-account toegevoegd',
          passkey_removed: 'passkey van uw Rearguard-account verwijderd',
          always_verify_on: '"altijd controleren" aangezet',
          always_verify_off: '"altijd controleren" uitgezet',
        },
        en: {
          new_sign_in: 'signed in',
          channel_verified: 'new e-mail address or phone number',
          passkey_added: 'passkey was added',
          passkey_removed: 'passkey was removed',
          always_verify_on: '"always verify" was switched on',
          always_verify_off: '"always verify" was switched off',
        },
      }[language][change];
      expect(message.subject).toContain('Rearguard');
      expect(message.text).toContain(said);
      expect(message.html).toContain(escapeHtml(said));
      for (const body of [message.text, message.html!]) expect(body).toContain('14:00');
      expect(message.text).toContain(securityLink);
      expect(message.html).toContain(`href="${securityLink}"`);
      expect(message.html).toMatch(new RegExp(`^<!doctype html><html lang="${language}">`));
      expect(message.text).toMatch(
        language === 'nl' ? /nooit om een code, ook niet telefonisch/ : /never ask for a code/,
      );
    },
  );
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
