// Verified channels, "always verify my purchases" and passkeys (the settings endpoints come from issue 4).
import { useState } from 'react';
import { api, type Profile } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { registerPasskey } from './passkeys.ts';
import { useLanguage, useText } from './i18n/language.tsx';
import { Erasure } from './Erasure.tsx';

export const securityPath = '/v1/me/security';

export function Security({ onUnauthorized }: PageProps) {
  const { text, failure } = useText();
  const { language } = useLanguage();
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
    } catch (caught) {
      setNotice(failure(caught));
    }
  }

  if (error) return <p role="alert">{failure(error)}</p>;
  if (!data) return <p>{text('common.loading')}</p>;
  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <h2>{text('security.channels')}</h2>
      <p>{text('security.channelsIntro')}</p>
      <ul className="cards">
        {data.channels.map((channel) => (
          <li key={channel.id} className="card row">
            <span>
              {text(channel.kind === 'email' ? 'channel.email' : 'channel.phone', { masked: channel.masked })}
            </span>
            <span className={channel.verified ? 'status status-paid' : 'status'}>
              {text(channel.verified ? 'channel.verified' : 'channel.notVerified')}
            </span>
          </li>
        ))}
      </ul>
      <h2>{text('security.purchases')}</h2>
      <label className="toggle">
        <input
          type="checkbox"
          checked={data.always_verify}
          onChange={(event) =>
            void act(
              () => api('PUT', securityPath, { always_verify: event.target.checked }),
              text(event.target.checked ? 'security.alwaysVerifyOn' : 'common.saved'),
            )
          }
        />
        {text('security.alwaysVerify')}
      </label>
      <h2>{text('security.passkeys')}</h2>
      <p>{text('security.passkeysIntro')}</p>
      {passkeys.data && passkeys.data.data.length > 0 ? (
        <ul className="cards">
          {passkeys.data.data.map((passkey) => {
            const name = passkey.name ?? text('passkey.unnamed');
            return (
              <li key={passkey.id} className="card row">
                <span>{name}</span>
                <button
                  type="button"
                  className="secondary"
                  aria-label={text('passkey.removeLabel', { name })}
                  onClick={() =>
                    void act(() => api('DELETE', `/v1/me/passkeys/${passkey.id}`), text('passkey.removed'))
                  }
                >
                  {text('passkey.remove')}
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p>{text('passkey.none')}</p>
      )}
      <button
        type="button"
        onClick={() => void act(() => registerPasskey(text('passkey.thisDevice')), text('passkey.added'))}
      >
        {text('passkey.add')}
      </button>
      {/* The right of access: the readable page and the JSON are the same export (GET /v1/me/export). */}
      <h2>{text('privacy.heading')}</h2>
      <p>{text('privacy.intro')}</p>
      <p className="actions">
        <a className="button" href={`/v1/me/export/page?lang=${language}`} data-export="page">
          {text('privacy.view')}
        </a>
        <a className="button secondary" href="/v1/me/export" download="rearguard-export.json" data-export="json">
          {text('privacy.download')}
        </a>
      </p>
      <Erasure onSignedOut={onUnauthorized} />
    </>
  );
}
