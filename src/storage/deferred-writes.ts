// Collects a transaction's writes and sends them as one statement (data-modifying CTEs), so an approval costs one round trip.
import type { SqlExecutor, SqlValue } from './database.ts';

interface PendingWrite {
  readonly text: string;
  readonly params: readonly SqlValue[];
  readonly table: string;
  readonly kind: 'insert' | 'change';
  readonly settle: { resolve: (count: number) => void; reject: (error: unknown) => void };
}

export interface DeferredWrites extends SqlExecutor {
  /** Queues a write and resolves with the rows it affected once the batch is sent. */
  write(text: string, params?: readonly SqlValue[]): Promise<number>;
  /** Sends what is queued; resolves when every queued write has run. */
  flush(): Promise<void>;
}

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
const renumbered = (text: string, offset: number) =>
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
  async function send(batch: readonly PendingWrite[]): Promise<void> {
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
      const counts = await sendStatement(chunk);
      chunk.forEach((write, index) => write.settle.resolve(counts[index] ?? 0));
      start = end;
    }
  }

  async function sendStatement(chunk: readonly PendingWrite[]): Promise<number[]> {
    if (chunk.length === 1) {
      const [only] = chunk;
      const rows = await tx.query(`${only!.text} RETURNING 1`, only!.params);
      return [rows.length];
    }
    const params: SqlValue[] = [];
    const parts = chunk.map((write, index) => {
      const text = renumbered(write.text, params.length);
      params.push(...write.params);
      return `w${index} AS (${text} RETURNING 1)`;
    });
    const counts = chunk.map((_, index) => `(SELECT count(*) FROM w${index})::int AS c${index}`).join(', ');
    const [row] = await tx.query<Record<string, number>>(`WITH ${parts.join(', ')} SELECT ${counts}`, params);
    return chunk.map((_, index) => row?.[`c${index}`] ?? 0);
  }

  async function flush(): Promise<void> {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await send(batch);
    } catch (error) {
      for (const write of batch) write.settle.reject(error);
      throw error;
    }
  }

  function write(text: string, params: readonly SqlValue[] = []): Promise<number> {
    const shape = classify(text);
    if (!shape) throw new Error('only a plain INSERT, UPDATE or DELETE without RETURNING can be deferred');
    return new Promise<number>((resolve, reject) => {
      pending.push({ text: text.trim(), params, ...shape, settle: { resolve, reject } });
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
