// Prometheus metrics: request and decision latency histograms, decisions by outcome.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeDecision(outcome: string, seconds: number): void;
  /** One commit of the authorize group commit, carrying `items` decisions. */
  observeGroupCommit(items: number): void;
}

export function makeMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requestSeconds = new Histogram({
    name: 'rearguard_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const decisionSeconds = new Histogram({
    name: 'rearguard_decision_duration_seconds',
    help: 'Decision latency (risk engine, before the database write)',
    labelNames: ['outcome'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'rearguard_decisions_total',
    help: 'Decisions by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const groupCommits = new Counter({
    name: 'rearguard_group_commits_total',
    help: 'Transactions the authorize group commit committed',
    registers: [registry],
  });
  const groupCommitItems = new Counter({
    name: 'rearguard_group_commit_items_total',
    help: 'Authorizes those transactions carried (items / commits: the mean group size)',
    registers: [registry],
  });
  return {
    registry,
    observeGroupCommit: (items) => {
      groupCommits.inc();
      groupCommitItems.inc(items);
    },
    observeRequest: (method, route, status, seconds) =>
      requestSeconds.observe({ method, route, status: String(status) }, seconds),
    observeDecision: (outcome, seconds) => {
      decisionSeconds.observe({ outcome }, seconds);
      decisions.inc({ outcome });
    },
  };
}
