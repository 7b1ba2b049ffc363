// Why a purchase in the consumer's name was checked, held or declined, in plain words, with a way to ask a person.
import { useState } from 'react';
import { api, day, money, type Decision } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';

export function Decisions({ onUnauthorized }: PageProps) {
  const { data, error } = useApi<{ data: Decision[] }>('/v1/me/decisions', onUnauthorized);
  const [asked, setAsked] = useState<Record<string, string>>({});

  async function askForReview(decision: Decision) {
    try {
      await api('POST', '/v1/me/reviews', {
        decision_id: decision.id,
        message: 'I would like a person to review this decision.',
      });
      setAsked((previous) => ({ ...previous, [decision.id]: 'A person will review this and get back to you.' }));
    } catch (failure) {
      setAsked((previous) => ({ ...previous, [decision.id]: (failure as Error).message }));
    }
  }

  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p>Loading…</p>;
  if (data.data.length === 0) return <p>No checks have been made on purchases in your name.</p>;
  return (
    <ul className="cards">
      {data.data.map((decision) => (
        <li key={decision.id} className="card">
          <div className="row">
            <h2>
              {decision.merchant ?? 'A shop'} · {money(decision.amount)}
            </h2>
            <span className={`status decision-${decision.outcome}`}>{decision.summary}</span>
          </div>
          <p>{day(decision.decided_at)}</p>
          <ul>
            {decision.reasons.map((reason) => (
              <li key={reason.code}>{reason.text}</li>
            ))}
          </ul>
          {asked[decision.id] ? (
            <p role="status">{asked[decision.id]}</p>
          ) : (
            <button className="secondary" onClick={() => void askForReview(decision)}>
              Ask for a human review
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
