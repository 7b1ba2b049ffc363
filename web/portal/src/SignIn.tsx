// Passwordless sign-in: a code to an e-mail address or phone number already on file, or a passkey.
import { useState, type FormEvent } from 'react';
import { api, session } from './api.ts';
import { signInWithPasskey } from './passkeys.ts';
import { useText } from './i18n/language.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

interface Started {
  sign_in_id?: string;
  id?: string;
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { text, failure } = useText();
  const [identifier, setIdentifier] = useState('');
  const [signInId, setSignInId] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(work: () => Promise<void>) {
    setBusy(true);
    setMessage(null);
    try {
      await work();
    } catch (caught) {
      setMessage(failure(caught));
    } finally {
      setBusy(false);
    }
  }

  const start = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const value = identifier.trim();
      const field = value.includes('@') ? { email: value } : { phone: value };
      const started = await api<Started>('POST', '/v1/me/sign-in', { identifier: value, ...field });
      setSignInId(started.sign_in_id ?? started.id ?? null);
    });
  };

  const verify = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const verified = await api<{ token?: string }>('POST', '/v1/me/sign-in/verify', {
        sign_in_id: signInId,
        code: code.trim(),
      });
      if (verified.token) session.save(verified.token);
      onSignedIn();
    });
  };

  const passkey = () =>
    void run(async () => {
      const token = await signInWithPasskey();
      if (token) session.save(token);
      onSignedIn();
    });

  return (
    <>
      <header>
        <div className="brand-row">
          <strong className="brand">{text('app.name')}</strong>
        </div>
        <div className="header-tools">
          <LanguageSwitch />
        </div>
      </header>
      <main className="sign-in">
        <h1>{text('signIn.title')}</h1>
        <p>{text('signIn.intro')}</p>
        {signInId === null ? (
          <form onSubmit={start}>
            <label htmlFor="identifier">{text('signIn.identifier')}</label>
            <input
              id="identifier"
              name="identifier"
              autoComplete="username"
              value={identifier}
              onChange={(event) => setIdentifier(event.target.value)}
              required
            />
            <button type="submit" disabled={busy}>
              {text('signIn.sendCode')}
            </button>
            <button type="button" className="secondary" onClick={passkey} disabled={busy}>
              {text('signIn.passkey')}
            </button>
          </form>
        ) : (
          <form onSubmit={verify}>
            <p>{text('signIn.codeSent')}</p>
            <label htmlFor="code">{text('signIn.code')}</label>
            <input
              id="code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              required
            />
            <button type="submit" disabled={busy}>
              {text('signIn.submit')}
            </button>
          </form>
        )}
        {message && (
          <p role="alert" className="error">
            {message}
          </p>
        )}
      </main>
    </>
  );
}
