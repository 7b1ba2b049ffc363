// Rulesets: preview a version's backtest on recorded history, then ask for its activation (a second person confirms).
import { useEffect, useState } from 'react';
import { api, type Page } from './api.ts';
import { RulesEditor } from './RulesEditor.tsx';
import { RulesShadow } from './RulesShadow.tsx';

interface RulesetVersion {
  version: string;
  active: boolean;
  shadow: boolean;
  rules: number;
  created_at: string;
}

interface Backtest {
  orders: number;
  outcomes: Record<string, { orders: number; fraud: number; legit: number }>;
  fraud: { total: number; caught: number; caughtShare: number | null };
  friction: { legit: number; flagged: number; flaggedShare: number | null };
  money: { fraudCaughtCents: number; fraudTotalCents: number; reviewsPerHourAdded: number | null };
}

const euros = (cents: number) =>
  new Intl.NumberFormat('en-NL', { style: 'currency', currency: 'EUR' }).format(cents / 100);

const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);

export function Rules() {
  const [versions, setVersions] = useState<RulesetVersion[] | null>(null);
  const [previews, setPreviews] = useState<Record<string, Backtest>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const reload = () => api<Page<RulesetVersion>>('GET', '/v1/ops/rulesets').then((page) => setVersions(page.data));
  useEffect(() => {
    void reload();
  }, []);

  /** Shadow, stop and roll back answer at once (no second person): they change no answer, or undo one. */
  async function lever(path: string, done: string) {
    try {
      await api('POST', path);
      setMessage(done);
      await reload();
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

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
      <div className="toolbar">
        <h2>Rulesets</h2>
        <button
          className="secondary"
          onClick={() => void lever('/v1/ops/rulesets/rollback', 'Rolled back to the previous version.')}
        >
          Roll back to previous version
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      {editing && (
        <RulesEditor
          from={editing}
          onClose={() => setEditing(null)}
          onSaved={(version) => {
            setEditing(null);
            setMessage(`Saved ${version} as a new version.`);
            void reload();
          }}
        />
      )}
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
                  {row.shadow ? ' · in shadow' : ''}
                  {row.shadow && <RulesShadow version={row.version} />}
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
                      <dt>Fraud caught in EUR</dt>
                      <dd>
                        {euros(result.money.fraudCaughtCents)} of {euros(result.money.fraudTotalCents)}
                      </dd>
                      <dt>Reviews</dt>
                      <dd>{result.outcomes.review?.orders ?? 0}</dd>
                      <dt>Reviews per hour added</dt>
                      <dd>{result.money.reviewsPerHourAdded ?? '—'}</dd>
                    </dl>
                  )}
                </div>
                <div />
                <div className="actions">
                  <button className="secondary" onClick={() => setEditing(row.version)}>
                    Edit as new version
                  </button>
                  <button className="secondary" onClick={() => void preview(row.version)}>
                    Preview backtest
                  </button>
                  {!row.active &&
                    (row.shadow ? (
                      <button
                        className="secondary"
                        onClick={() =>
                          void lever('/v1/ops/rulesets/shadow/stop', `Stopped the shadow of ${row.version}.`)
                        }
                      >
                        Stop shadow
                      </button>
                    ) : (
                      <button
                        className="secondary"
                        onClick={() =>
                          void lever(
                            `/v1/ops/rulesets/${encodeURIComponent(row.version)}/shadow`,
                            `${row.version} runs in shadow on live traffic.`,
                          )
                        }
                      >
                        Shadow on live traffic
                      </button>
                    ))}
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
