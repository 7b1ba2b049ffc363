// What a backtest means for the desk in money and work: fraud caught in EUR, and reviews per hour it would add.
import { ruleOutcomes } from '../training/history.replay.ts';
import type { ReplayedHistory } from '../training/history.replay.ts';
import { labelKnownBy } from '../training/training.set.ts';

export interface BacktestMoney {
  /** Cents of orders labelled fraud that the ruleset would not have approved, and of all fraud. */
  readonly fraudCaughtCents: number;
  readonly fraudTotalCents: number;
  readonly reviews: number;
  /** Reviews the recorded decisions of the same orders held (null: no recorded decisions to compare with). */
  readonly recordedReviews: number | null;
  /** Over the hours the replayed orders span; at least one hour, so a short history does not inflate the rate. */
  readonly hours: number;
  readonly reviewsPerHourAdded: number | null;
}

export function backtestMoney(history: ReplayedHistory, recorded: ReadonlyMap<string, string> | null): BacktestMoney {
  let fraudCaughtCents = 0;
  let fraudTotalCents = 0;
  let reviews = 0;
  let recordedReviews = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < history.count; index++) {
    const outcome = ruleOutcomes[history.ruleOutcomes[index]!];
    const amount = history.amounts[index]!;
    if (labelKnownBy(history, index, Number.POSITIVE_INFINITY) === 1) {
      fraudTotalCents += amount;
      if (outcome !== 'approved') fraudCaughtCents += amount;
    }
    if (outcome === 'review') reviews += 1;
    if (recorded?.get(history.orderIds[index]!) === 'review') recordedReviews += 1;
    first = Math.min(first, history.placedAt[index]!);
    last = Math.max(last, history.placedAt[index]!);
  }
  const hours = history.count === 0 ? 1 : Math.max(1, (last - first) / 3_600_000);
  const compared = recorded === null ? null : recordedReviews;
  return {
    fraudCaughtCents,
    fraudTotalCents,
    reviews,
    recordedReviews: compared,
    hours: Math.round(hours * 100) / 100,
    reviewsPerHourAdded: compared === null ? null : Math.round(((reviews - compared) / hours) * 1000) / 1000,
  };
}
