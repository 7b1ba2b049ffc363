// Nederlands / English: switches the portal at once and, when signed in, stores the choice on the account.
import { languages, type Language } from '../../../src/i18n/format.ts';
import { useLanguage, useText } from './i18n/language.tsx';

export function LanguageSwitch() {
  const { language, choose } = useLanguage();
  const { text } = useText();
  return (
    <div className="language-switch" role="group" aria-label={text('language.label')}>
      {languages.map((candidate: Language) => (
        <button
          key={candidate}
          type="button"
          lang={candidate}
          className="link"
          aria-pressed={candidate === language}
          onClick={() => void choose(candidate).catch(() => undefined)}
        >
          {text(`language.${candidate}`)}
        </button>
      ))}
    </div>
  );
}
