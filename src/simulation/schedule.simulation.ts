// A min-heap of future orders, so that campaigns spread over days still come out in time order.
import type { ImportOrder } from '../ingest/import.schema.ts';

/** Builds the order when its time comes, so it sees the world as it is then; null when it cannot happen. */
export type OrderBuilder = (at: number) => ImportOrder | null;

interface Entry {
  readonly at: number;
  /** Ties are broken by insertion order, which keeps the output reproducible. */
  readonly sequence: number;
  readonly build: OrderBuilder;
}

export class OrderSchedule {
  private readonly heap: Entry[] = [];
  private sequence = 0;

  get size(): number {
    return this.heap.length;
  }

  nextAt(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  add(at: number, build: OrderBuilder): void {
    this.heap.push({ at, sequence: this.sequence++, build });
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(this.heap[index] as Entry, this.heap[parent] as Entry)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  take(): Entry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && before(this.heap[left] as Entry, this.heap[smallest] as Entry)) smallest = left;
      if (right < this.heap.length && before(this.heap[right] as Entry, this.heap[smallest] as Entry)) smallest = right;
      if (smallest === index) return top;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(left: number, right: number): void {
    const entry = this.heap[left] as Entry;
    this.heap[left] = this.heap[right] as Entry;
    this.heap[right] = entry;
  }
}

function before(left: Entry, right: Entry): boolean {
  return left.at < right.at || (left.at === right.at && left.sequence < right.sequence);
}
