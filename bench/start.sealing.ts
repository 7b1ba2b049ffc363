// Seals the start bench's generated orders as an import does: each input into an 'imported' session, a kept copy left.
import type { Config } from '../src/config.ts';
import type { ImportedOrderRow } from '../src/ingest/import.rows.ts';
import { sealImportedOrders } from '../src/ingest/import.sealing.ts';
import { makePersonalData } from '../src/privacy/personal-data.ts';
import { makePseudonyms } from '../src/privacy/pseudonyms.ts';
import { makeSubjectStore, type OpenSubject } from '../src/privacy/subject-store.ts';
import { makeIds } from '../src/shared/ids.ts';
import type { SqlExecutor } from '../src/storage/database.ts';

/** Orders sealed per statement pair: a batch's sessions go in as one JSON parameter, so it is kept to a few MB. */
const batchSize = 5_000;

/**
 * The same sealing the import service does (sealImportedOrders: one subject per e-mail claim, the input sealed under
 * its key, the order left the person-free copy with pseudonyms), under the keys the benchmarked server is configured
 * with, so its start opens them as it would a real import's. Subjects opened by earlier chunks are remembered.
 */
export function makeBenchSealer(privacy: Config['privacy']) {
  const ids = makeIds();
  const subjects = makeSubjectStore({
    masterKeys: privacy.masterKeys,
    encryption: privacy.personalDataEncryption,
    newId: () => ids.next('sub'),
    now: () => new Date(),
  });
  const personalData = makePersonalData({ subjects, pseudonyms: makePseudonyms(Buffer.from(privacy.pseudonymSecret)) });
  const known = new Map<string, OpenSubject>();

  /** Seals the orders `o<from>` .. `o<to - 1>` (inserted plain by the bulk SQL in the same transaction). */
  return async function sealChunk(tx: SqlExecutor, from: number, to: number): Promise<void> {
    for (let start = from; start < to; start += batchSize) {
      const end = Math.min(to, start + batchSize);
      const orders = await tx.query<ImportedOrderRow>(
        `SELECT id, account_id, input, session_id, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS placed_at
           FROM orders WHERE id IN (SELECT 'o' || o FROM generate_series(${start}, ${end - 1}) AS o)`,
      );
      const { sessions, opened } = await sealImportedOrders(tx, orders, { personalData, ids, known });
      await tx.query(
        `INSERT INTO sessions (id, status, input, subject_id, sealed_input, created_at, updated_at)
         SELECT id, status, input, subject_id, sealed_input, created_at, updated_at FROM jsonb_to_recordset($1::jsonb)
           AS r(id text, status text, input jsonb, subject_id text, sealed_input bytea, created_at timestamptz,
                updated_at timestamptz)`,
        [JSON.stringify(sessions)],
      );
      await tx.query(
        `UPDATE orders SET input = r.input, session_id = r.session_id
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, input jsonb, session_id text) WHERE orders.id = r.id`,
        [JSON.stringify(orders.map((order) => ({ id: order.id, input: order.input, session_id: order.session_id })))],
      );
      // Remembered at once: a chunk is one transaction, and a failed one fails the whole generation.
      for (const [claim, subject] of opened) known.set(claim, subject);
    }
  };
}
