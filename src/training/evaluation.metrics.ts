// Scores to compare (model, rules, both) and their ranking figures, overall and per fraud typology.
import { recallAtFalsePositiveRate, summariseRanking, sweepThresholds } from '../model/index.ts';
import type { ReplayedHistory } from './history.replay.ts';

const actionRank: Readonly<Record<string, number>> = { step_up: 1, review: 2, decline: 3 };

/** The strongest action among the rules an order hit: 0 none (or allow), 1 step_up, 2 review, 3 decline. */
export function ruleActionRank(history: ReplayedHistory, index: number): number {
  const actionOf = actionsById(history);
  let rank = 0;
  for (let hit = history.ruleHitOffsets[index]!; hit < history.ruleHitOffsets[index + 1]!; hit++) {
    rank = Math.max(rank, actionRank[actionOf[history.ruleHitIds[hit]!]!] ?? 0);
  }
  return rank;
}

const actionCache = new WeakMap<ReplayedHistory, string[]>();
function actionsById(history: ReplayedHistory): string[] {
  let actions = actionCache.get(history);
  if (actions === undefined) {
    const byId = new Map(history.ruleset.rules.map((rule) => [rule.id, rule.action]));
    actions = history.ruleIds.map((id) => byId.get(id) ?? 'allow');
    actionCache.set(history, actions);
  }
  return actions;
}

/** Rules alone as a score: the ruleset's decision (approve < step_up < review < decline), ties broken by points. */
export function rulesScore(history: ReplayedHistory, index: number): number {
  return (history.ruleOutcomes[index]! + history.pointsScores[index]!) / 4;
}

/**
 * Rules and model as the policy combines them: a rule's action comes first (decline > review > step_up), and
 * the model score ranks within each band, as the score decides only when no rule has.
 */
export function combinedScore(history: ReplayedHistory, index: number, modelScore: number): number {
  return (ruleActionRank(history, index) + modelScore) / 4;
}

export interface TypologyRecall {
  readonly count: number;
  readonly recall_at_1pct_fpr: number | null;
  readonly recall_at_5pct_fpr: number | null;
}

export interface ScoreSummary {
  readonly count: number;
  readonly positives: number;
  readonly negatives: number;
  readonly roc_auc: number | null;
  readonly pr_auc: number | null;
  readonly recall_at_1pct_fpr: number | null;
  readonly recall_at_5pct_fpr: number | null;
  readonly per_typology: Readonly<Record<string, TypologyRecall>>;
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 10000) / 10000);

/** Thresholds are set on all legitimate orders at once; recall is then counted within each typology. */
export function summariseScores(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  typologies: readonly (string | null)[],
): ScoreSummary {
  const ranking = summariseRanking(scores, labels);
  const sweep = sweepThresholds(scores, labels);
  const thresholdAt = (rate: number) => recallAtFalsePositiveRate(sweep, rate)?.threshold ?? null;
  const threshold1 = thresholdAt(0.01);
  const threshold5 = thresholdAt(0.05);
  const counts = new Map<string, { count: number; at1: number; at5: number }>();
  for (let index = 0; index < scores.length; index++) {
    if (labels[index] !== 1) continue;
    const typology = typologies[index] ?? 'unknown';
    const entry = counts.get(typology) ?? { count: 0, at1: 0, at5: 0 };
    entry.count += 1;
    if (threshold1 !== null && scores[index]! >= threshold1) entry.at1 += 1;
    if (threshold5 !== null && scores[index]! >= threshold5) entry.at5 += 1;
    counts.set(typology, entry);
  }
  const perTypology: Record<string, TypologyRecall> = {};
  for (const [typology, entry] of [...counts].sort(([first], [second]) => first.localeCompare(second))) {
    perTypology[typology] = {
      count: entry.count,
      recall_at_1pct_fpr: threshold1 === null ? null : round(entry.at1 / entry.count),
      recall_at_5pct_fpr: threshold5 === null ? null : round(entry.at5 / entry.count),
    };
  }
  return {
    count: ranking.count,
    positives: ranking.positives,
    negatives: ranking.negatives,
    roc_auc: round(ranking.rocAuc),
    pr_auc: round(ranking.prAuc),
    recall_at_1pct_fpr: round(ranking.recallAt1PercentFalsePositiveRate),
    recall_at_5pct_fpr: round(ranking.recallAt5PercentFalsePositiveRate),
    per_typology: perTypology,
  };
}
