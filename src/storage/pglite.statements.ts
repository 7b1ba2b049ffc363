// Prepared statements for PGlite: each statement text is parsed and planned once, and each run is one pass through
// the database (Bind, Describe, Execute, Sync in one message) where PGlite's own query makes six, re-parsing the text.
import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import type { SqlValue } from './database.ts';

interface Prepared {
  readonly name: string;
  readonly parameterTypes: readonly number[];
}

export interface PreparedStatementsOptions {
  /** Most statements kept prepared; the least recently run one is closed to make room. */
  readonly capacity?: number;
}

export interface PreparedStatements {
  /** Runs `text` with `params`, inside the open transaction when `inTransaction` (PGlite's transaction lock is held). */
  run<Row>(text: string, params: readonly SqlValue[], inTransaction: boolean): Promise<Row[]>;
  /** Forgets every prepared statement (after a script that may have changed the tables they read). */
  forget(): void;
}

function concatenated(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

// A plan cached before a table's columns changed cannot return the new shape: PostgreSQL refuses, the next run re-prepares.
const isStalePlan = (error: unknown) =>
  error instanceof Error && error.message.includes('cached plan must not change result type');

export function makePreparedStatements(pglite: PGlite, options: PreparedStatementsOptions = {}): PreparedStatements {
  const capacity = options.capacity ?? 256;
  // In least-recently-run order (a Map iterates in insertion order; a run moves its statement to the end).
  const statements = new Map<string, Prepared>();
  // Statements to close with the next message (their names are never reused, so closing late is harmless).
  let toClose: string[] = [];
  let nextName = 1;

  function closing(): Uint8Array[] {
    const parts = toClose.map((name) => protocol.serialize.close({ type: 'S', name }));
    toClose = [];
    return parts;
  }

  async function prepare(text: string): Promise<Prepared> {
    if (statements.size >= capacity) {
      const [oldestText, oldest] = statements.entries().next().value as [string, Prepared];
      statements.delete(oldestText);
      toClose.push(oldest.name);
    }
    const name = `rearguard_${nextName++}`;
    const { messages } = await pglite.execProtocol(
      concatenated([
        ...closing(),
        protocol.serialize.parse({ name, text }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
    );
    const prepared = { name, parameterTypes: parse.parseDescribeStatementResults(messages) };
    statements.set(text, prepared);
    return prepared;
  }

  return {
    run<Row>(text: string, params: readonly SqlValue[], inTransaction: boolean): Promise<Row[]> {
      // The locks PGlite's own query takes: a statement outside a transaction waits for the open one to end.
      // Outside a transaction a statement whose plan went stale (a table changed under it) runs once more, re-prepared:
      // it failed without effect. Inside one the transaction has failed, as it would on a server.
      const once = () => run<Row>(text, params, inTransaction);
      const locked = () =>
        pglite._runExclusiveQuery(() =>
          inTransaction
            ? once()
            : once().catch((error: unknown) => (isStalePlan(error) ? once() : Promise.reject(error))),
        );
      return inTransaction ? locked() : pglite._runExclusiveTransaction(locked);
    },
    forget() {
      for (const { name } of statements.values()) toClose.push(name);
      statements.clear();
    },
  };

  async function run<Row>(text: string, params: readonly SqlValue[], inTransaction: boolean): Promise<Row[]> {
    let prepared = statements.get(text);
    if (prepared) {
      statements.delete(text);
      statements.set(text, prepared);
    } else {
      prepared = await prepare(text);
    }
    const { parameterTypes } = prepared;
    // The same text forms as PGlite's own query gives each parameter, by the type PostgreSQL inferred for it.
    const values = params.map((value, index) => {
      if (value === null || value === undefined) return null;
      const serializer = pglite.serializers[parameterTypes[index] ?? 0];
      return serializer ? serializer(value) : (value as { toString(): string }).toString();
    });
    try {
      const { messages } = await pglite.execProtocol(
        concatenated([
          ...closing(),
          protocol.serialize.bind({ statement: prepared.name, values }),
          protocol.serialize.describe({ type: 'P' }),
          protocol.serialize.execute({}),
          protocol.serialize.sync(),
        ]),
        // As PGlite's query: a transaction's statements leave syncing the file system to its end.
        { syncToFs: !inTransaction },
      );
      return (parse.parseResults(messages, pglite.parsers)[0]?.rows ?? []) as Row[];
    } catch (error) {
      if (isStalePlan(error) && statements.get(text) === prepared) {
        statements.delete(text);
        toClose.push(prepared.name);
      }
      // As PGlite's query: the error names its statement.
      if (error instanceof Error) Object.assign(error, { query: text, params });
      throw error;
    }
  }
}
