// The live monitoring picture for the console: this window against the same window a week earlier.
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { decisionOutcomes } from '../checkout/session.schema.ts';
import * as repository from './monitoring.repository.ts';

const week = 7 * 24 * 60 * 60 * 1000;
/** Enough scores for a stable distribution, few enough that the query stays cheap under load. */
const scoreSample = 5_000;
const scoreBins = 10;

const nullableNumber = z.number().nullable();

export const monitoringSchema = z.object({
  window: z.object({ from: z.string(), to: z.string(), minutes: z.number().int() }),
  merchant_id: z.string().nullable(),
  decisions_per_minute: z.array(
    z.object({
      minute: z.string(),
      approved: z.number().int(),
      step_up: z.number().int(),
      review: z.number().int(),
      declined: z.number().int(),
      last_week_total: z.number().int(),
    }),
  ),
  totals: z.object({
    now: z.record(z.string(), z.number().int()),
    last_week: z.record(z.string(), z.number().int()),
  }),
  score: z.object({
    psi: nullableNumber.describe('Population stability of the score against last week; null without scores'),
    bins: z.array(z.object({ lower: z.number(), upper: z.number(), now: z.number(), last_week: z.number() })),
  }),
  rules: z.array(
    z.object({
      rule_id: z.string(),
      hits: z.number().int(),
      rate: z.number(),
      last_week_rate: z.number(),
      change: z.number(),
    }),
  ),
  step_up: z.array(
    z.object({ method: z.string(), started: z.number().int(), passed: z.number().int(), pass_rate: nullableNumber }),
  ),
  not_me: z.object({ claims: z.number().int(), approved: z.number().int(), rate: nullableNumber }),
  provider_fallback: z.object({ decisions: z.number().int(), rate: nullableNumber }),
  latency_ms: z.object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber }),
  backlog: z.array(z.object({ topic: z.string(), waiting: z.number().int(), oldest_seconds: z.number().int() })),
});
export type MonitoringView = z.infer<typeof monitoringSchema>;

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

function totalsByOutcome(totals: repository.DecisionTotals): Record<string, number> {
  return {
    decisions: totals.decisions,
    approved: totals.approved,
    step_up: totals.stepUp,
    review: totals.review,
    declined: totals.declined,
  };
}

/** Shares of scores in equal-width bins over [0, 1], so both weeks are drawn on the same axis. */
function scoreShares(values: readonly number[]): number[] {
  const counts = Array.from({ length: scoreBins }, () => 0);
  for (const value of values) {
    const index = Math.min(scoreBins - 1, Math.max(0, Math.floor(value * scoreBins)));
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count) => (values.length === 0 ? 0 : count / values.length));
}

/**
 * PSI over the chart's own fixed bins, the formula of model/population-stability.ts (sum of (actual - expected) x
 * ln(actual / expected), empty bins floored): its quantile or min-max bins collapse when last week's scores are all
 * alike, which is exactly when a shift matters.
 */
export function stabilityIndex(expected: readonly number[], actual: readonly number[], minimumShare = 1e-4): number {
  let psi = 0;
  expected.forEach((expectedShare, index) => {
    const before = Math.max(minimumShare, expectedShare);
    const after = Math.max(minimumShare, actual[index] ?? 0);
    psi += (after - before) * Math.log(after / before);
  });
  return psi;
}

