// The consumer's own settings for the portal and messages: today the language (null: follow the browser, else Dutch).
import { chooseLanguage, type Language } from '../i18n/format.ts';
import { notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import * as repository from './portal.repository.ts';

export interface Preferences {
  /** What the consumer chose; null: not chosen. */
  readonly language: Language | null;
  /** What they are spoken to in: the choice, else the browser's Accept-Language, else Dutch. */
  readonly effective_language: Language;
}

export function makePreferencesService(dependencies: { database: Database }) {
  const { database } = dependencies;

  async function read(accountId: string, acceptLanguage: string | undefined): Promise<Preferences> {
    const account = await repository.languageOf(database, accountId);
    if (!account) throw notFound('account');
    // The column's CHECK keeps it to nl/en/null; chooseLanguage treats anything else as "not chosen".
    const language = account.language === 'nl' || account.language === 'en' ? account.language : null;
    return { language, effective_language: chooseLanguage(language, acceptLanguage) };
  }

  async function update(accountId: string, language: Language | null, acceptLanguage: string | undefined) {
    await repository.setLanguage(database, accountId, language);
    return read(accountId, acceptLanguage);
  }

  return { read, update };
}

export type PreferencesService = ReturnType<typeof makePreferencesService>;
