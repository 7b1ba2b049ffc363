// New sessions under cached subjects, inserted together: concurrent creations share one statement.
import type { SqlExecutor, SqlValue } from '../storage/database.ts';
import { makeCoalescedStatements } from '../storage/coalesced-statements.ts';
import { insertSessionForLiveSubject } from './checkout.repository.ts';

type NewSessionRow = Parameters<typeof insertSessionForLiveSubject>[1];

/**
 * insertSessionForLiveSubject for several sessions in one statement: which were inserted (their subject live), in
 * their order. Each row's values are cast where they stand; every count of rows is a prepared statement of its own.
 */
export async function insertSessionsForLiveSubjects(
  db: SqlExecutor,
  rows: readonly NewSessionRow[],
): Promise<boolean[]> {
  const params: SqlValue[] = [];
  const values = rows.map((row) => {
    const at = params.length;
    params.push(row.id, row.merchant_id, row.status, JSON.stringify(row.kept), row.subject_id, row.sealed_input);
    params.push(row.created_at);
    const [id, merchant, status, input, subject, sealed, created] = [1, 2, 3, 4, 5, 6, 7].map((n) => `$${at + n}`);
    return `(${id}::text, ${merchant}::text, ${status}::text, ${input}::jsonb, ${subject}::text, ${sealed}::bytea, ${created}::timestamptz)`;
  });
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO sessions (id, merchant_id, status, input, subject_id, sealed_input, created_at, updated_at)
     SELECT v.id, v.merchant_id, v.status, v.input, v.subject_id, v.sealed_input, v.created_at, v.created_at
       FROM (VALUES ${values.join(', ')}) AS v (id, merchant_id, status, input, subject_id, sealed_input, created_at)
      WHERE EXISTS (SELECT 1 FROM subjects WHERE id = v.subject_id AND wrapped_key IS NOT NULL)
     RETURNING id`,
    params,
  );
  const ids = new Set(inserted.map((row) => row.id));
  return rows.map((row) => ids.has(row.id));
}

/**
 * Inserts a session under a cached subject while that subject is live, with the sessions created at the same moment
 * (one statement, committed on its own, before any of them is answered). A batch that fails is sent again one
 * session at a time, so one bad row fails only its own request.
 */
export function makeSessionInserter(database: SqlExecutor, maxSessions = 64) {
  return makeCoalescedStatements<NewSessionRow, boolean>({
    maxItems: maxSessions,
    runMany: (rows) =>
      rows.length === 1
        ? insertSessionForLiveSubject(database, rows[0]!).then((inserted) => [inserted])
        : insertSessionsForLiveSubjects(database, rows),
    runOne: (row) => insertSessionForLiveSubject(database, row),
  });
}
