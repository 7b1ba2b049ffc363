// The review queue: pending items ranked by expected loss (score x amount), then by time left before the merchant ships.
import { useCallback, useEffect, useState } from 'react';
import { api, money, type Page, type ReviewItem } from './api.ts';

const expectedLoss = (item: ReviewItem) => (item.score ?? 0) * item.amount.value;

function clock(seconds: number | null) {
  if (seconds === null) return '';
  if (seconds <= 0) return 'overdue';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${hours}h ${String(minutes).padStart(2, '0')}m left`;
}

export function Queue() {
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [settled, setSettled] = useState<ReviewItem[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const page = await api<Page<ReviewItem>>('GET', '/v1/ops/reviews?status=pending&limit=500');
    setItems(
      [...page.data].sort(
        (a, b) => expectedLoss(b) - expectedLoss(a) || (a.seconds_remaining ?? 0) - (b.seconds_remaining ?? 0),
      ),
    );
  }, []);

  useEffect(() => {
    void load().catch((failure: Error) => setError(failure.message));
    const timer = setInterval(() => void load().catch(() => undefined), 15_000);
    return () => clearInterval(timer);
  }, [load]);

  async function settle(item: ReviewItem, verdict: 'approve' | 'decline') {
    setError(null);
    try {
      const result = await api<ReviewItem>('POST', `/v1/ops/reviews/${item.id}/${verdict}`);
      setSettled((previous) => [result, ...previous]);
      await load();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  return (
    <section>
      <h2>Review queue</h2>
      {error && <p role="alert">{error}</p>}
      {items === null ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>Nothing waiting for review.</p>
      ) : (
        <ol className="queue">
          {items.map((item) => (
            <li key={item.id} className="queue-item" data-session={item.session_id}>
              <div>
                <strong>{item.merchant.name}</strong> · {money(item.amount)} · score {item.score?.toFixed(2) ?? '—'}
              </div>
              <div className={item.seconds_remaining !== null && item.seconds_remaining < 1800 ? 'sla urgent' : 'sla'}>
                {clock(item.seconds_remaining)}
              </div>
              <div className="actions">
                <button onClick={() => void settle(item, 'approve')}>Approve</button>
                <button className="secondary" onClick={() => void settle(item, 'decline')}>
                  Decline
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {settled.length > 0 && (
        <>
          <h3>Settled just now</h3>
          <ul className="settled">
            {settled.map((item) => (
              <li key={item.id}>
                {item.merchant.name} · {money(item.amount)}: {item.status}
                {item.resolution?.order_id ? ` — order ${item.resolution.order_id}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
