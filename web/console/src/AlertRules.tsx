// Alert rules on the monitored series, the alerts they raised (acknowledge, resolve) and the emergency levers pulled
// from them: a time-boxed override of a merchant's decisions that ends by itself.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { seriesNames } from '../../../src/monitoring/series-names.ts';
import { api, ApiFailure, type Page } from './api.ts';
import { LeverForm, LeverTable, type Lever } from './Levers.tsx';
import './monitoring.css';

interface AlertRule {
  id: string;
  name: string;
  series: string;
  merchant_id: string | null;
  new_address_only: boolean;
  kind: 'threshold' | 'change';
  threshold: number;
  minimum_count: number;
  window_minutes: number;
  last_evaluated_at: string | null;
}

interface Alert {
  id: string;
  kind: string;
  message: string;
  created_at: string;
  acknowledged_at: string | null;
  rule_id: string | null;
  resolved_at: string | null;
}

const describeFailure = (failure: unknown) => (failure instanceof ApiFailure ? failure.message : 'that did not work');
const when = (iso: string) => new Date(iso).toLocaleString('en-GB');

export function AlertRules() {
  const [rules, setRules] = useState<AlertRule[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [levers, setLevers] = useState<Lever[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [leverFor, setLeverFor] = useState<Alert | null>(null);

  const load = useCallback(async () => {
    const [rulePage, alertPage, leverPage] = await Promise.all([
      api<Page<AlertRule>>('GET', '/v1/ops/alert-rules?limit=100'),
      api<Page<Alert>>('GET', '/v1/ops/alerts?limit=100'),
      api<Page<Lever>>('GET', '/v1/ops/levers?limit=50'),
    ]);
    setRules(rulePage.data);
    setAlerts(alertPage.data.filter((alert) => alert.rule_id !== null && alert.resolved_at === null));
    setLevers(leverPage.data);
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load().catch(() => undefined), 10_000);
    return () => clearInterval(timer);
  }, [load]);

  /** Runs an action, then says what happened (`done` may read the action's answer) and reloads. */
  const act = async <T,>(work: () => Promise<T>, done: string | ((result: T) => string)) => {
    try {
      const result = await work();
      setMessage(typeof done === 'string' ? done : done(result));
    } catch (failure) {
      setMessage(describeFailure(failure));
    }
    await load();
  };

  async function createRule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const merchant = String(form.get('merchant_id') ?? '').trim();
    await act(
      () =>
        api('POST', '/v1/ops/alert-rules', {
          name: String(form.get('name')),
          series: String(form.get('series')),
          merchant_id: merchant === '' ? null : merchant,
          new_address_only: form.get('new_address_only') === 'on',
          kind: String(form.get('kind')),
          threshold: Number(form.get('threshold')),
          minimum_count: Number(form.get('minimum_count')),
          window_minutes: Number(form.get('window_minutes')),
        }),
      'Alert rule saved.',
    );
  }

  async function evaluate() {
    await act(
      () => api<{ raised: number }>('POST', '/v1/ops/alert-rules/evaluate'),
      (result) => `Evaluated: ${result.raised} alert(s) raised.`,
    );
  }

  async function pullLever(event: FormEvent<HTMLFormElement>, alert: Alert) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const euros = String(form.get('minimum_amount') ?? '').trim();
    await act(
      () =>
        api('POST', '/v1/ops/levers', {
          alert_id: alert.id,
          merchant_id: String(form.get('merchant_id')).trim(),
          action: String(form.get('action')),
          new_address_only: form.get('new_address_only') === 'on',
          minimum_amount: euros === '' ? null : Math.round(Number(euros) * 100),
          minutes: Number(form.get('minutes')),
        }),
      'Lever pulled.',
    );
    setLeverFor(null);
  }

  const ruleOf = (alert: Alert) => rules.find((rule) => rule.id === alert.rule_id);

  return (
    <section className="alert-rules">
      <div className="toolbar">
        <h2>Alert rules and levers</h2>
        <button onClick={() => void evaluate()}>Evaluate now</button>
      </div>
      {message && <p role="status">{message}</p>}

      <h3>Raised by rules</h3>
      {alerts.length === 0 ? (
        <p className="muted">No open rule alerts.</p>
      ) : (
        <ol className="queue">
          {alerts.map((alert) => (
            <li key={alert.id} className="queue-item" data-rule-alert={alert.id}>
              <div>
                {alert.message}
                {leverFor?.id === alert.id && (
                  <LeverForm rule={ruleOf(alert)} onSubmit={(event) => void pullLever(event, alert)} />
                )}
              </div>
              <div>{when(alert.created_at)}</div>
              <div className="actions">
                {alert.acknowledged_at ? (
                  <span>Acknowledged</span>
                ) : (
                  <button
                    onClick={() =>
                      void act(() => api('POST', `/v1/ops/alerts/${alert.id}/acknowledge`), 'Alert acknowledged.')
                    }
                  >
                    Acknowledge
                  </button>
                )}
                <button className="secondary" onClick={() => setLeverFor(alert)}>
                  Emergency lever…
                </button>
                <button
                  className="secondary"
                  onClick={() => void act(() => api('POST', `/v1/ops/alerts/${alert.id}/resolve`), 'Alert resolved.')}
                >
                  Resolve
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}

      <h3>Levers</h3>
      {levers.length === 0 ? (
        <p className="muted">No levers pulled.</p>
      ) : (
        <LeverTable
          levers={levers}
          onRelease={(lever) => void act(() => api('POST', `/v1/ops/levers/${lever.id}/release`), 'Lever released.')}
        />
      )}

      <h3>Rules</h3>
      <form className="rule-form" onSubmit={(event) => void createRule(event)}>
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <label>
          Series
          <select name="series" defaultValue="step_ups">
            {seriesNames.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Merchant (empty: all)
          <input name="merchant_id" />
        </label>
        <label className="inline">
          <input type="checkbox" name="new_address_only" />
          New-address orders only
        </label>
        <label>
          Kind
          <select name="kind" defaultValue="change">
            <option value="change">change vs last week (×)</option>
            <option value="threshold">threshold</option>
          </select>
        </label>
        <label>
          Alert at
          <input name="threshold" type="number" min="0" step="any" defaultValue="2" required />
        </label>
        <label>
          Minimum events
          <input name="minimum_count" type="number" min="1" defaultValue="5" required />
        </label>
        <label>
          Window (min)
          <input name="window_minutes" type="number" min="1" max="1440" defaultValue="60" required />
        </label>
        <button type="submit">Save rule</button>
      </form>
      <ol className="queue">
        {rules.map((rule) => (
          <li key={rule.id} className="queue-item" data-alert-rule={rule.id}>
            <div>
              <strong>{rule.name}</strong> · {rule.series}
              {rule.new_address_only ? ' (new-address orders)' : ''} ≥ {rule.threshold}
              {rule.kind === 'change' ? '× last week' : ''} over {rule.window_minutes} min
              {rule.merchant_id ? ` at ${rule.merchant_id}` : ''}
            </div>
            <div>{rule.last_evaluated_at ? `checked ${when(rule.last_evaluated_at)}` : 'not checked yet'}</div>
            <div />
          </li>
        ))}
      </ol>
    </section>
  );
}
