// The model registry: every version with its metrics, challengers against the champion on the same live decisions
// (agreement and drawn ROC/PR curves), promotion through a second person, and rollback.
import { useCallback, useEffect, useState } from 'react';
import { api } from './api.ts';
import { CurveChart } from './CurveChart.tsx';

interface Curves {
  roc: { x: number; y: number }[];
  pr: { x: number; y: number }[];
  decisions: number;
  fraud: number;
}

interface ModelVersion {
  id: string;
  name: string;
  status: 'champion' | 'challenger' | 'retired';
  created_at: string;
  metrics: Record<string, unknown>;
  thresholds: Record<string, number>;
  shadow: {
    scored: number;
    agreement: number | null;
    fraud_labelled: number;
    roc_auc: number | null;
    champion_roc_auc: number | null;
    challenger_curves: Curves | null;
    champion_curves: Curves | null;
  } | null;
}

const figure = (value: number | null) => (value === null ? '—' : value.toFixed(3));

/** Nested metrics ({ validation: { roc_auc: 0.9 } }) as readable "validation roc_auc: 0.9" lines. */
function metricLines(metrics: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(metrics).flatMap(([key, value]) =>
    typeof value === 'number'
      ? [`${prefix}${key}: ${Number.isInteger(value) ? value : value.toFixed(3)}`]
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? metricLines(value as Record<string, unknown>, `${prefix}${key} `)
        : [],
  );
}

export function Models() {
  const [data, setData] = useState<{ serving: string | null; versions: ModelVersion[] } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => setData(await api('GET', '/v1/ops/models')), []);
  useEffect(() => {
    void load();
  }, [load]);

  async function act(path: string, done: string) {
    try {
      await api('POST', path);
      setMessage(done);
      await load();
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  if (data === null) return <p>Loading…</p>;
  return (
    <section>
      <div className="toolbar">
        <h2>Models</h2>
        <span>Serving: {data.serving ?? 'the ruleset score (no model)'}</span>
        <button className="secondary" onClick={() => void act('/v1/ops/models/rollback', 'Rolled back the champion.')}>
          Roll back champion
        </button>
      </div>
      {message && <p role="status">{message}</p>}
      <ol className="queue">
        {data.versions.map((version) => (
          <li key={version.id} className="queue-item model-item" data-model={version.id}>
            <div>
              <strong>{version.name}</strong> ({version.id}) · {version.status}
              <ul className="plain" aria-label={`Metrics of ${version.id}`}>
                {metricLines(version.metrics).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
              {version.shadow && (
                <div aria-label={`Champion vs ${version.id}`}>
                  Scored in shadow on {version.shadow.scored} live decisions · agreement with the champion{' '}
                  {version.shadow.agreement === null ? '—' : `${(version.shadow.agreement * 100).toFixed(1)}%`} · fraud
                  labelled {version.shadow.fraud_labelled} · ROC AUC {figure(version.shadow.roc_auc)} (champion{' '}
                  {figure(version.shadow.champion_roc_auc)})
                  {version.shadow.challenger_curves ? (
                    <div className="curves">
                      {(['roc', 'pr'] as const).map((kind) => (
                        <CurveChart
                          key={kind}
                          title={kind === 'roc' ? 'ROC curve' : 'Precision-recall curve'}
                          xLabel={kind === 'roc' ? 'false positive rate' : 'recall'}
                          yLabel={kind === 'roc' ? 'true positive rate' : 'precision'}
                          series={[
                            { name: 'challenger', colour: '#d35400', points: version.shadow!.challenger_curves![kind] },
                            ...(version.shadow!.champion_curves
                              ? [{ name: 'champion', colour: '#1f5fbf', points: version.shadow!.champion_curves[kind] }]
                              : []),
                          ]}
                        />
                      ))}
                    </div>
                  ) : (
                    <p>Curves appear once the shared decisions include labelled fraud and good orders.</p>
                  )}
                </div>
              )}
            </div>
            <div />
            <div className="actions">
              {version.status !== 'champion' && (
                <button
                  onClick={() =>
                    void act(
                      `/v1/ops/models/${encodeURIComponent(version.id)}/promote`,
                      `Promotion of ${version.id} is waiting for a second person.`,
                    )
                  }
                >
                  Request promotion
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
