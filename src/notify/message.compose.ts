// Builds consumer messages from the catalogues: SMS that fit one GSM-7 segment where they can, e-mail as HTML + text.
import { chooseLanguage, type Language } from '../i18n/format.ts';
import type { MessageKey, MessageValues, Translator } from '../i18n/translate.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { escapeHtml } from './html.page.ts';

/** One SMS segment holds 160 septets of the GSM 03.38 alphabet; longer texts are split into 153-septet parts. */
export const smsSegmentSeptets = 160;
const gsm7Basic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsm7Extension = '^{}\\[~]|€\f';
const inGsm7 = (character: string) => gsm7Basic.includes(character) || gsm7Extension.includes(character);

/** Septets the text takes in GSM-7, or null when a character is outside it (the SMS would fall back to UCS-2). */
export function gsm7Septets(text: string): number | null {
  let septets = 0;
  for (const character of text) {
    if (!inGsm7(character)) return null;
    if (gsm7Basic.includes(character)) septets += 1;
    else septets += 2;
  }
  return septets;
}

/**
 * Intl puts (narrow) no-break spaces in amounts and dates, and names bring letters such as ë that GSM-7 lacks: one
 * such character would switch the whole SMS to UCS-2 (70 characters a segment). Plain equivalents read the same.
 */
export const gsm7Safe = (text: string) =>
  text
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[^\n\r -~]/g, (character) => {
      if (inGsm7(character)) return character;
      const plain = character.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      return [...plain].every(inGsm7) ? plain : character;
    });

/**
 * The first of the variants (longest first) that fits one segment; when none does, the last (shortest) one, sent
 * as a multi-part SMS rather than dropping the link the person needs.
 */
export function smsText(translate: Translator, variants: readonly MessageKey[], values: MessageValues): string {
  const texts = variants.map((key) => gsm7Safe(translate(key, values)));
  return (
    texts.find((text) => {
      const septets = gsm7Septets(text);
      return septets !== null && septets <= smsSegmentSeptets;
    }) ??
    texts.at(-1) ??
    ''
  );
}

export interface EmailParts {
  readonly subject: MessageKey;
  readonly paragraphs: readonly MessageKey[];
  readonly link?: { readonly label: MessageKey; readonly url: string };
}

export interface ComposedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One e-mail in two forms: plain text (read by every client, and kept in the dev outbox) and simple inline HTML. */
export function composeEmail(
  translate: Translator,
  language: Language,
  parts: EmailParts,
  values: MessageValues,
): ComposedEmail {
  const subject = translate(parts.subject, values);
  const paragraphs = parts.paragraphs.map((key) => translate(key, values));
  const link = parts.link ? { label: translate(parts.link.label, values), url: parts.link.url } : null;
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.url}`] : [])].join('\n\n');
  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="font:16px/1.5 Arial,sans-serif;color:#1b1b1b;max-width:36rem">` +
    paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('') +
    (link
      ? `<p><a href="${escapeHtml(link.url)}" style="display:inline-block;padding:10px 16px;background:#b3261e;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(link.label)}</a></p>` +
        `<p style="color:#555;font-size:14px">${escapeHtml(link.url)}</p>`
      : '') +
    '</body></html>';
  return { subject, text, html };
}

/**
 * The language to write to an account holder in: the language they chose, else that of the browser whose request
 * caused the message, else Dutch.
 */
export async function languageOfAccount(
  executor: SqlExecutor,
  accountId: string | null,
  acceptLanguage?: string | null,
): Promise<Language> {
  const rows = accountId
    ? await executor.query<{ language: string | null }>('SELECT language FROM accounts WHERE id = $1', [accountId])
    : [];
  return chooseLanguage(rows[0]?.language, acceptLanguage);
}

export interface MessageTexts {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** The same message by SMS (the short variants) or by e-mail (the paragraphs), whichever channel reaches the person. */
export function composeForChannel(
  channel: 'sms' | 'email',
  translate: Translator,
  language: Language,
  parts: EmailParts & { readonly sms: readonly MessageKey[] },
  values: MessageValues,
): MessageTexts {
  if (channel === 'sms')
    return { subject: translate(parts.subject, values), text: smsText(translate, parts.sms, values) };
  return composeEmail(translate, language, parts, values);
}
