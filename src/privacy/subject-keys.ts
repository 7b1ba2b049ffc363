// The erasure port: shredding a subject's data key makes every value sealed under it unreadable, wherever it lies.
import type { SqlExecutor } from '../storage/database.ts';

export interface SubjectKeys {
  /** Deletes the subject's wrapped data key; true when there was one to delete. Idempotent. */
  shred(subjectId: string): Promise<boolean>;
}

export function makeSubjectKeys(database: SqlExecutor, now: () => Date): SubjectKeys {
  return {
    async shred(subjectId) {
      const rows = await database.query<{ id: string }>(
        `UPDATE subjects SET wrapped_key = NULL, master_key_id = NULL, claim_pseudonym = NULL, shredded_at = $2
          WHERE id = $1 AND wrapped_key IS NOT NULL RETURNING id`,
        [subjectId, now()],
      );
      return rows.length > 0;
    },
  };
}
