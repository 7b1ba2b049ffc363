// Group commit: authorizes arriving together share one transaction (one commit, one fsync), each answered once durable.
import type { Database, SqlExecutor } from '../storage/database.ts';
import { runInLazyTransaction } from '../storage/lazy-transaction.ts';

interface Item<T> {
  readonly work: (tx: SqlExecutor) => Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most items in one transaction: bounds how long the row locks of the first item are held. */
  readonly maxSize: number;
  /** Hears each transaction's size (1: an item alone), to show whether concurrent authorizes really share commits. */
  readonly onCommit?: (items: number) => void;
}

/**
 * One group is in flight at a time; items arriving meanwhile wait and form the next group, so a lone request never
 * waits for a window and a busy server commits many at once. A group that fails (one item's error, a lost race, a
 * failed commit) is rolled back whole and every item runs again in a transaction of its own: one bad item fails
 * only itself. Work must therefore be repeatable: it may run twice, and only the committed run counts.
 * An item alone runs in a lazy transaction: when its writes are one statement (declared last), no BEGIN or COMMIT.
 */
export function makeGroupCommit(database: Database, options: GroupCommitOptions) {
  let waiting: Item<unknown>[] = [];
  let running = false;

  async function runAlone(item: Item<unknown>): Promise<void> {
    try {
      const result = await runInLazyTransaction(database, item.work);
      options.onCommit?.(1);
      item.resolve(result);
    } catch (error) {
      item.reject(error);
    }
  }

  async function runGroup(group: Item<unknown>[]): Promise<void> {
    if (group.length === 1) return runAlone(group[0]!);
    let results: unknown[];
    try {
      results = await database.transaction(async (tx) => {
        const values: unknown[] = [];
        for (const item of group) values.push(await item.work(tx));
        return values;
      });
    } catch {
      for (const item of group) await runAlone(item);
      return;
    }
    options.onCommit?.(group.length);
    group.forEach((item, index) => item.resolve(results[index]));
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (waiting.length > 0) {
        const group = waiting.slice(0, options.maxSize);
        waiting = waiting.slice(group.length);
        await runGroup(group);
      }
    } finally {
      running = false;
    }
  }

  return {
    /** Runs `work` in a transaction shared with other items of the moment; resolves after that transaction commits. */
    run<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!running) void drain();
      });
    },
  };
}
