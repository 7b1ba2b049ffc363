// Requests arriving together share one statement: one is in flight at a time, those asked meanwhile form the next.
export interface CoalescedOptions<Item, Result> {
  /** Most items in one statement. */
  readonly maxItems: number;
  /** Runs one statement for the items; answers in their order. */
  readonly runMany: (items: readonly Item[]) => Promise<Result[]>;
  /**
   * Runs one item on its own after its batch failed, so one bad item fails only itself (without it, every item of
   * a failed batch fails with it).
   */
  readonly runOne?: (item: Item) => Promise<Result>;
}

/**
 * Like group commit for single statements: a lone request is sent at once and waits for no window; under load the
 * requests that queued behind the statement in flight go in the next, so a busy server sends fewer statements.
 */
export function makeCoalescedStatements<Item, Result>(options: CoalescedOptions<Item, Result>) {
  let waiting: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  let running = false;

  async function runBatch(batch: typeof waiting): Promise<void> {
    let results: Result[];
    try {
      results = await options.runMany(batch.map((entry) => entry.item));
    } catch (error) {
      const runOne = options.runOne;
      if (batch.length === 1 || !runOne) for (const entry of batch) entry.reject(error);
      else await Promise.all(batch.map((entry) => runOne(entry.item).then(entry.resolve, entry.reject)));
      return;
    }
    batch.forEach((entry, index) => entry.resolve(results[index]!));
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, options.maxItems);
        waiting = waiting.slice(batch.length);
        await runBatch(batch);
      }
    } finally {
      running = false;
    }
  }

  return (item: Item): Promise<Result> =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
