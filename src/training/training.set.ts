// Builds labelled sets from a replay: a label counts only if it was known by the cut-off, so nothing leaks from the future.
import { fraudKinds, type ReplayedHistory } from './history.replay.ts';

/**
 * What a model learns to recognise: any fraud, or one kind of it. A model for one kind never sees orders of
 * the other kind (neither as fraud nor as legitimate), so identity misuse and a buyer who never meant to pay
 * do not blur into one target.
 */
export type FraudTarget = 'any' | 'third_party' | 'first_party';

export interface LabelledSet {
  /** Indexes into the replayed history, in time order. */
  readonly indexes: Uint32Array;
  /** 1 = fraud, 0 = legitimate. */
  readonly labels: Float32Array;
}

/**
 * What was known about an order at `knownBy`: 1 when a fraud label had arrived, 0 when a payment (or a legit
 * label) had, and null while nothing was known yet. An order whose fraud label arrives after the cut-off is
 * therefore never a positive in training: it is unknown (no outcome yet) or legitimate (paid, found out later).
 */
export function labelKnownBy(history: ReplayedHistory, index: number, knownBy: number): 0 | 1 | null {
  const fraudAt = history.fraudKnownAt[index]!;
  if (fraudAt <= knownBy) return 1;
  const outcomeAt = history.outcomeKnownAt[index]!;
  if (outcomeAt <= knownBy) return 0;
  return null;
}

/** The order time at `fraction` of the orders: split time:0.8 trains on the first 80% of orders by time. */
export function splitTime(history: ReplayedHistory, fraction: number): number {
  if (history.count === 0) return Number.NaN;
  const position = Math.min(history.count - 1, Math.max(0, Math.floor(history.count * fraction)));
  return history.placedAt[position]!;
}

/** Orders placed in [from, to) whose label was known by `knownBy` (Infinity: everything the history knows). */
export function labelledSet(
  history: ReplayedHistory,
  from: number,
  to: number,
  knownBy: number,
  target: FraudTarget = 'any',
): LabelledSet {
  const otherKind =
    target === 'any' ? -1 : fraudKinds.indexOf(target === 'third_party' ? 'fraud_first_party' : 'fraud_third_party');
  const indexes: number[] = [];
  const labels: number[] = [];
  for (let index = 0; index < history.count; index++) {
    const at = history.placedAt[index]!;
    if (at < from || at >= to) continue;
    const label = labelKnownBy(history, index, knownBy);
    if (label === null) continue;
    if (label === 1 && history.fraudKinds[index] === otherKind) continue;
    indexes.push(index);
    labels.push(label);
  }
  return { indexes: Uint32Array.from(indexes), labels: Float32Array.from(labels) };
}

/** Copies the chosen rows out of the replay's row-major matrix. */
export function gatherRows(history: ReplayedHistory, indexes: Uint32Array): Float32Array {
  const width = history.encoding.columns.length;
  const rows = new Float32Array(indexes.length * width);
  for (let position = 0; position < indexes.length; position++) {
    const index = indexes[position]!;
    rows.set(history.rows.subarray(index * width, index * width + width), position * width);
  }
  return rows;
}

export function pick<T extends ArrayLike<number>>(values: T, indexes: Uint32Array): Float64Array {
  const picked = new Float64Array(indexes.length);
  for (let position = 0; position < indexes.length; position++) picked[position] = values[indexes[position]!]!;
  return picked;
}
