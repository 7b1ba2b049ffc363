// Decision search: filter decision records by time, outcome, merchant, rule hit, score range or any identifier, and
// open one explained as the consumer saw it and as an analyst sees it.
import { useState, type FormEvent } from 'react';
import { api, money, type Money, type Page } from './api.ts';
import { DecisionPanel } from './DecisionPanel.tsx';
import { failureText, type DecisionExplanation } from './desk.types.ts';

interface DecisionSummary {
  id: string;
  merchant: { id: string; name: string };
  customer_name: string | null;
  amount: Money | null;
  outcome: string;
  score: number | null;
  decided_at: string;
  rule_hits: string[];
}

const filters = [
  ['identifier', 'Identifier (e-mail, phone, device, IP, account, order, session)', 'text'],
  ['outcome', 'Outcome', 'select'],
  ['rule', 'Rule hit', 'text'],
  ['merchant_id', 'Merchant id', 'text'],
  ['score_min', 'Score from', 'number'],
  ['score_max', 'Score to', 'number'],
  ['from', 'From', 'datetime-local'],
  ['to', 'To', 'datetime-local'],
] as const;
type Filter = (typeof filters)[number][0];

export function Decisions() {
  const [values, setValues] = useState<Partial<Record<Filter, string>>>({});
  const [rows, setRows] = useState<DecisionSummary[] | null>(null);
  const [open, setOpen] = useState<DecisionExplanation | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function search(event?: FormEvent) {
    event?.preventDefault();
    setMessage(null);
    const query = new URLSearchParams({ limit: '100' });
    for (const [name, value] of Object.entries(values)) {
      if (!value) continue;
      query.set(name, name === 'from' || name === 'to' ? new Date(value).toISOString() : value);
    }
    try {
      setRows((await api<Page<DecisionSummary>>('GET', `/v1/ops/decisions?${query.toString()}`)).data);
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  async function show(id: string) {
    try {
      setOpen(await api<DecisionExplanation>('GET', `/v1/ops/decisions/${id}`));
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  return (
    <section>
      <h2>Decisions</h2>
      <form className="filters" onSubmit={(event) => void search(event)}>
        {filters.map(([name, label, type]) => (
          <label key={name}>
            {label}
            {type === 'select' ? (
              <select
                value={values[name] ?? ''}
                onChange={(event) => setValues({ ...values, [name]: event.target.value })}
              >
                <option value="">any</option>
                {['approved', 'step_up', 'review', 'declined'].map((outcome) => (
                  <option key={outcome}>{outcome}</option>
                ))}
              </select>
            ) : (
              <input
                type={type}
                step={type === 'number' ? '0.01' : undefined}
                value={values[name] ?? ''}
                onChange={(event) => setValues({ ...values, [name]: event.target.value })}
              />
            )}
          </label>
        ))}
        <button type="submit">Search</button>
      </form>
      {message && <p role="alert">{message}</p>}
      {rows !== null &&
        (rows.length === 0 ? (
          <p>No decision matches.</p>
        ) : (
          <table aria-label="Decisions found">
            <thead>
              <tr>
                <th>When</th>
                <th>Merchant</th>
                <th>Customer (claimed)</th>
                <th>Amount</th>
                <th>Outcome</th>
                <th>Score</th>
                <th>Rule hits</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-decision={row.id}>
                  <td>{new Date(row.decided_at).toLocaleString('en-GB', { timeZone: 'Europe/Amsterdam' })}</td>
                  <td>{row.merchant.name}</td>
                  <td>{row.customer_name ?? '—'}</td>
                  <td>{row.amount ? money(row.amount) : '—'}</td>
                  <td>{row.outcome}</td>
                  <td>{row.score?.toFixed(2) ?? '—'}</td>
                  <td>{row.rule_hits.join(', ') || '—'}</td>
                  <td>
                    <button className="secondary" onClick={() => void show(row.id)}>
                      Explain
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {open && <DecisionPanel decision={open} />}
    </section>
  );
}