export function makeMonitoringService(dependencies: { database: Database; clock: Clock }) {
  const { database, clock } = dependencies;

  async function snapshot(options: { minutes: number; merchantId: string | null }): Promise<MonitoringView> {
    const to = new Date(Math.floor(clock.now() / 60_000) * 60_000 + 60_000);
    const from = new Date(to.getTime() - options.minutes * 60_000);
    const scope = { from, to, merchantId: options.merchantId, newAddressOnly: false };
    const lastWeek = { ...scope, from: new Date(from.getTime() - week), to: new Date(to.getTime() - week) };
    const [minutes, lastWeekMinutes, totals, lastWeekTotals, nowScores, lastWeekScores, hits, lastWeekHits] =
      await Promise.all([
        repository.outcomesPerMinute(database, scope),
        repository.outcomesPerMinute(database, lastWeek),
        repository.decisionTotals(database, scope),
        repository.decisionTotals(database, lastWeek),
        repository.scores(database, scope, scoreSample),
        repository.scores(database, lastWeek, scoreSample),
        repository.ruleHits(database, scope),
        repository.ruleHits(database, lastWeek),
      ]);
    const [stepUps, notMine, backlog] = await Promise.all([
      repository.stepUpsByMethod(database, scope),
      repository.notMineClaims(database, scope),
      repository.outboxBacklog(database, new Date(clock.now())),
    ]);

    const perMinute = new Map<
      number,
      { approved: number; step_up: number; review: number; declined: number; last_week_total: number }
    >();
    for (let at = from.getTime(); at < to.getTime(); at += 60_000)
      perMinute.set(at, { approved: 0, step_up: 0, review: 0, declined: 0, last_week_total: 0 });
    for (const row of minutes) {
      const bucket = perMinute.get(row.minute.getTime());
      if (bucket && (decisionOutcomes as readonly string[]).includes(row.outcome))
        bucket[row.outcome as (typeof decisionOutcomes)[number]] += row.count;
    }
    for (const row of lastWeekMinutes) {
      const bucket = perMinute.get(row.minute.getTime() + week);
      if (bucket) bucket.last_week_total += row.count;
    }

    const nowShares = scoreShares(nowScores);
    const lastWeekShares = scoreShares(lastWeekScores);
    const psi = nowScores.length > 0 && lastWeekScores.length > 0 ? stabilityIndex(lastWeekShares, nowShares) : null;

    const ruleIds = new Set([...hits.keys(), ...lastWeekHits.keys()]);
    const rules = [...ruleIds]
      .map((ruleId) => {
        const ruleRate = rate(hits.get(ruleId) ?? 0, totals.decisions) ?? 0;
        const lastWeekRate = rate(lastWeekHits.get(ruleId) ?? 0, lastWeekTotals.decisions) ?? 0;
        return {
          rule_id: ruleId,
          hits: hits.get(ruleId) ?? 0,
          rate: ruleRate,
          last_week_rate: lastWeekRate,
          change: ruleRate - lastWeekRate,
        };
      })
      // The biggest movers first: what changed is what the desk needs to see.
      .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.rule_id.localeCompare(b.rule_id))
      .slice(0, 20);

    return {
      window: { from: from.toISOString(), to: to.toISOString(), minutes: options.minutes },
      merchant_id: options.merchantId,
      decisions_per_minute: [...perMinute].map(([at, bucket]) => ({ minute: new Date(at).toISOString(), ...bucket })),
      totals: { now: totalsByOutcome(totals), last_week: totalsByOutcome(lastWeekTotals) },
      score: {
        psi,
        bins: nowShares.map((share, index) => ({
          lower: index / scoreBins,
          upper: (index + 1) / scoreBins,
          now: share,
          last_week: lastWeekShares[index] ?? 0,
        })),
      },
      rules,
      step_up: stepUps.map((method) => ({ ...method, pass_rate: rate(method.passed, method.started) })),
      not_me: { claims: notMine, approved: totals.approved, rate: rate(notMine, totals.approved) },
      provider_fallback: { decisions: totals.providerFallback, rate: rate(totals.providerFallback, totals.decisions) },
      latency_ms: {
        p50: totals.latencyP50Milliseconds,
        p95: totals.latencyP95Milliseconds,
        p99: totals.latencyP99Milliseconds,
      },
      backlog: backlog.map((topic) => ({
        topic: topic.topic,
        waiting: topic.waiting,
        oldest_seconds: topic.oldestSeconds,
      })),
    };
  }

  return { snapshot };
}

export type MonitoringService = ReturnType<typeof makeMonitoringService>;
