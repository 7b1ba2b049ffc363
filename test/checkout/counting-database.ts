// A Database that records every statement sent through it, to count what one request costs.
import type { Database, SqlExecutor } from '../../src/storage/database.ts';

/** Records every statement sent through the database or any of its transactions (BEGIN and COMMIT included). */
export function countingDatabase(inner: Database) {
  const statements: string[] = [];
  const counted = (executor: SqlExecutor): SqlExecutor => ({
    query: (text, params) => {
      statements.push(text.replace(/\s+/g, ' '));
      return executor.query(text, params);
    },
    exec: (script) => {
      statements.push(script);
      return executor.exec(script);
    },
  });
  const database: Database = {
    ...inner,
    ...counted(inner),
    transaction: (work) => {
      statements.push('BEGIN');
      return inner.transaction((tx) => work(counted(tx))).finally(() => statements.push('COMMIT'));
    },
  };
  return { database, statements };
}
