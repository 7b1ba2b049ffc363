// Devices and addresses used in the consumer's name, each with "this was not me" to remove and flag it.
import { useState } from 'react';
import { api, day, type Address, type Device } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';

export function Devices({ onUnauthorized }: PageProps) {
  const devices = useApi<{ data: Device[] }>('/v1/me/devices', onUnauthorized);
  const addresses = useApi<{ data: Address[] }>('/v1/me/addresses', onUnauthorized);
  const [notice, setNotice] = useState<string | null>(null);

  async function disown(path: string, body: Record<string, string>, reload: () => Promise<void>) {
    try {
      await api('POST', path, body);
      setNotice('Removed. We will treat it as suspicious if it is used in your name again.');
      await reload();
    } catch (failure) {
      setNotice((failure as Error).message);
    }
  }

  return (
    <>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <h2>Devices</h2>
      {devices.data?.data.length === 0 && <p>No devices recorded.</p>}
      <ul className="cards">
        {devices.data?.data.map((device) => (
          <li key={device.id} className="card">
            <div className="row">
              <strong>{device.user_agent ?? 'Unknown browser'}</strong>
              <button
                className="secondary"
                onClick={() => void disown('/v1/me/devices/not-mine', { device_id: device.id }, devices.reload)}
              >
                This was not me
              </button>
            </div>
            <p>
              First seen {day(device.first_seen)}, last seen {day(device.last_seen)}
              {device.last_ip && ` from ${device.last_ip}`} · used {device.uses}×
            </p>
          </li>
        ))}
      </ul>
      <h2>Addresses</h2>
      {addresses.data?.data.length === 0 && <p>No addresses recorded.</p>}
      <ul className="cards">
        {addresses.data?.data.map((address) => (
          <li key={address.key} className="card">
            <div className="row">
              <strong>{address.text}</strong>
              <button
                className="secondary"
                onClick={() => void disown('/v1/me/addresses/not-mine', { address_key: address.key }, addresses.reload)}
              >
                This was not me
              </button>
            </div>
            <p>
              Used for {address.uses.join(' and ')} · {address.times}× · last {day(address.last_used)}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
