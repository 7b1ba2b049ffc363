// The portal shell: sign-in gate, navigation by URL hash (no router needed for five pages), one page at a time.
import { useEffect, useState } from 'react';
import { api, session } from './api.ts';
import { SignIn } from './SignIn.tsx';
import { Purchases } from './Purchases.tsx';
import { Invoices } from './Invoices.tsx';
import { Devices } from './Devices.tsx';
import { Security } from './Security.tsx';
import { Decisions } from './Decisions.tsx';
import { LanguageProvider, useText } from './i18n/language.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

const pages = [
  { hash: 'purchases', title: 'nav.purchases', Page: Purchases },
  { hash: 'invoices', title: 'nav.invoices', Page: Invoices },
  { hash: 'devices', title: 'nav.devices', Page: Devices },
  { hash: 'decisions', title: 'nav.decisions', Page: Decisions },
  { hash: 'security', title: 'nav.security', Page: Security },
] as const;

const currentHash = () => window.location.hash.replace(/^#\/?/, '') || 'purchases';

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const signOut = () => {
    // Ends the server session and clears its cookie; the local token goes whatever the answer.
    void api('POST', '/v1/me/sign-out').catch(() => undefined);
    session.clear();
    setSignedIn(false);
  };
  return (
    <LanguageProvider signedIn={signedIn}>
      {signedIn ? <Portal signOut={signOut} /> : <SignIn onSignedIn={() => setSignedIn(true)} />}
    </LanguageProvider>
  );
}

function Portal({ signOut }: { signOut: () => void }) {
  const { text } = useText();
  const [hash, setHash] = useState(currentHash);
  // On a phone the navigation folds into a menu button; choosing a page folds it again.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    const onChange = () => {
      setHash(currentHash());
      setMenuOpen(false);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);

  const page = pages.find((candidate) => candidate.hash === hash) ?? pages[0];
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        {text('app.skipToContent')}
      </a>
      <header className={menuOpen ? 'portal-header menu-open' : 'portal-header'}>
        <div className="brand-row">
          <strong className="brand">{text('app.name')}</strong>
          <button
            type="button"
            className="menu-button"
            aria-expanded={menuOpen}
            aria-controls="portal-navigation"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {text('nav.menu')}
          </button>
        </div>
        <nav id="portal-navigation" aria-label={text('nav.label')}>
          {pages.map((candidate) => (
            <a
              key={candidate.hash}
              href={`#/${candidate.hash}`}
              aria-current={candidate.hash === page.hash ? 'page' : undefined}
            >
              {text(candidate.title)}
            </a>
          ))}
        </nav>
        <div className="header-tools">
          <LanguageSwitch />
          <button type="button" className="link" onClick={signOut}>
            {text('app.signOut')}
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        <h1>{text(page.title)}</h1>
        <page.Page onUnauthorized={signOut} />
      </main>
    </div>
  );
}
