// The server's consumer texts: ICU messages (intl-messageformat) from the Dutch and English catalogues, typed by key.
import { IntlMessageFormat } from 'intl-messageformat';
import nl from './messages/nl.json' with { type: 'json' };
import en from './messages/en.json' with { type: 'json' };
import type { Language } from './format.ts';

/** Dutch is the reference catalogue: a key exists when Dutch has it; a test holds English to the same keys. */
export type MessageKey = keyof typeof nl;
export type MessageValues = Readonly<Record<string, string | number>>;

export const catalogues: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { nl, en };

const localeOf: Record<Language, string> = { nl: 'nl-NL', en: 'en-NL' };
// Parsing a pattern is the costly part; each (language, key) is parsed once and reused.
const compiled = new Map<string, IntlMessageFormat>();

function formatterFor(language: Language, key: MessageKey): IntlMessageFormat {
  const cacheKey = `${language}\u0000${key}`;
  let formatter = compiled.get(cacheKey);
  if (!formatter) {
    formatter = new IntlMessageFormat(catalogues[language][key], localeOf[language], undefined, {
      ignoreTag: true,
    });
    compiled.set(cacheKey, formatter);
  }
  return formatter;
}

/** The text of `key` in `language`; values are inserted as given (amounts and dates come pre-formatted). */
export function translate(language: Language, key: MessageKey, values: MessageValues = {}): string {
  const result = formatterFor(language, key).format(values);
  return Array.isArray(result) ? result.join('') : String(result);
}

/** A translator bound to one language, for code that writes several texts for the same person. */
export const translatorFor = (language: Language) => (key: MessageKey, values?: MessageValues) =>
  translate(language, key, values);
export type Translator = ReturnType<typeof translatorFor>;

/** The raw patterns under a prefix, for the widget page, which fills simple `{name}` placeholders itself. */
export function patternsUnder(language: Language, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(catalogues[language])
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, pattern]) => [key.slice(prefix.length), pattern]),
  );
}

/**
 * A decision reason as the consumer reads it: the catalogue's text for its code in their language, else the text the
 * ruleset's author wrote (a rule added later, before its translation).
 */
export function reasonText(language: Language, code: string, authored: string): string {
  const key = `reason.${code}`;
  return Object.hasOwn(catalogues[language], key) ? translate(language, key as MessageKey) : authored;
}

/**
 * "What would have changed it" for a decision reason, in plain words (e.g. unusual_amount: a purchase closer to your
 * usual amounts, or confirming with a code); null for a code the catalogue does not know yet.
 */
export function reasonChangeText(language: Language, code: string): string | null {
  const key = `reasonChange.${code}`;
  return Object.hasOwn(catalogues[language], key) ? translate(language, key as MessageKey) : null;
}
