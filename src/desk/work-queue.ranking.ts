// How the desk's queue is ordered: what is about to ship without a decision first, then the largest expected loss.

export interface RankedItem {
  /** Fraud probability of the decision behind the item; null when no score was computed. */
  readonly score: number | null;
  /** Minor units. */
  readonly amount: number;
  /** Epoch milliseconds by which the merchant ships (reviews) or the first response is due (claims). */
  readonly dueAt: number;
}

/** Items this close to their deadline jump the queue: an hour of expected loss is worth less than a missed SLA. */
export const urgentMilliseconds = 30 * 60_000;

/** Expected loss in minor units: what we lose if this is fraud and we let it through. */
export const expectedLoss = (item: RankedItem): number => Math.round((item.score ?? 0) * item.amount);

/** Urgent items by deadline, then by expected loss (largest first), then by deadline; stable for equal items. */
export function rankQueue<Item extends RankedItem>(items: readonly Item[], now: number): Item[] {
  const urgent = (item: Item) => item.dueAt - now <= urgentMilliseconds;
  return [...items].sort((first, second) => {
    const firstUrgent = urgent(first);
    if (firstUrgent !== urgent(second)) return firstUrgent ? -1 : 1;
    if (firstUrgent) return first.dueAt - second.dueAt;
    return expectedLoss(second) - expectedLoss(first) || first.dueAt - second.dueAt;
  });
}
