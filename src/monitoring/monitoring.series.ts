// The named series alert rules watch: one figure per window, with the number of events it was computed from.
import type { SqlExecutor } from '../storage/database.ts';
import * as repository from './monitoring.repository.ts';
import type { SeriesName } from './series-names.ts';

export interface Measurement {
  /** The figure; null when there was nothing to compute it from (a rate over no decisions). */
  readonly value: number | null;
  /** How many events stand behind the figure (decisions, challenges, claims, waiting messages). */
  readonly count: number;
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export async function measure(
  db: SqlExecutor,
  series: SeriesName,
  scope: repository.SeriesScope,
): Promise<Measurement> {
  switch (series) {
    case 'decisions':
    case 'step_ups':
    case 'reviews':
    case 'declines':
    case 'step_up_rate':
    case 'review_rate':
    case 'decline_rate':
    case 'provider_fallback_rate':
    case 'latency_p95_ms': {
      const totals = await repository.decisionTotals(db, scope);
      const count = totals.decisions;
      const values: Record<typeof series, number | null> = {
        decisions: count,
        step_ups: totals.stepUp,
        reviews: totals.review,
        declines: totals.declined,
        step_up_rate: rate(totals.stepUp, count),
        review_rate: rate(totals.review, count),
        decline_rate: rate(totals.declined, count),
        provider_fallback_rate: rate(totals.providerFallback, count),
        latency_p95_ms: totals.latencyP95Milliseconds,
      };
      const countOf: Partial<Record<typeof series, number>> = {
        step_ups: totals.stepUp,
        reviews: totals.review,
        declines: totals.declined,
      };
      return { value: values[series], count: countOf[series] ?? count };
    }
    case 'step_up_pass_rate': {
      const methods = await repository.stepUpsByMethod(db, scope);
      const started = methods.reduce((sum, method) => sum + method.started, 0);
      const passed = methods.reduce((sum, method) => sum + method.passed, 0);
      return { value: rate(passed, started), count: started };
    }
    case 'not_me_claims': {
      const claims = await repository.notMineClaims(db, scope);
      return { value: claims, count: claims };
    }
    case 'outbox_backlog': {
      const backlog = await repository.outboxBacklog(db, scope.to);
      const waiting = backlog.reduce((sum, topic) => sum + topic.waiting, 0);
      return { value: waiting, count: waiting };
    }
  }
}
