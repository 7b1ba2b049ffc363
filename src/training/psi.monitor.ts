// Drift monitoring: population stability of each feature and of the score, training baseline vs recent decisions.
import { Gauge, type Registry } from 'prom-client';
import { populationStabilityIndex } from '../model/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { decodeDecisionRecord } from '../checkout/decision-record.codec.ts';
import { makeFixedEncoder } from './feature.encoding.ts';
import type { ModelService } from './model.service.ts';

/** Rule of thumb: above 0.25 a distribution has moved enough that the model's training no longer describes it. */
export const psiAlertLimit = 0.25;

export interface DriftReport {
  readonly model: string;
  readonly decisions: number;
  readonly scorePsi: number;
  readonly featurePsi: Readonly<Record<string, number>>;
  readonly alerts: readonly string[];
}

export interface PsiMonitorDependencies {
  readonly database: Database;
  readonly models: ModelService;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly onAlert?: (alert: { model: string; subject: string; psi: number }) => void;
  /** Recent decisions compared with the baseline; default 2000 (their feature JSON is read on each refresh). */
  readonly sampleSize?: number;
  /** Fewer decisions than this say nothing about drift; default 200. */
  readonly minimumDecisions?: number;
  /** Scrapes within this time reuse the last figures; default one minute. */
  readonly refreshMs?: number;
  /** One alert per model and subject within this time; default one hour. */
  readonly alertEveryMs?: number;
}

const toExpected = (values: readonly (number | null)[]) => Float64Array.from(values, (value) => value ?? Number.NaN);

export function makePsiMonitor(deps: PsiMonitorDependencies) {
  const sampleSize = deps.sampleSize ?? 2000;
  const minimumDecisions = deps.minimumDecisions ?? 200;
  const refreshMs = deps.refreshMs ?? 60_000;
  const alertEveryMs = deps.alertEveryMs ?? 3_600_000;
  const lastAlert = new Map<string, number>();
  let last: { at: number; report: DriftReport | null } | null = null;

  async function compute(): Promise<DriftReport | null> {
    const champion = deps.models.champion();
    if (champion === null) return null;
    const stored = await deps.database.query<{ features: unknown }>(
      `SELECT features FROM decisions ORDER BY seq DESC LIMIT ${sampleSize}`,
    );
    const rows = await Promise.all(stored.map((row) => decodeDecisionRecord(deps.database, row)));
    if (rows.length < minimumDecisions) return null;
    const { encoding, reference } = champion.metadata;
    const encode = makeFixedEncoder(encoding);
    const encoded = rows.map((row) => encode(row.features));
    const featurePsi: Record<string, number> = {};
    encoding.columns.forEach((column, index) => {
      const expected = reference.features[column.name];
      if (!expected || expected.length === 0) return;
      const actual = Float64Array.from(encoded, (row) => row[index]!);
      featurePsi[column.name] = populationStabilityIndex(toExpected(expected), actual).psi;
    });
    const scores = Float64Array.from(rows, (row) => champion.probability(row.features));
    const scorePsi = populationStabilityIndex(Float64Array.from(reference.scores), scores).psi;
    const alerts = await raiseAlerts(champion.version, { score: scorePsi, ...featurePsi });
    return { model: champion.version, decisions: rows.length, scorePsi, featurePsi, alerts };
  }

  async function raiseAlerts(model: string, figures: Record<string, number>): Promise<string[]> {
    const now = deps.clock.now();
    const raised: string[] = [];
    for (const [subject, psi] of Object.entries(figures)) {
      if (!(psi > psiAlertLimit)) continue;
      const key = `${model}\n${subject}`;
      if (now - (lastAlert.get(key) ?? Number.NEGATIVE_INFINITY) < alertEveryMs) continue;
      lastAlert.set(key, now);
      await deps.database.query(
        'INSERT INTO model_drift_alerts (id, model_id, subject, psi, raised_at) VALUES ($1, $2, $3, $4, $5)',
        [deps.ids.next('alr'), model, subject, psi, new Date(now)],
      );
      deps.onAlert?.({ model, subject, psi });
      raised.push(subject);
    }
    return raised;
  }

  /** The figures of at most `refreshMs` ago, computed now when older. */
  async function current(): Promise<DriftReport | null> {
    const now = deps.clock.now();
    if (last === null || now - last.at >= refreshMs) last = { at: now, report: await compute() };
    return last.report;
  }

  /** Gauges filled on scrape (both from one cached computation), so an idle server does no work for them. */
  function register(registry: Registry): void {
    new Gauge({
      name: 'rearguard_feature_psi',
      help: 'Population stability index of a model feature: training baseline vs recent decisions',
      labelNames: ['feature'] as const,
      registers: [registry],
      async collect() {
        const report = await current();
        this.reset();
        for (const [feature, psi] of Object.entries(report?.featurePsi ?? {})) this.set({ feature }, psi);
      },
    });
    new Gauge({
      name: 'rearguard_score_psi',
      help: 'Population stability index of the champion model score: validation baseline vs recent decisions',
      registers: [registry],
      async collect() {
        const report = await current();
        this.reset();
        if (report !== null) this.set(report.scorePsi);
      },
    });
  }

  return { current, compute, register };
}

export type PsiMonitor = ReturnType<typeof makePsiMonitor>;
