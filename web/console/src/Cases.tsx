// Open cases: close one as confirmed fraud, which waits for a second person (four eyes).
import { useEffect, useState } from 'react';
import { api, type Page } from './api.ts';

interface CaseSummary {
  id: string;
  kind: string;
  claim_kind: string | null;
  status: string;
  order_id: string | null;
  sla: { breached: boolean; seconds_remaining: number | null };
}

export function Cases() {
  const [cases, setCases] = useState<CaseSummary[] | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void api<Page<CaseSummary>>('GET', '/v1/ops/cases?status=open').then((page) => setCases(page.data));
  }, []);

  async function confirmFraud(caseId: string) {
    try {
      await api('POST', `/v1/ops/cases/${caseId}/resolve`, { outcome: 'fraud_confirmed', note: notes[caseId] ?? '' });
      setMessage(`Case ${caseId}: waiting for a second person to confirm fraud.`);
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  return (
    <section>
      <h2>Open cases</h2>
      {message && <p role="status">{message}</p>}
      {cases === null ? (
        <p>Loading…</p>
      ) : cases.length === 0 ? (
        <p>No open cases.</p>
      ) : (
        <ol className="queue">
          {cases.map((row) => (
            <li key={row.id} className="queue-item case-item" data-case={row.id}>
              <div>
                <strong>{row.claim_kind ?? row.kind}</strong> · order {row.order_id ?? '—'}
                {row.sla.breached ? ' · SLA breached' : ''}
              </div>
              <label>
                Note
                <input
                  value={notes[row.id] ?? ''}
                  onChange={(event) => setNotes({ ...notes, [row.id]: event.target.value })}
                />
              </label>
              <button disabled={!notes[row.id]} onClick={() => void confirmFraud(row.id)}>
                Confirm fraud
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
