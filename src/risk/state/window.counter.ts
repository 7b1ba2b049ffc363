// Compact sliding-window counters: only the last 30 days of (time, amount) pairs, merged per millisecond.
import { longestWindow, windowDurations, type Windows } from './feature-state.ts';

/**
 * The recent list is a flat number array [at0, amount0, count0, at1, ...] in time order. Exact timestamps
 * (not coarse buckets) keep point-in-time reads exact; entries older than the longest window are dropped on
 * each append and by the state's sweep, so an entity quiet for a month costs nothing.
 */
export type RecentList = number[];

const stride = 3;

/** Below this many numbers a list is copied exactly on append; above it grows in place. */
const smallList = 8 * stride;

export function appendRecent(list: RecentList | undefined, at: number, amount: number): RecentList {
  const cutoff = at - longestWindow;
  const lastIndex = (list?.length ?? 0) - stride;
  if (list !== undefined && lastIndex >= 0 && list[lastIndex] === at) {
    list[lastIndex + 1] = (list[lastIndex + 1] ?? 0) + amount;
    list[lastIndex + 2] = (list[lastIndex + 2] ?? 0) + 1;
    pruneWhenMostlyStale(list, cutoff);
    return list;
  }
  if (list === undefined) return [at, amount, 1];
  if (list.length < smallList) {
    // Exactly sized copies (concat, not push or spread): most lists hold one or two entries, push reserves seventeen.
    const target = list.concat([at, amount, 1]);
    pruneRecent(target, cutoff);
    return target;
  }
  // A hot entity (a shared IP, a pick-up point) keeps thousands of entries: copying or shifting the whole list on
  // every order made imports quadratic. Grow in place and drop stale entries only once they are half the list.
  list.push(at, amount, 1);
  pruneWhenMostlyStale(list, cutoff);
  return list;
}

/** Prunes only when the older half is stale, so appends stay amortised O(1); readers skip stale entries anyway. */
function pruneWhenMostlyStale(list: RecentList, cutoff: number): void {
  const middle = Math.floor(list.length / stride / 2) * stride;
  if ((list[middle] ?? Number.POSITIVE_INFINITY) <= cutoff) pruneRecent(list, cutoff);
}

/** Drops entries at or before the cutoff; returns whether anything is left. */
export function pruneRecent(list: RecentList, cutoff: number): boolean {
  let drop = 0;
  while (drop < list.length && (list[drop] ?? 0) <= cutoff) drop += stride;
  if (drop > 0) list.splice(0, drop);
  return list.length > 0;
}

const empty = { count: 0, amount: 0 };
export const emptyWindows: Windows = { '1h': empty, '24h': empty, '7d': empty, '30d': empty };

/** Totals per window of the entries strictly before `at` and within each window. */
export function windowTotals(list: RecentList | undefined, at: number): Windows {
  if (list === undefined || list.length === 0) return emptyWindows;
  const start1h = at - windowDurations['1h'];
  const start24h = at - windowDurations['24h'];
  const start7d = at - windowDurations['7d'];
  const start30d = at - windowDurations['30d'];
  let count1h = 0,
    amount1h = 0,
    count24h = 0,
    amount24h = 0,
    count7d = 0,
    amount7d = 0,
    count30d = 0,
    amount30d = 0;
  for (let index = 0; index < list.length; index += stride) {
    const entryAt = list[index] ?? 0;
    if (entryAt >= at || entryAt < start30d) continue;
    const amount = list[index + 1] ?? 0;
    const count = list[index + 2] ?? 0;
    count30d += count;
    amount30d += amount;
    if (entryAt < start7d) continue;
    count7d += count;
    amount7d += amount;
    if (entryAt < start24h) continue;
    count24h += count;
    amount24h += amount;
    if (entryAt < start1h) continue;
    count1h += count;
    amount1h += amount;
  }
  return {
    '1h': { count: count1h, amount: amount1h },
    '24h': { count: count24h, amount: amount24h },
    '7d': { count: count7d, amount: amount7d },
    '30d': { count: count30d, amount: amount30d },
  };
}
