// Block and allow lists: what is listed, why and until when; add an entry with a reason and expiry, or remove one.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page } from './api.ts';

interface ListEntry {
  id: string;
  list: 'block' | 'allow';
  kind: string;
  value: string;
  reason: string;
  created_at: string;
  expires_at: string | null;
  expired: boolean;
}

const kinds = ['email', 'phone', 'device', 'ip', 'iban'] as const;

export function Lists() {
  const [entries, setEntries] = useState<ListEntry[] | null>(null);
  const [list, setList] = useState<'block' | 'allow'>('block');
  const [kind, setKind] = useState<(typeof kinds)[number]>('email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    setEntries((await api<Page<ListEntry>>('GET', '/v1/ops/lists?limit=200')).data);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function add() {
    try {
      const entry = await api<ListEntry>('POST', '/v1/ops/lists', {
        list,
        kind,
        value,
        reason,
        // The input is local time; the server wants an instant.
        ...(expiresAt ? { expires_at: new Date(expiresAt).toISOString() } : {}),
      });
      setMessage(`Listed ${entry.kind} ${entry.value} on the ${entry.list} list.`);
      setValue('');
      await load();
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  async function remove(entry: ListEntry) {
    await api('POST', `/v1/ops/lists/${entry.id}/remove`);
    setMessage(`Removed ${entry.kind} ${entry.value}.`);
    await load();
  }

  return (
    <section>
      <h2>Block and allow lists</h2>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label>
          List
          <select value={list} onChange={(event) => setList(event.target.value as 'block' | 'allow')}>
            <option value="block">block</option>
            <option value="allow">allow</option>
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(event) => setKind(event.target.value as (typeof kinds)[number])}>
            {kinds.map((option) => (
              <option key={option}>{option}</option>
            ))}
          </select>
        </label>
        <label>
          Value
          <input value={value} onChange={(event) => setValue(event.target.value)} />
        </label>
        <label>
          Reason
          <input value={reason} onChange={(event) => setReason(event.target.value)} />
        </label>
        <label>
          Expires
          <input type="datetime-local" value={expiresAt} onChange={(event) => setExpiresAt(event.target.value)} />
        </label>
        <button type="submit" disabled={!value.trim() || !reason.trim()}>
          Add entry
        </button>
      </form>
      {message && <p role="status">{message}</p>}
      {entries === null ? (
        <p>Loading…</p>
      ) : (
        <table className="queue-table" aria-label="List entries">
          <thead>
            <tr>
              <th>List</th>
              <th>Kind</th>
              <th>Value</th>
              <th>Reason</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-entry={entry.id}>
                <td>{entry.list}</td>
                <td>{entry.kind}</td>
                <td>{entry.value}</td>
                <td>{entry.reason}</td>
                <td>
                  {entry.expires_at ? new Date(entry.expires_at).toLocaleString('en-GB') : 'never'}
                  {entry.expired && ' (expired, no longer applied)'}
                </td>
                <td>
                  <button className="secondary" onClick={() => void remove(entry)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
