// Renders the hosted challenge page in the shopper's language, with the merchant's theme variables.
import { chooseLanguage, type Language } from '../i18n/format.ts';
import { patternsUnder } from '../i18n/translate.ts';
import { escapeHtml } from '../notify/html.page.ts';

/** The CSS variables a merchant may set; anything else in `theme` is ignored. */
export const themeVariables = [
  'accent',
  'accent-text',
  'text',
  'background',
  'muted-background',
  'error',
  'success',
  'radius',
  'font',
] as const;

// Colours, lengths and font names only: no ; { } < > or quotes, so a value can never leave its declaration.
const safeThemeValue = /^[#a-zA-Z0-9 .,%()-]{1,80}$/;

/** `accent:#0a7d4f;radius:12px` (what rearguard.js sends) to a `<style>` block of --rearguard-* variables. */
export function themeStyle(theme: string | undefined): string {
  if (!theme) return '';
  const declarations = theme
    .split(';')
    .map((entry) => {
      const separator = entry.indexOf(':');
      return { name: entry.slice(0, separator).trim(), value: entry.slice(separator + 1).trim() };
    })
    .filter(({ name, value }) => (themeVariables as readonly string[]).includes(name) && safeThemeValue.test(value))
    .map(({ name, value }) => `--rearguard-${name}:${value}`);
  return declarations.length > 0 ? `<style>:root{${declarations.join(';')}}</style>` : '';
}

/** The merchant's `lang` option wins, then the browser's languages, then Dutch. */
export function widgetLanguage(lang: Language | undefined, acceptLanguage: string | undefined): Language {
  return lang ?? chooseLanguage(null, acceptLanguage);
}

/**
 * Fills the page template: static texts as escaped HTML, and the widget's messages as JSON for its script (a data
 * block the browser never executes, so the page's CSP stays `script-src 'self'`).
 */
export function renderChallengePage(template: string, language: Language, theme: string | undefined): string {
  const messages = patternsUnder(language, 'widget.');
  const json = JSON.stringify({ language, messages }).replace(/</g, '\\u003c');
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    if (name === 'language') return language;
    if (name === 'theme') return themeStyle(theme);
    if (name === 'messages') return json;
    return escapeHtml(messages[name] ?? name);
  });
}
