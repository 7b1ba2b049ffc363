// Live monitoring: the defence's figures against the same window last week, redrawn as server-sent events arrive.
import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { HorizontalBars, LineChart, PairedBars, outcomeColours } from './charts.tsx';
import './monitoring.css';

interface MonitoringView {
  window: { from: string; to: string; minutes: number };
  decisions_per_minute: {
    minute: string;
    approved: number;
    step_up: number;
    review: number;
    declined: number;
    last_week_total: number;
  }[];
  totals: { now: Record<string, number>; last_week: Record<string, number> };
  score: { psi: number | null; bins: { lower: number; upper: number; now: number; last_week: number }[] };
  rules: { rule_id: string; hits: number; rate: number; last_week_rate: number; change: number }[];
  step_up: { method: string; started: number; passed: number; pass_rate: number | null }[];
  not_me: { claims: number; approved: number; rate: number | null };
  provider_fallback: { decisions: number; rate: number | null };
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  backlog: { topic: string; waiting: number; oldest_seconds: number }[];
}

const outcomes = ['approved', 'step_up', 'review', 'declined'] as const;
const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
/** How long the oldest message has waited, in the unit a person reads at a glance. */
const age = (seconds: number) =>
  seconds < 120
    ? `${seconds} s`
    : seconds < 7_200
      ? `${Math.round(seconds / 60)} min`
      : seconds < 172_800
        ? `${Math.round(seconds / 3_600)} h`
        : `${Math.round(seconds / 86_400)} d`;
const time = (iso: string) => new Date(iso).toISOString().slice(11, 16);
/** PSI rule of thumb: below 0.1 stable, up to 0.25 shifting, above that drifted. */
const stability = (psi: number | null) =>
  psi === null ? 'no scores to compare' : psi < 0.1 ? 'stable' : psi < 0.25 ? 'shifting' : 'drifted';

export function Monitoring() {
  const [minutes, setMinutes] = useState(60);
  /** One merchant's figures, or everyone's when empty. */
  const [merchant, setMerchant] = useState('');
  const [view, setView] = useState<MonitoringView | null>(null);
  const [updates, setUpdates] = useState(0);
  const [live, setLive] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);

  useEffect(() => {
    let closed = false;
    const accept = (next: MonitoringView) => {
      if (closed) return;
      setView(next);
      setUpdates((count) => count + 1);
      setUpdatedAt(new Date());
    };
    const query = `minutes=${minutes}${merchant ? `&merchant_id=${encodeURIComponent(merchant)}` : ''}`;
    void api<MonitoringView>('GET', `/v1/ops/monitoring?${query}`).then(accept, () => undefined);
    // The server pushes a fresh picture every few seconds; EventSource reconnects by itself when a stream ends.
    const source = new EventSource(`/v1/ops/monitoring/stream?${query}&interval_seconds=3`);
    source.addEventListener('monitoring', (event) => accept(JSON.parse((event as MessageEvent<string>).data)));
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      closed = true;
      source.close();
    };
  }, [minutes, merchant]);

  if (view === null) return <p>Loading…</p>;
  const labels = view.decisions_per_minute.map((minute) => time(minute.minute));
  const now = view.totals.now;
  const lastWeek = view.totals.last_week;
  return (
    <section className="monitoring" data-updates={updates}>
      <div className="toolbar">
        <h2>Live monitoring</h2>
        <label className="inline">
          Window
          <select value={minutes} onChange={(event) => setMinutes(Number(event.target.value))}>
            {[15, 60, 180].map((option) => (
              <option key={option} value={option}>
                {option} min
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Merchant
          <input
            placeholder="all merchants"
            defaultValue={merchant}
            onBlur={(event) => setMerchant(event.target.value.trim())}
            onKeyDown={(event) => {
              if (event.key === 'Enter') setMerchant(event.currentTarget.value.trim());
            }}
          />
        </label>
        <span className={live ? 'live on' : 'live'}>
          {live ? '● live' : '○ reconnecting'} · updated {updatedAt?.toLocaleTimeString('en-GB') ?? '—'}
        </span>
      </div>
      <p className="headline" data-total={now.decisions}>
        <strong>{now.decisions ?? 0}</strong> decisions in the last {view.window.minutes} min (same window last week:{' '}
        {lastWeek.decisions ?? 0}) · step-up {now.step_up ?? 0} · review {now.review ?? 0} · declined{' '}
        {now.declined ?? 0}
      </p>
      <div className="chart-grid">
        <LineChart
          title="Decisions per minute by outcome"
          labels={labels}
          series={[
            ...outcomes.map((outcome) => ({
              name: outcome,
              colour: outcomeColours[outcome]!,
              values: view.decisions_per_minute.map((minute) => minute[outcome]),
            })),
            {
              name: 'last week (all)',
              colour: outcomeColours.last_week!,
              values: view.decisions_per_minute.map((minute) => minute.last_week_total),
              dashed: true,
            },
          ]}
        />
        <PairedBars
          title={`Score distribution · PSI ${view.score.psi === null ? 'n/a' : view.score.psi.toFixed(3)} (${stability(view.score.psi)})`}
          nowName="this window"
          beforeName="last week"
          buckets={view.score.bins.map((bin) => ({
            label: bin.lower.toFixed(1),
            now: bin.now,
            before: bin.last_week,
          }))}
        />
        <HorizontalBars
          title="Rule hit rates: biggest movers (tick = last week)"
          empty="No rule hits in this window."
          rows={view.rules.slice(0, 8).map((rule) => ({
            label: rule.rule_id,
            value: rule.rate,
            baseline: rule.last_week_rate,
            text: `${percent(rule.rate)} (${rule.change >= 0 ? '+' : ''}${(rule.change * 100).toFixed(1)} pp)`,
            warn: rule.change > 0.05,
          }))}
        />
        <HorizontalBars
          title="Step-up pass rate per method"
          empty="No step-ups in this window."
          maximum={1}
          rows={view.step_up.map((method) => ({
            label: method.method,
            value: method.pass_rate ?? 0,
            text: `${percent(method.pass_rate)} of ${method.started}`,
          }))}
        />
        <HorizontalBars
          title="Not me and provider fallback"
          maximum={Math.max(0.05, view.not_me.rate ?? 0, view.provider_fallback.rate ?? 0)}
          rows={[
            {
              label: '"Not me" per approval',
              value: view.not_me.rate ?? 0,
              text: `${percent(view.not_me.rate)} (${view.not_me.claims})`,
            },
            {
              label: 'Provider fallback',
              value: view.provider_fallback.rate ?? 0,
              text: `${percent(view.provider_fallback.rate)} (${view.provider_fallback.decisions})`,
            },
          ]}
        />
        <HorizontalBars
          title="Decision latency (ms)"
          rows={(['p50', 'p95', 'p99'] as const).map((quantile) => ({
            label: quantile,
            value: view.latency_ms[quantile] ?? 0,
            text: view.latency_ms[quantile] === null ? 'n/a' : `${view.latency_ms[quantile]!.toFixed(1)} ms`,
          }))}
        />
        <HorizontalBars
          title="Webhook and notification backlog"
          empty="Nothing waiting in the outbox."
          rows={view.backlog.map((topic) => ({
            label: topic.topic,
            value: topic.waiting,
            text: `${topic.waiting} waiting, oldest ${age(topic.oldest_seconds)}`,
            warn: topic.oldest_seconds > 300,
          }))}
        />
      </div>
    </section>
  );
}
