// The names of the series alert rules watch, shared by the server and the ops console.
// Pure and browser-safe (no imports), so the console's alert-rule form imports this very file.

export const seriesNames = [
  'decisions',
  'step_ups',
  'reviews',
  'declines',
  'step_up_rate',
  'review_rate',
  'decline_rate',
  'provider_fallback_rate',
  'step_up_pass_rate',
  'not_me_claims',
  'latency_p95_ms',
  'outbox_backlog',
] as const;
export type SeriesName = (typeof seriesNames)[number];
