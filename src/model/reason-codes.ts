// Turns per-feature contributions into the few reasons a consumer or analyst reads with a decision.
import type { Contributions } from './scoring-model.ts';

export interface ReasonText {
  readonly code: string;
  readonly message: string;
}

/** Feature name -> reason; several features may share one reason (they are then reported once). */
export type ReasonMapping = Readonly<Record<string, ReasonText>>;

export interface RankedContribution {
  readonly feature: string;
  readonly index: number;
  /** In margin (log-odds) units; positive raises the risk score. */
  readonly contribution: number;
}

export interface ReasonOptions {
  /** At most this many reasons; default 3. */
  readonly limit?: number;
  /** Contributions at or below this (log-odds) are not worth a reason; default 0. */
  readonly minimumContribution?: number;
  /** Reason for a feature absent from the mapping; by default such features give no reason. */
  readonly fallback?: (feature: string) => ReasonText | null;
}

/** Features ordered by how much they raised (or, with direction 'decreasing', lowered) the score. */
export function rankContributions(
  contributions: Contributions,
  featureNames: readonly string[],
  direction: 'increasing' | 'decreasing' = 'increasing',
): RankedContribution[] {
  const sign = direction === 'increasing' ? 1 : -1;
  return featureNames
    .map((feature, index) => ({ feature, index, contribution: contributions.byFeature[index] ?? 0 }))
    .filter((entry) => entry.contribution * sign > 0)
    .sort((first, second) => (second.contribution - first.contribution) * sign || first.index - second.index);
}

export function reasonsFromContributions(
  contributions: Contributions,
  featureNames: readonly string[],
  mapping: ReasonMapping,
  options: ReasonOptions = {},
): ReasonText[] {
  const limit = options.limit ?? 3;
  const minimum = options.minimumContribution ?? 0;
  const reasons: ReasonText[] = [];
  const seen = new Set<string>();
  for (const entry of rankContributions(contributions, featureNames)) {
    if (reasons.length >= limit || entry.contribution <= minimum) break;
    const reason = mapping[entry.feature] ?? options.fallback?.(entry.feature) ?? null;
    if (reason === null || seen.has(reason.code)) continue;
    seen.add(reason.code);
    reasons.push(reason);
  }
  return reasons;
}
