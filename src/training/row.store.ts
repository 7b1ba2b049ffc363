// Growable row-major float32 storage whose row width may grow too (merchant fields appear mid-history).

export interface RowStore {
  /** Reserves a row at least `width` wide, filled with NaN; returns its offset into `data()`. */
  add(width: number): number;
  /** The backing array; valid until the next `add`. */
  data(): Float32Array;
  readonly count: () => number;
  /** Compacts to exactly `width` columns per row and returns the rows. */
  finish(width: number): Float32Array;
}

/** Room for a few new columns at once, so a handful of merchant fields cost one re-layout, not many. */
const columnSlack = 8;

export function makeRowStore(initialWidth: number, initialRows = 4096): RowStore {
  let stride = initialWidth + columnSlack;
  let buffer = new Float32Array(stride * initialRows).fill(Number.NaN);
  let count = 0;

  function relayout(newStride: number, rows: number): void {
    const next = new Float32Array(newStride * rows).fill(Number.NaN);
    if (newStride === stride) next.set(buffer.subarray(0, count * stride));
    else {
      for (let row = 0; row < count; row++) {
        next.set(buffer.subarray(row * stride, row * stride + stride), row * newStride);
      }
    }
    buffer = next;
    stride = newStride;
  }

  return {
    add(width) {
      const capacity = buffer.length / stride;
      if (width > stride) relayout(width + columnSlack, Math.max(capacity, count + 1));
      else if (count + 1 > capacity) relayout(stride, Math.ceil(capacity * 1.5) + 1);
      const offset = count * stride;
      count += 1;
      return offset;
    },
    data: () => buffer,
    count: () => count,
    finish(width) {
      if (width === stride) return buffer.slice(0, count * stride);
      const rows = new Float32Array(count * width);
      for (let row = 0; row < count; row++) {
        rows.set(buffer.subarray(row * stride, row * stride + width), row * width);
      }
      return rows;
    },
  };
}
