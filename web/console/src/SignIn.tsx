// Staff sign-in: enrol a passkey from a one-time link, or sign in with one. There are no passwords.
import { useState } from 'react';
import type { Staff } from './api.ts';
import { enrolPasskey, signInWithPasskey } from './passkeys.ts';

export function SignIn(props: { enrolmentToken: string | null; onSignedIn: (staff: Staff) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<Staff>) {
    setBusy(true);
    setError(null);
    try {
      const staff = await action();
      // The link is used up: drop it from the address bar and history.
      history.replaceState(null, '', '/console/');
      props.onSignedIn(staff);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'that did not work');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Fraud operations</h1>
      {props.enrolmentToken ? (
        <>
          <p>Welcome. Create the passkey you will sign in with on this device.</p>
          <button disabled={busy} onClick={() => void run(() => enrolPasskey(props.enrolmentToken!))}>
            Create passkey
          </button>
        </>
      ) : (
        <>
          <p>Sign in with the passkey on this device.</p>
          <button disabled={busy} onClick={() => void run(signInWithPasskey)}>
            Sign in with passkey
          </button>
        </>
      )}
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
