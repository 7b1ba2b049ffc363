// /metrics figures for human review: how often a review changed the decision, and how many requests are overdue.
import { Gauge, type Registry } from 'prom-client';
import type { ReviewRequestsService } from './review-requests.service.ts';

type Figures = Awaited<ReturnType<ReviewRequestsService['figures']>>;

/**
 * Read from the database at scrape time, so every node reports the same figures whichever one answered a review.
 * One small aggregate query per gauge and scrape: simpler than sharing a result between the gauges' collect calls.
 */
export function registerReviewRequestMetrics(registry: Registry, reviewRequests: ReviewRequestsService): void {
  const gauge = (name: string, help: string, read: (figures: Figures) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // No figure yet (no review answered): NaN, which Prometheus reads as "undefined", not a misleading 0.
        this.set(read(await reviewRequests.figures()) ?? Number.NaN);
      },
    });
  gauge('rearguard_review_requests_answered', 'Review requests answered by the desk', (figures) => figures.answered);
  gauge(
    'rearguard_review_requests_overturned',
    'Answered review requests that changed the decision (claim upheld or fraud confirmed)',
    (figures) => figures.overturned,
  );
  gauge(
    'rearguard_review_overturn_rate',
    'Share of answered review requests that changed the decision (NaN until one is answered)',
    (figures) => figures.overturnRate,
  );
  gauge(
    'rearguard_review_requests_overdue',
    'Open review requests past their answer due time (REVIEW_REQUEST_SLA_HOURS)',
    (figures) => figures.overdue,
  );
}
