// Collects a transaction's writes and sends them as one statement (data-modifying CTEs), so an approval costs one round trip.
import type { SqlExecutor, SqlValue } from './database.ts';
import { isLazyTransaction } from './lazy-transaction.ts';

interface PendingWrite {
  readonly text: string;
  readonly params: readonly SqlValue[];
  readonly table: string;
  readonly kind: 'insert' | 'change';
  /** The statement fails (and with it everything it carries) unless this write affects a row. */
  readonly required: boolean;
  readonly settle: { resolve: (count: number) => void; reject: (error: unknown) => void };
}

export interface DeferredWrites extends SqlExecutor {
  /** Queues a write and resolves with the rows it affected once the batch is sent. */
  write(text: string, params?: readonly SqlValue[], options?: { readonly required?: boolean }): Promise<number>;
  /**
   * Sends what is queued; resolves when every queued write has run. `last`: nothing follows in this transaction, so
   * over a lazy transaction a batch of one statement runs on its own, without BEGIN and COMMIT.
   */
  flush(options?: { readonly last?: boolean }): Promise<void>;
}

/** A write queued as required affected no row: its statement failed, so nothing it carried was written. */
export class RequiredWriteMissed extends Error {
  constructor() {
    super('a required write affected no row');
    this.name = 'RequiredWriteMissed';
  }
}

// Raised inside the statement (an integer cast of a text that is not one, built from a count so that the planner
// cannot fold it early), so a missed required write fails the statement itself, on its own or in a transaction.
const missedMarker = 'rearguard_required_write_missed';
const guardOf = (index: number) =>
  `(SELECT CASE WHEN count(*) = 0 THEN ('${missedMarker}:' || count(*))::int ELSE 0 END FROM w${index})`;
const isMissed = (error: unknown) => error instanceof Error && error.message.includes(missedMarker);

// Only a plain write whose rows the caller does not read can wait: anything with RETURNING is a read too.
const writePattern = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)/i;

function classify(text: string): { table: string; kind: 'insert' | 'change' } | null {
  if (/\bRETURNING\b/i.test(text) || text.includes(';')) return null;
  const match = writePattern.exec(text);
  if (!match) return null;
  const verb = match[1]!.toUpperCase();
  // DO NOTHING checks unique indexes, which see rows inserted earlier in the same statement: it may share one.
  const onConflict = /\bON\s+CONFLICT\b/i.test(text) && !/\bDO\s+NOTHING\b/i.test(text);
  return { table: match[2]!.toLowerCase(), kind: verb.startsWith('INSERT') && !onConflict ? 'insert' : 'change' };
}

/** Renumbers $1..$n of one statement to follow the parameters of those before it. */
export const renumbered = (text: string, offset: number) =>
  offset === 0 ? text : text.replace(/\$(\d+)/g, (_, index: string) => `$${Number(index) + offset}`);

/** A write joins the statement unless it must see a row written earlier in it (it names a table written before). */
function canJoin(write: PendingWrite, written: ReadonlySet<string>, changed: ReadonlySet<string>): boolean {
  if (write.kind === 'insert' && changed.has(write.table)) return false;
  for (const table of written) {
    if (table === write.table && write.kind === 'insert') continue;
    if (new RegExp(`\\b${table}\\b`, 'i').test(write.text)) return false;
  }
  return true;
}

/**
 * Writes wait until the transaction reads (a read must see them) or ends. All sub-statements of one CTE statement see
 * the same snapshot, so a write touching a table already written in the batch (an UPDATE of a row inserted a moment
 * ago) starts a new statement; plain INSERTs into one table share a statement (foreign keys are checked at its end).
 */
export function deferWrites(tx: SqlExecutor): DeferredWrites {
  let pending: PendingWrite[] = [];
  // Sends the batch as few statements as the snapshot rule allows, in the order the writes were made.
  async function send(batch: readonly PendingWrite[], last: boolean): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      const written = new Set<string>();
      const changed = new Set<string>();
      let end = start;
      while (end < batch.length) {
        const write = batch[end]!;
        if (end > start && !canJoin(write, written, changed)) break;
        written.add(write.table);
        if (write.kind === 'change') changed.add(write.table);
        end += 1;
      }
      const chunk = batch.slice(start, end);
      const counts = await sendStatement(chunk, last && end === batch.length);
      chunk.forEach((write, index) => write.settle.resolve(counts[index] ?? 0));
      start = end;
    }
  }

  async function sendStatement(chunk: readonly PendingWrite[], last: boolean): Promise<number[]> {
    const run = <Row>(text: string, params: readonly SqlValue[]) =>
      last && isLazyTransaction(tx) ? tx.queryLast<Row>(text, params) : tx.query<Row>(text, params);
    try {
      return await sendChunk(chunk, run);
    } catch (error) {
      throw isMissed(error) ? new RequiredWriteMissed() : error;
    }
  }

  async function sendChunk(
    chunk: readonly PendingWrite[],
    run: <Row>(text: string, params: readonly SqlValue[]) => Promise<Row[]>,
  ): Promise<number[]> {
    if (chunk.length === 1 && !chunk[0]!.required) {
      const [only] = chunk;
      const rows = await run(`${only!.text} RETURNING 1`, only!.params);
      return [rows.length];
    }
    const params: SqlValue[] = [];
    const parts = chunk.map((write, index) => {
      const text = renumbered(write.text, params.length);
      params.push(...write.params);
      return `w${index} AS (${text} RETURNING 1)`;
    });
    const counts = chunk.map((_, index) => `(SELECT count(*) FROM w${index})::int AS c${index}`);
    const guards = chunk.flatMap((write, index) => (write.required ? [`${guardOf(index)} AS g${index}`] : []));
    const [row] = await run<Record<string, number>>(
      `WITH ${parts.join(', ')} SELECT ${[...counts, ...guards].join(', ')}`,
      params,
    );
    return chunk.map((_, index) => row?.[`c${index}`] ?? 0);
  }

  async function flush(options: { readonly last?: boolean } = {}): Promise<void> {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await send(batch, options.last === true);
    } catch (error) {
      for (const write of batch) write.settle.reject(error);
      throw error;
    }
  }

  function write(
    text: string,
    params: readonly SqlValue[] = [],
    options: { readonly required?: boolean } = {},
  ): Promise<number> {
    const shape = classify(text);
    if (!shape) throw new Error('only a plain INSERT, UPDATE or DELETE without RETURNING can be deferred');
    return new Promise<number>((resolve, reject) => {
      const required = options.required === true;
      pending.push({ text: text.trim(), params, ...shape, required, settle: { resolve, reject } });
    });
  }

  return {
    write,
    flush,
    async query<Row>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> {
      if (classify(text)) {
        // The caller gets no rows from a plain write; a failure surfaces at flush, which fails the transaction.
        write(text, params).catch(() => {});
        return [];
      }
      await flush();
      return tx.query<Row>(text, params);
    },
    async exec(script: string) {
      await flush();
      await tx.exec(script);
    },
  };
}
