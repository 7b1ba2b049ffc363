// Verified channels, "always verify my purchases" and passkeys (the settings endpoints come from issue 4).
import { useState } from 'react';
import { api, type Profile } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { registerPasskey } from './passkeys.ts';

export const securityPath = '/v1/me/security';

export function Security({ onUnauthorized }: PageProps) {
  const { data, error, reload } = useApi<Profile>('/v1/me/profile', onUnauthorized);
  const passkeys = useApi<{ data: Array<{ id: string; name?: string | null; created_at?: string }> }>(
    '/v1/me/passkeys',
    onUnauthorized,
  );
  const [notice, setNotice] = useState<string | null>(null);

  async function act(work: () => Promise<unknown>, done: string) {
    try {
      await work();
      setNotice(done);
      await Promise.all([reload(), passkeys.reload()]);
    } catch (failure) {
      setNotice((failure as Error).message);
    }
  }

  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <h2>Where we reach you</h2>
      <p>Codes and notices only ever go to these, never to an address typed in at a checkout.</p>
      <ul className="cards">
        {data.channels.map((channel) => (
          <li key={channel.id} className="card row">
            <span>
              {channel.kind === 'email' ? 'E-mail' : 'Phone'}: {channel.masked}
            </span>
            <span className={channel.verified ? 'status status-paid' : 'status'}>
              {channel.verified ? 'Verified' : 'Not verified'}
            </span>
          </li>
        ))}
      </ul>
      <h2>Purchases</h2>
      <label className="toggle">
        <input
          type="checkbox"
          checked={data.always_verify}
          onChange={(event) =>
            void act(
              () => api('PUT', securityPath, { always_verify: event.target.checked }),
              event.target.checked ? 'Every purchase in your name will now need your confirmation.' : 'Saved.',
            )
          }
        />
        Always verify my purchases (a code or passkey for every order in my name)
      </label>
      <h2>Passkeys</h2>
      <p>A passkey on this device lets you confirm purchases and sign in without a code.</p>
      {passkeys.data && passkeys.data.data.length > 0 ? (
        <ul className="cards">
          {passkeys.data.data.map((passkey) => (
            <li key={passkey.id} className="card row">
              <span>{passkey.name ?? 'Passkey'}</span>
              <button
                className="secondary"
                onClick={() => void act(() => api('DELETE', `/v1/me/passkeys/${passkey.id}`), 'Passkey removed.')}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>No passkeys yet.</p>
      )}
      <button onClick={() => void act(() => registerPasskey('This device'), 'Passkey added.')}>Add a passkey</button>
    </>
  );
}
