// A transaction opened only when it is needed, so a unit of work that writes in one statement costs no BEGIN or COMMIT.
import type { Database, SqlExecutor, SqlValue } from './database.ts';

/** An executor whose caller can say which statement is its last: that one may run on its own, atomic by itself. */
export interface LazyTransaction extends SqlExecutor {
  /**
   * Runs the work's last statement: on its own (autocommit, as atomic and durable as any commit) when nothing was
   * written before it, else in the transaction. Nothing may follow it.
   */
  queryLast<Row = Record<string, unknown>>(text: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

export function isLazyTransaction(executor: SqlExecutor): executor is LazyTransaction {
  return typeof (executor as Partial<LazyTransaction>).queryLast === 'function';
}

// A read holding a lock, or calling a function with effects (advisory locks, notifications, sequences), needs the
// transaction; any other SELECT before the first write sees what it would see inside one at READ COMMITTED.
const needsTransaction =
  /\bFOR\s+(UPDATE|NO\s+KEY\s+UPDATE|SHARE|KEY\s+SHARE)\b|\bpg_\w+\s*\(|\bnextval\s*\(|\bset_config\s*\(/i;
const isPlainRead = (text: string) => /^\s*SELECT\b/i.test(text) && !needsTransaction.test(text);

/**
 * Runs `work` with an executor that sends plain reads on their own until the first write, and its declared last
 * statement (`queryLast`) on its own when nothing was written before it. Any other statement opens a real transaction,
 * in which everything after it runs; that transaction commits when `work` resolves and rolls back when it throws.
 * Resolves only once what the work wrote is committed.
 */
export async function runInLazyTransaction<T>(
  database: Database,
  work: (tx: LazyTransaction) => Promise<T>,
): Promise<T> {
  let finish: (error?: unknown) => void = () => {};
  const outcome = new Promise<void>((done, fail) => {
    finish = (error?: unknown) => (error === undefined ? done() : fail(error));
  });
  outcome.catch(() => {}); // the transaction below reads it; a work that never opened one leaves it unread
  // Set once a statement needs the transaction; every statement after it runs there.
  let opening: { tx: Promise<SqlExecutor>; committed: Promise<void> } | null = null;
  let ended = false;

  function open() {
    let begun: (tx: SqlExecutor) => void = () => {};
    const tx = new Promise<SqlExecutor>((resolve) => (begun = resolve));
    const committed = database.transaction(async (transaction) => {
      begun(transaction);
      await outcome;
    });
    // A transaction that fails to begin fails the statement that asked for it.
    return { tx: Promise.race([tx, committed.then(() => tx)]), committed };
  }

  const transaction = () => (opening ??= open()).tx;
  const refuseAfterEnd = () => {
    if (ended) throw new Error('a lazy transaction ran a statement after its last one');
  };

  const executor: LazyTransaction = {
    async query<Row>(text: string, params?: readonly SqlValue[]) {
      refuseAfterEnd();
      if (!opening && isPlainRead(text)) return database.query<Row>(text, params);
      return (await transaction()).query<Row>(text, params);
    },
    async exec(script: string) {
      refuseAfterEnd();
      await (await transaction()).exec(script);
    },
    async queryLast<Row>(text: string, params?: readonly SqlValue[]) {
      refuseAfterEnd();
      ended = true;
      return opening ? (await opening.tx).query<Row>(text, params) : database.query<Row>(text, params);
    },
  };

  try {
    const result = await work(executor);
    finish();
    if (opening) await (opening as { committed: Promise<void> }).committed;
    return result;
  } catch (error) {
    finish(error);
    if (opening) await (opening as { committed: Promise<void> }).committed.catch(() => {});
    throw error;
  }
}
