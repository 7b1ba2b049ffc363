// The work queue: reviews and claims ranked by the server (about to ship first, then expected loss), who is working
// what, a "next item" flow that locks the item to you, and bulk approve/decline of reviews.
import { useCallback, useEffect, useState } from 'react';
import { api, money } from './api.ts';
import { failureText, slaClock, type QueueItem } from './desk.types.ts';

interface BulkResult {
  id: string;
  ok: boolean;
  status: string | null;
  order_id: string | null;
  error: { code: string; message: string } | null;
}

export function Queue(props: { onOpen: (itemId: string) => void }) {
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<BulkResult[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback(async () => {
    setItems((await api<{ data: QueueItem[] }>('GET', '/v1/ops/queue?limit=500')).data);
  }, []);

  useEffect(() => {
    void load().catch((failure: unknown) => setMessage(failureText(failure)));
    const timer = setInterval(() => void load().catch(() => undefined), 15_000);
    return () => clearInterval(timer);
  }, [load]);

  async function next() {
    setMessage(null);
    try {
      const { item } = await api<{ item: QueueItem | null }>('POST', '/v1/ops/queue/next');
      if (item) props.onOpen(item.id);
      else setMessage('Nothing left to work: every item is settled or taken by a colleague.');
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  async function bulk(verdict: 'approve' | 'decline') {
    setMessage(null);
    try {
      const answer = await api<{ results: BulkResult[] }>('POST', '/v1/ops/queue/bulk', {
        verdict,
        ids: [...selected],
      });
      setResults(answer.results);
      setSelected(new Set());
      await load();
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  const toggle = (id: string) =>
    setSelected((previous) => {
      const changed = new Set(previous);
      if (changed.has(id)) changed.delete(id);
      else changed.add(id);
      return changed;
    });

  return (
    <section>
      <div className="toolbar">
        <h2>Work queue</h2>
        <button onClick={() => void next()}>Next item</button>
        <span className="bulk">
          {selected.size} selected
          <button className="secondary" disabled={selected.size === 0} onClick={() => void bulk('approve')}>
            Approve selected
          </button>
          <button className="secondary" disabled={selected.size === 0} onClick={() => void bulk('decline')}>
            Decline selected
          </button>
        </span>
      </div>
      {message && <p role="status">{message}</p>}
      {results.length > 0 && (
        <ul className="settled" aria-label="Bulk results">
          {results.map((result) => (
            <li key={result.id}>
              {result.id}:{' '}
              {result.ok
                ? `${result.status}${result.order_id ? ` — order ${result.order_id}` : ''}`
                : result.error?.message}
            </li>
          ))}
        </ul>
      )}
      {items === null ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>Nothing waiting for review.</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th aria-label="Select" />
              <th>Item</th>
              <th>Merchant</th>
              <th>Amount</th>
              <th>Score</th>
              <th>Expected loss</th>
              <th>SLA</th>
              <th>Worked by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-item={item.id} data-session={item.session_id ?? undefined}>
                <td>
                  {item.kind === 'review' && (
                    <input
                      type="checkbox"
                      aria-label={`Select ${item.id}`}
                      checked={selected.has(item.id)}
                      disabled={Boolean(item.lock && !item.lock.mine)}
                      onChange={() => toggle(item.id)}
                    />
                  )}
                </td>
                <td>{item.kind === 'review' ? 'Review' : `Claim (${item.claim_kind ?? 'claim'})`}</td>
                <td>{item.merchant.name ?? '—'}</td>
                <td>{money(item.amount)}</td>
                <td>{item.score?.toFixed(2) ?? '—'}</td>
                <td>{money({ value: item.expected_loss, currency: item.amount.currency })}</td>
                <td className={item.seconds_remaining < 1800 ? 'sla urgent' : 'sla'}>
                  {slaClock(item.seconds_remaining)}
                </td>
                <td>{item.lock ? (item.lock.mine ? 'You' : `Locked by ${item.lock.by}`) : '—'}</td>
                <td>
                  <button className="secondary" onClick={() => props.onOpen(item.id)}>
                    Open
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
