// The portal's language: the account's choice, else the browser's languages, else Dutch; texts come from the catalogues.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { chooseLanguage, formatDate, formatMoney, type Language } from '../../../../src/i18n/format.ts';
import { api, ApiFailure, type Money } from '../api.ts';
import en from './en.json';
import nl from './nl.json';

export type MessageId = keyof typeof en;
type Catalogue = Record<MessageId, string>;
const catalogues: Record<Language, Catalogue> = { nl, en };

/** A choice made on this device before signing in; the account's stored choice wins once signed in. */
const choiceKey = 'rearguard.language';
const preferencesPath = '/v1/me/preferences';

interface Preferences {
  language: Language | null;
  effective_language: Language;
}

function browserLanguage(): Language {
  return chooseLanguage(localStorage.getItem(choiceKey), navigator.languages.join(','));
}

interface LanguageState {
  readonly language: Language;
  /** Switches now; stored on the account when signed in, so messages and the next sign-in follow it. */
  readonly choose: (language: Language) => Promise<void>;
}

const LanguageContext = createContext<LanguageState | null>(null);

export function LanguageProvider({ signedIn, children }: { signedIn: boolean; children: ReactNode }) {
  const [language, setLanguage] = useState<Language>(browserLanguage);

  // Once signed in, the account's own choice (if any) replaces the browser's.
  useEffect(() => {
    if (!signedIn) return;
    api<Preferences>('GET', preferencesPath)
      .then((preferences) => {
        if (preferences.language === null) return;
        localStorage.setItem(choiceKey, preferences.language);
        setLanguage(preferences.language);
      })
      .catch(() => undefined);
  }, [signedIn]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = catalogues[language]['app.title'];
  }, [language]);

  const choose = useCallback(
    async (chosen: Language) => {
      setLanguage(chosen);
      localStorage.setItem(choiceKey, chosen);
      if (signedIn) await api('PUT', preferencesPath, { language: chosen });
    },
    [signedIn],
  );
  const state = useMemo(() => ({ language, choose }), [language, choose]);
  return (
    <LanguageContext.Provider value={state}>
      <IntlProvider locale={language === 'nl' ? 'nl-NL' : 'en-NL'} messages={catalogues[language]} defaultLocale="nl">
        {children}
      </IntlProvider>
    </LanguageContext.Provider>
  );
}

export function useLanguage(): LanguageState {
  const state = useContext(LanguageContext);
  if (!state) throw new Error('useLanguage outside LanguageProvider');
  return state;
}

type Values = Record<string, string | number>;

/** Texts and formats in the current language: `text(id, values)`, amounts as `€ 939,00`, dates in Amsterdam time. */
export function useText() {
  const intl = useIntl();
  const { language } = useLanguage();
  return useMemo(() => {
    const text = (id: MessageId, values?: Values) => intl.formatMessage({ id }, values);
    /** A known id built from data (a status, a kind), or the fallback when the server sends something new. */
    const textOf = (id: string, fallback: MessageId, values?: Values) =>
      text(id in catalogues[language] ? (id as MessageId) : fallback, values);
    return {
      text,
      textOf,
      money: (amount: Money) => formatMoney(amount.value, amount.currency, language),
      date: (iso: string) => formatDate(iso, language),
      list: (items: string[]) => intl.formatList(items, { type: 'conjunction' }),
      /** A failed request in plain words: never the API's own text. */
      failure: (failure: unknown) =>
        failure instanceof ApiFailure ? textOf(`error.${failure.code}`, 'error.generic') : text('error.network'),
    };
  }, [intl, language]);
}
