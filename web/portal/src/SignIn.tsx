// Passwordless sign-in: a code to an e-mail address or phone number already on file, or a passkey.
import { useState, type FormEvent } from 'react';
import { api, session } from './api.ts';
import { signInWithPasskey } from './passkeys.ts';

interface Started {
  sign_in_id?: string;
  id?: string;
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
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
    } catch (failure) {
      setMessage((failure as Error).message);
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
    <main className="sign-in">
      <h1>See what was bought in your name</h1>
      <p>
        Sign in with a code we send to an e-mail address or phone number we already have on file for you. We never send
        codes to a new address.
      </p>
      {signInId === null ? (
        <form onSubmit={start}>
          <label htmlFor="identifier">E-mail address or phone number</label>
          <input
            id="identifier"
            name="identifier"
            autoComplete="username"
            value={identifier}
            onChange={(event) => setIdentifier(event.target.value)}
            required
          />
          <button type="submit" disabled={busy}>
            Send me a code
          </button>
          <button type="button" className="secondary" onClick={passkey} disabled={busy}>
            Sign in with a passkey
          </button>
        </form>
      ) : (
        <form onSubmit={verify}>
          <p>If this address is on file, we sent a code to it.</p>
          <label htmlFor="code">Code</label>
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
            Sign in
          </button>
        </form>
      )}
      {message && (
        <p role="alert" className="error">
          {message}
        </p>
      )}
    </main>
  );
}
