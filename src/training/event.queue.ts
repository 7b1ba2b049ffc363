// A min-heap of HistoryEvents by time, so facts that become known later (payments, labels) are replayed when they happened.
import type { HistoryEvent } from '../risk/engine.ts';

/** At equal times the same order as readHistory: accounts, channels, orders, then payments and labels. */
const kindRank: Readonly<Record<HistoryEvent['kind'], number>> = {
  account: 0,
  channel: 1,
  preference: 2,
  verification: 2,
  bank_identity: 2,
  order: 3,
  normalised_order: 3,
  payment: 4,
  exposure: 4,
  label: 5,
};

interface Entry {
  readonly event: HistoryEvent;
  readonly rank: number;
  readonly sequence: number;
}

export interface EventQueue {
  push(event: HistoryEvent): void;
  /** Removes and yields, in order, every event before `until` (or at it, when inclusive). */
  popBefore(until: number, inclusive?: boolean): Generator<HistoryEvent>;
  readonly size: () => number;
}

export function makeEventQueue(): EventQueue {
  const heap: Entry[] = [];
  let sequence = 0;
  const less = (first: Entry, second: Entry): boolean =>
    first.event.at !== second.event.at
      ? first.event.at < second.event.at
      : first.rank !== second.rank
        ? first.rank < second.rank
        : first.sequence < second.sequence;

  function siftUp(index: number): void {
    const entry = heap[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!less(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  function siftDown(index: number): void {
    const entry = heap[index]!;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && less(heap[right]!, heap[left]!) ? right : left;
      if (!less(heap[child]!, entry)) break;
      heap[index] = heap[child]!;
      index = child;
    }
    heap[index] = entry;
  }

  function pop(): HistoryEvent {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(0);
    }
    return top.event;
  }

  return {
    push(event) {
      heap.push({ event, rank: kindRank[event.kind], sequence: sequence++ });
      siftUp(heap.length - 1);
    },
    *popBefore(until, inclusive = false) {
      while (heap.length > 0) {
        const at = heap[0]!.event.at;
        if (inclusive ? at > until : at >= until) return;
        yield pop();
      }
    },
    size: () => heap.length,
  };
}
