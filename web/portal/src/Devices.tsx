// Devices and addresses used in the consumer's name, each with "this was not me" to remove and flag it.
import { useState } from 'react';
import { api, type Address, type Device } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { useText } from './i18n/language.tsx';

export function Devices({ onUnauthorized }: PageProps) {
  const { text, date, list, failure } = useText();
  const devices = useApi<{ data: Device[] }>('/v1/me/devices', onUnauthorized);
  const addresses = useApi<{ data: Address[] }>('/v1/me/addresses', onUnauthorized);
  const [notice, setNotice] = useState<string | null>(null);

  async function disown(path: string, body: Record<string, string>, reload: () => Promise<void>) {
    try {
      await api('POST', path, body);
      setNotice(text('notMine.done'));
      await reload();
    } catch (caught) {
      setNotice(failure(caught));
    }
  }

  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <h2>{text('devices.title')}</h2>
      {devices.data?.data.length === 0 && <p>{text('devices.empty')}</p>}
      <ul className="cards">
        {devices.data?.data.map((device) => {
          const name = device.name ?? text('device.unknown');
          return (
            <li key={device.id} className="card" data-device={device.id}>
              <div className="row">
                <strong>{name}</strong>
                <button
                  type="button"
                  className="secondary"
                  aria-label={text('notMine.label', { name })}
                  onClick={() => void disown('/v1/me/devices/not-mine', { device_id: device.id }, devices.reload)}
                >
                  {text('notMine.button')}
                </button>
              </div>
              <p>
                {[
                  text('device.seen', { first: date(device.first_seen), last: date(device.last_seen) }),
                  ...(device.last_ip ? [text('device.from', { ip: device.last_ip })] : []),
                  text('device.uses', { count: device.uses }),
                ].join(' · ')}
              </p>
            </li>
          );
        })}
      </ul>
      <h2>{text('addresses.title')}</h2>
      {addresses.data?.data.length === 0 && <p>{text('addresses.empty')}</p>}
      <ul className="cards">
        {addresses.data?.data.map((address) => (
          <li key={address.key} className="card">
            <div className="row">
              <strong>{address.text}</strong>
              <button
                type="button"
                className="secondary"
                aria-label={text('notMine.label', { name: address.text })}
                onClick={() => void disown('/v1/me/addresses/not-mine', { address_key: address.key }, addresses.reload)}
              >
                {text('notMine.button')}
              </button>
            </div>
            <p>
              {text('address.usage', {
                uses: list(
                  address.uses.map((use) => text(use === 'billing' ? 'address.use.billing' : 'address.use.shipping')),
                ),
                count: address.times,
                date: date(address.last_used),
              })}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
