// Seeded randomness for the simulator: a fast PRNG (sfc32) and the distributions the world is drawn from.

/** splitmix32 spreads a small seed over the whole state, so seeds 1 and 2 give unrelated streams. */
function splitmix32(state: number): () => number {
  let value = state >>> 0;
  return () => {
    value = (value + 0x9e3779b9) | 0;
    let mixed = value;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x21f0aaad);
    mixed = Math.imul(mixed ^ (mixed >>> 15), 0x735a2d97);
    return (mixed ^ (mixed >>> 15)) >>> 0;
  };
}

/** A 32-bit bijection: unique counters become unique, random-looking identifiers that leak no order. */
export function scramble32(counter: number): number {
  let mixed = counter >>> 0;
  mixed = Math.imul(mixed ^ (mixed >>> 16), 0x7feb352d);
  mixed = Math.imul(mixed ^ (mixed >>> 15), 0x846ca68b);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

/** FNV-1a: a stable hash so derived facts (the street of a postcode) never depend on draw order. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const seeder = splitmix32(seed);
    this.a = seeder();
    this.b = seeder();
    this.c = seeder();
    this.d = seeder();
    // sfc32 needs a few rounds before its output is well mixed.
    for (let round = 0; round < 12; round += 1) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  normal(mean = 0, deviation = 1): number {
    // Box-Muller; the second value is dropped to keep the stream simple to reason about.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    return mean + deviation * radius * Math.cos(2 * Math.PI * this.next());
  }

  /** Log-normal with the given median: amounts and activity levels are skewed like this. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Geometric count >= 1 with the given mean: campaign sizes. */
  count(mean: number): number {
    if (mean <= 1) return 1;
    const stop = 1 / mean;
    let value = 1;
    while (!this.chance(stop) && value < mean * 20) value += 1;
    return value;
  }

  hex(length: number): string {
    let text = '';
    while (text.length < length)
      text += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    return text.slice(0, length);
  }
}

/** Walker's alias method: O(1) weighted draws, needed to pick among hundreds of thousands of consumers. */
export class WeightedPicker {
  private readonly probability: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: ArrayLike<number>) {
    const size = weights.length;
    if (size === 0) throw new Error('weighted picker needs at least one weight');
    let total = 0;
    for (let index = 0; index < size; index += 1) total += weights[index] ?? 0;
    this.probability = new Float64Array(size);
    this.alias = new Uint32Array(size);
    const scaled = new Float64Array(size);
    const small: number[] = [];
    const large: number[] = [];
    for (let index = 0; index < size; index += 1) {
      scaled[index] = ((weights[index] ?? 0) * size) / total;
      ((scaled[index] ?? 0) < 1 ? small : large).push(index);
    }
    while (small.length > 0 && large.length > 0) {
      const lower = small.pop() as number;
      const higher = large.pop() as number;
      this.probability[lower] = scaled[lower] ?? 0;
      this.alias[lower] = higher;
      scaled[higher] = (scaled[higher] ?? 0) + (scaled[lower] ?? 0) - 1;
      ((scaled[higher] ?? 0) < 1 ? small : large).push(higher);
    }
    for (const index of large) this.probability[index] = 1;
    for (const index of small) this.probability[index] = 1;
  }

  pick(random: Random): number {
    const draw = random.next() * this.probability.length;
    const index = Math.floor(draw);
    return draw - index < (this.probability[index] ?? 1) ? index : (this.alias[index] ?? index);
  }
}
