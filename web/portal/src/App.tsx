// The portal shell: sign-in gate, navigation by URL hash (no router needed for five pages), one page at a time.
import { useEffect, useState } from 'react';
import { api, session } from './api.ts';
import { SignIn } from './SignIn.tsx';
import { Purchases } from './Purchases.tsx';
import { Invoices } from './Invoices.tsx';
import { Devices } from './Devices.tsx';
import { Security } from './Security.tsx';
import { Decisions } from './Decisions.tsx';

const pages = [
  { hash: 'purchases', title: 'Purchases', Page: Purchases },
  { hash: 'invoices', title: 'Invoices', Page: Invoices },
  { hash: 'devices', title: 'Devices & addresses', Page: Devices },
  { hash: 'decisions', title: 'Checks & decisions', Page: Decisions },
  { hash: 'security', title: 'Security', Page: Security },
] as const;

const currentHash = () => window.location.hash.replace(/^#\/?/, '') || 'purchases';

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const [hash, setHash] = useState(currentHash);
  useEffect(() => {
    const onChange = () => setHash(currentHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);

  const signOut = () => {
    // Ends the server session and clears its cookie; the local token goes whatever the answer.
    void api('POST', '/v1/me/sign-out').catch(() => undefined);
    session.clear();
    setSignedIn(false);
  };

  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const page = pages.find((candidate) => candidate.hash === hash) ?? pages[0];
  return (
    <div className="shell">
      <header>
        <strong>Rearguard</strong>
        <nav aria-label="Portal">
          {pages.map((candidate) => (
            <a
              key={candidate.hash}
              href={`#/${candidate.hash}`}
              aria-current={candidate.hash === page.hash ? 'page' : undefined}
            >
              {candidate.title}
            </a>
          ))}
        </nav>
        <button className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <h1>{page.title}</h1>
        <page.Page onUnauthorized={signOut} />
      </main>
    </div>
  );
}
