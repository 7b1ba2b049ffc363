// Consumer-facing formats, shared by the server's messages and the web apps: Dutch first, Europe/Amsterdam time.
// Pure and browser-safe (only Intl), so the portal and the widget import this very file.

export const languages = ['nl', 'en'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'nl';

/** The consumer's time zone: invoices, notices and portal pages show Dutch wall-clock time, never UTC. */
export const consumerTimeZone = 'Europe/Amsterdam';

const localeOf: Record<Language, string> = { nl: 'nl-NL', en: 'en-NL' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/**
 * The language to speak: the account's stored preference first, else the best match in an Accept-Language
 * header (quality-ordered; `nl-BE` counts as `nl`), else Dutch.
 */
export function chooseLanguage(preference: string | null | undefined, acceptLanguage?: string | null): Language {
  if (isLanguage(preference)) return preference;
  if (!acceptLanguage) return defaultLanguage;
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const qualityParameter = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = qualityParameter ? Number(qualityParameter.slice(2)) : 1;
      return {
        primary: tag.trim().toLowerCase().split('-')[0] ?? '',
        quality: Number.isFinite(quality) ? quality : 0,
        index,
      };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const entry of ranked) if (isLanguage(entry.primary)) return entry.primary;
  return defaultLanguage;
}

/**
 * Intl formatters by language and options, made once: making one costs far more than using it, and an approval
 * formats amounts and dates for its messages on every checkout.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function formatterOf<Formatter extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => Formatter) {
  let formatter = formatters.get(key) as Formatter | undefined;
  if (formatter === undefined) formatters.set(key, (formatter = make()));
  return formatter;
}

/** Minor units to a consumer amount: `€ 939,00` in Dutch, `€939.00` in English. */
export function formatMoney(minorUnits: number, currency: string, language: Language): string {
  return formatterOf(
    `money ${language} ${currency}`,
    () => new Intl.NumberFormat(localeOf[language], { style: 'currency', currency }),
  ).format(minorUnits / 100);
}

/** A date as people write it: `29 november 2026` / `29 November 2026`, in Amsterdam time. */
export function formatDate(value: Date | string, language: Language): string {
  return formatterOf(
    `date ${language}`,
    () => new Intl.DateTimeFormat(localeOf[language], { dateStyle: 'long', timeZone: consumerTimeZone }),
  ).format(new Date(value));
}

/** A moment with its time: `29 november 2026 om 22:03` / `29 November 2026 at 22:03`, in Amsterdam time. */
export function formatDateTime(value: Date | string, language: Language): string {
  return formatterOf(
    `date-time ${language}`,
    () =>
      new Intl.DateTimeFormat(localeOf[language], {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: consumerTimeZone,
      }),
  ).format(new Date(value));
}

/** A Dutch postcode as it is printed on letters: `1234 AB`; anything that is not one is returned trimmed. */
export function formatPostcode(postcode: string): string {
  const match = /^\s*(\d{4})\s*([a-zA-Z]{2})\s*$/.exec(postcode);
  return match ? `${match[1]} ${match[2]!.toUpperCase()}` : postcode.trim();
}
