// SQL behind the monitored series: every figure is read from the database, so it is right across server processes.
// Each query is bounded by a time window on an indexed column (decisions.decided_at, challenges/claims.created_at).
import { featureSql } from '../checkout/decision-record.codec.ts';
import type { SqlExecutor } from '../storage/database.ts';

/** Which decisions a figure counts: a window, optionally one merchant and only orders to an address not on file. */
export interface SeriesScope {
  readonly from: Date;
  readonly to: Date;
  readonly merchantId: string | null;
  readonly newAddressOnly: boolean;
}

// `shipping_on_file` is false when the delivery address is not one the account has used: the new-address pattern.
const decisionScope = `d.decided_at >= $1 AND d.decided_at < $2 AND ($3::text IS NULL OR d.merchant_id = $3)
  AND (NOT $4::boolean OR ${featureSql('d.features', 'shipping_on_file')} = 'false')`;

const scopeParameters = (scope: SeriesScope) => [scope.from, scope.to, scope.merchantId, scope.newAddressOnly];

const toNumber = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

export interface OutcomeMinute {
  readonly minute: Date;
  readonly outcome: string;
  readonly count: number;
}

export async function outcomesPerMinute(db: SqlExecutor, scope: SeriesScope): Promise<OutcomeMinute[]> {
  const rows = await db.query<{ minute: Date; outcome: string; count: string | number }>(
    `SELECT date_trunc('minute', d.decided_at) AS minute, d.outcome, count(*) AS count FROM decisions d
     WHERE ${decisionScope} GROUP BY 1, 2 ORDER BY 1`,
    scopeParameters(scope),
  );
  return rows.map((row) => ({ minute: new Date(row.minute), outcome: row.outcome, count: toNumber(row.count) }));
}

export interface DecisionTotals {
  readonly decisions: number;
  readonly approved: number;
  readonly stepUp: number;
  readonly review: number;
  readonly declined: number;
  /** Decisions taken while at least one data provider had not answered (the fallback path). */
  readonly providerFallback: number;
  readonly latencyP50Milliseconds: number | null;
  readonly latencyP95Milliseconds: number | null;
  readonly latencyP99Milliseconds: number | null;
}

export async function decisionTotals(db: SqlExecutor, scope: SeriesScope): Promise<DecisionTotals> {
  const [row] = await db.query<Record<string, string | number | null>>(
    `SELECT count(*) AS decisions,
       count(*) FILTER (WHERE d.outcome = 'approved') AS approved,
       count(*) FILTER (WHERE d.outcome = 'step_up') AS step_up,
       count(*) FILTER (WHERE d.outcome = 'review') AS review,
       count(*) FILTER (WHERE d.outcome = 'declined') AS declined,
       count(*) FILTER (WHERE COALESCE((${featureSql('d.features', 'provider_unavailable_count')})::numeric, 0) > 0) AS fallback,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_us) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY d.latency_us) AS p95,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY d.latency_us) AS p99
     FROM decisions d WHERE ${decisionScope}`,
    scopeParameters(scope),
  );
  const milliseconds = (value: unknown) => (value === null || value === undefined ? null : Number(value) / 1000);
  return {
    decisions: toNumber(row?.decisions),
    approved: toNumber(row?.approved),
    stepUp: toNumber(row?.step_up),
    review: toNumber(row?.review),
    declined: toNumber(row?.declined),
    providerFallback: toNumber(row?.fallback),
    latencyP50Milliseconds: milliseconds(row?.p50),
    latencyP95Milliseconds: milliseconds(row?.p95),
    latencyP99Milliseconds: milliseconds(row?.p99),
  };
}

/** Scores of the window, newest first, at most `limit` (a sample is enough for a distribution). */
export async function scores(db: SqlExecutor, scope: SeriesScope, limit: number): Promise<number[]> {
  const rows = await db.query<{ score: number }>(
    `SELECT d.score FROM decisions d WHERE ${decisionScope} AND d.score IS NOT NULL ORDER BY d.decided_at DESC LIMIT $5`,
    [...scopeParameters(scope), limit],
  );
  return rows.map((row) => Number(row.score));
}

export async function ruleHits(db: SqlExecutor, scope: SeriesScope): Promise<Map<string, number>> {
  const rows = await db.query<{ rule_id: string; hits: string | number }>(
    `SELECT hit->>'ruleId' AS rule_id, count(*) AS hits FROM decisions d, jsonb_array_elements(d.rule_results) hit
     WHERE ${decisionScope} AND hit->>'kind' = 'hit' GROUP BY 1`,
    scopeParameters(scope),
  );
  return new Map(rows.map((row) => [row.rule_id, toNumber(row.hits)]));
}

export interface StepUpMethodFigures {
  readonly method: string;
  readonly started: number;
  readonly passed: number;
}

/**
 * Step-ups by method: a challenge counts for the method it was passed with, else the method a code was sent by,
 * else the first method it offered (the shopper never started it).
 */
export async function stepUpsByMethod(db: SqlExecutor, scope: SeriesScope): Promise<StepUpMethodFigures[]> {
  const rows = await db.query<{ method: string; started: string | number; passed: string | number }>(
    `SELECT COALESCE(c.verified_method, c.code_method, c.options->0->>'method', 'none') AS method,
       count(*) AS started, count(*) FILTER (WHERE c.status = 'verified') AS passed
     FROM challenges c JOIN decisions d ON d.id = c.decision_id
     WHERE c.created_at >= $1 AND c.created_at < $2 AND ($3::text IS NULL OR c.merchant_id = $3)
       AND (NOT $4::boolean OR ${featureSql('d.features', 'shipping_on_file')} = 'false')
     GROUP BY 1 ORDER BY 1`,
    scopeParameters(scope),
  );
  return rows.map((row) => ({ method: row.method, started: toNumber(row.started), passed: toNumber(row.passed) }));
}

/** "Not me" reports filed in the window (from the order notice's link, the portal or the API). */
export async function notMineClaims(db: SqlExecutor, scope: SeriesScope): Promise<number> {
  const [row] = await db.query<{ count: string | number }>(
    `SELECT count(*) AS count FROM claims c JOIN orders o ON o.id = c.order_id
     WHERE c.kind = 'not_mine' AND c.created_at >= $1 AND c.created_at < $2 AND ($3::text IS NULL OR o.merchant_id = $3)`,
    [scope.from, scope.to, scope.merchantId],
  );
  return toNumber(row?.count);
}

export interface BacklogFigures {
  readonly topic: string;
  readonly waiting: number;
  readonly oldestSeconds: number;
}

/** Outbox messages not delivered yet (webhooks, notifications, alerts), per topic, with the age of the oldest. */
export async function outboxBacklog(db: SqlExecutor, now: Date): Promise<BacklogFigures[]> {
  const rows = await db.query<{ topic: string; waiting: string | number; oldest: Date | null }>(
    `SELECT topic, count(*) AS waiting, min(created_at) AS oldest FROM outbox
     WHERE status IN ('pending', 'held') GROUP BY topic ORDER BY topic`,
  );
  return rows.map((row) => ({
    topic: row.topic,
    waiting: toNumber(row.waiting),
    oldestSeconds: row.oldest ? Math.max(0, Math.round((now.getTime() - new Date(row.oldest).getTime()) / 1000)) : 0,
  }));
}
