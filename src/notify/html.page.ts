// Minimal server-rendered pages (dev outbox, "was this you?" confirmations): escaped text, no scripts, no framework.
import { z } from 'zod';
import { chooseLanguage, formatDateTime, formatMoney, languages, type Language } from '../i18n/format.ts';
import { translate } from '../i18n/translate.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
article{border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
article header{display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap;color:#555}
pre{white-space:pre-wrap;font:14px/1.4 ui-monospace,monospace;background:#f6f6f6;padding:.5rem;border-radius:4px}
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#b3261e;color:#fff;cursor:pointer}
a{color:#1f4fd1}
:focus-visible{outline:3px solid #1f4fd1;outline-offset:2px}
.done{color:#1e6b2e}
footer{margin-top:2rem;font-size:14px}`;

export interface PageOptions {
  /** The page's language (staff and development pages stay English). */
  readonly language?: Language;
  /** The same page in the other language, offered as a link in the footer. */
  readonly otherLanguageHref?: string;
}

export function htmlPage(title: string, body: string, options: PageOptions = {}): string {
  const language = options.language ?? 'en';
  const footer = options.otherLanguageHref
    ? `<footer><a href="${escapeHtml(options.otherLanguageHref)}" lang="${language === 'nl' ? 'en' : 'nl'}">${escapeHtml(
        translate(language, 'page.switchLanguage'),
      )}</a></footer>`
    : '';
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Rearguard</title><style>${style}</style></head>
<body><main>${body}</main>${footer}</body></html>`;
}

/** `?lang=nl|en` on a consumer page: it wins over the browser's Accept-Language. */
export const pageLanguageQuery = z.object({ lang: z.enum(languages).optional() });

interface RequestLike {
  readonly url: string;
  readonly headers: { readonly 'accept-language'?: string | undefined };
}

/**
 * A consumer page in the visitor's language (`?lang=`, else Accept-Language, else Dutch), with a link to the same
 * page in the other language.
 */
export function consumerPages(request: RequestLike, lang: Language | undefined) {
  const language = lang ?? chooseLanguage(null, request.headers['accept-language']);
  const path = request.url.split('?')[0] ?? '/';
  const otherLanguageHref = `${path}?lang=${language === 'nl' ? 'en' : 'nl'}`;
  return {
    language,
    write: (key: Parameters<typeof translate>[1], values?: Parameters<typeof translate>[2]) =>
      translate(language, key, values),
    page: (status: number, title: string, body: string) => ({
      status,
      contentType: 'text/html; charset=utf-8',
      headers: { 'cache-control': 'no-store', 'content-language': language },
      body: htmlPage(title, body, { language, otherLanguageHref }),
    }),
  };
}
export type ConsumerPages = ReturnType<typeof consumerPages>;

/** A link whose signature or id does not check out: the same answer whatever was wrong, so it reveals nothing. */
export const invalidLinkPage = ({ page, write }: ConsumerPages) =>
  page(404, write('page.invalid.title'), `<h1>${write('page.invalid.title')}</h1><p>${write('page.invalid.body')}</p>`);

/** What an order was, in the reader's words; its values are escaped before they enter the catalogue's sentence. */
export function orderSummaryHtml(
  { write, language }: ConsumerPages,
  order: {
    readonly amount: { readonly value: number; readonly currency: string };
    readonly merchant: string | null;
    readonly delivery: string;
    readonly placedAt: Date;
  },
): string {
  const strong = (text: string) => `<strong>${escapeHtml(text)}</strong>`;
  return `<p>${write('notice.summary', {
    amount: strong(formatMoney(order.amount.value, order.amount.currency, language)),
    merchant: strong(order.merchant ?? write('page.theShop')),
    address: strong(order.delivery),
    placedAt: escapeHtml(formatDateTime(order.placedAt, language)),
  })}</p>`;
}
