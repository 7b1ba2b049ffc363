// Rulesets: preview a version's backtest on recorded history, then ask for its activation (a second person confirms).
import { useEffect, useState } from 'react';
import { api, type Page } from './api.ts';

interface RulesetVersion {
  version: string;
  active: boolean;
  rules: number;
  created_at: string;
}

interface Backtest {
  orders: number;
  outcomes: Record<string, { orders: number; fraud: number; legit: number }>;
  fraud: { total: number; caught: number; caughtShare: number | null };
  friction: { legit: number; flagged: number; flaggedShare: number | null };
}

const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);

export function Rules() {
  const [versions, setVersions] = useState<RulesetVersion[] | null>(null);
  const [previews, setPreviews] = useState<Record<string, Backtest>>({});
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    void api<Page<RulesetVersion>>('GET', '/v1/ops/rulesets').then((page) => setVersions(page.data));
  }, []);

  async function preview(version: string) {
    const result = await api<Backtest>('POST', `/v1/ops/rulesets/${encodeURIComponent(version)}/backtest`);
    setPreviews((previous) => ({ ...previous, [version]: result }));
  }

  async function requestActivation(version: string) {
    try {
      await api('POST', `/v1/ops/rulesets/${encodeURIComponent(version)}/activate`);
      setMessage(`Activation of ${version} is waiting for a second person.`);
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  return (
    <section>
      <h2>Rulesets</h2>
      {message && <p role="status">{message}</p>}
      {versions === null ? (
        <p>Loading…</p>
      ) : (
        <ol className="queue">
          {versions.map((row) => {
            const result = previews[row.version];
            return (
              <li key={row.version} className="queue-item ruleset-item" data-ruleset={row.version}>
                <div>
                  <strong>{row.version}</strong> · {row.rules} rules {row.active ? '· active' : ''}
                  {result && (
                    <dl className="backtest" aria-label={`Backtest of ${row.version}`}>
                      <dt>Orders replayed</dt>
                      <dd>{result.orders}</dd>
                      <dt>Fraud caught</dt>
                      <dd>
                        {result.fraud.caught} of {result.fraud.total} ({percent(result.fraud.caughtShare)})
                      </dd>
                      <dt>Good customers stepped up, reviewed or declined</dt>
                      <dd>
                        {result.friction.flagged} of {result.friction.legit} ({percent(result.friction.flaggedShare)})
                      </dd>
                      <dt>Reviews</dt>
                      <dd>{result.outcomes.review?.orders ?? 0}</dd>
                    </dl>
                  )}
                </div>
                <div />
                <div className="actions">
                  <button className="secondary" onClick={() => void preview(row.version)}>
                    Preview backtest
                  </button>
                  {!row.active && (
                    <button disabled={!result} onClick={() => void requestActivation(row.version)}>
                      Request activation
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
