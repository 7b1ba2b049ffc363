// Alerts raised by the system (review deadlines passed, case SLA breaches): acknowledge to show someone is on it.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page } from './api.ts';

interface Alert {
  id: string;
  kind: string;
  message: string;
  created_at: string;
  acknowledged_at: string | null;
}

export function Alerts() {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const load = useCallback(async () => {
    setAlerts((await api<Page<Alert>>('GET', '/v1/ops/alerts')).data);
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load().catch(() => undefined), 15_000);
    return () => clearInterval(timer);
  }, [load]);

  async function acknowledge(alert: Alert) {
    await api('POST', `/v1/ops/alerts/${alert.id}/acknowledge`);
    await load();
  }

  return (
    <section>
      <h2>Alerts</h2>
      {alerts === null ? (
        <p>Loading…</p>
      ) : alerts.length === 0 ? (
        <p>No alerts.</p>
      ) : (
        <ol className="queue">
          {alerts.map((alert) => (
            <li key={alert.id} className="queue-item" data-alert={alert.id}>
              <div>
                <strong>{alert.kind.replaceAll('_', ' ')}</strong> · {alert.message}
              </div>
              <div>{new Date(alert.created_at).toLocaleString('en-GB')}</div>
              <div className="actions">
                {alert.acknowledged_at ? (
                  <span>Acknowledged</span>
                ) : (
                  <button onClick={() => void acknowledge(alert)}>Acknowledge</button>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
