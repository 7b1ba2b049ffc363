// Case SLA: the first-response timer shown on every case, and the check that raises an alert once when it is breached.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { CaseRow } from './protection.repository.ts';

/** Topic of alerts for the monitoring desk (the ops console reads them; an adapter may page someone). */
export const opsAlertTopic = 'ops.alert';

export function presentSla(
  row: Pick<CaseRow, 'first_response_due_at' | 'first_responded_at' | 'opened_at'>,
  now: number,
) {
  const due = row.first_response_due_at.getTime();
  const respondedAt = row.first_responded_at?.getTime() ?? null;
  return {
    first_response_due_at: row.first_response_due_at.toISOString(),
    first_responded_at: row.first_responded_at?.toISOString() ?? null,
    breached: respondedAt === null ? now > due : respondedAt > due,
    seconds_remaining: respondedAt === null ? Math.round((due - now) / 1000) : null,
  };
}

export function makeCaseSlaCheck(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  onBreach?: (caseId: string) => void;
}) {
  const { database, clock, ids } = dependencies;
  /** Alerts once per breached case; returns how many new breaches were found. */
  return async function checkCaseSla(): Promise<number> {
    const at = new Date(clock.now());
    const breached = await database.query<{ id: string; first_response_due_at: Date; kind: string }>(
      `SELECT id, first_response_due_at, kind FROM cases
       WHERE status = 'open' AND first_responded_at IS NULL AND sla_alerted_at IS NULL AND first_response_due_at < $1
       ORDER BY first_response_due_at LIMIT 500`,
      [at],
    );
    let alerted = 0;
    for (const row of breached) {
      const created = await database.transaction(async (tx) => {
        const claimed = await tx.query(
          'UPDATE cases SET sla_alerted_at = $2 WHERE id = $1 AND sla_alerted_at IS NULL RETURNING id',
          [row.id, at],
        );
        if (claimed.length === 0) return false;
        const message = `case ${row.id} (${row.kind}) has had no first response since ${row.first_response_due_at.toISOString()}`;
        await tx.query(
          `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ($1, 'case_sla_breached', $2, $3, $4)
           ON CONFLICT (kind, subject_id) DO NOTHING`,
          [ids.next('alr'), row.id, message, at],
        );
        await enqueue(tx, ids, {
          topic: opsAlertTopic,
          recipient: null,
          payload: { kind: 'case_sla_breached', case_id: row.id, message },
          at,
        });
        return true;
      });
      if (created) {
        alerted += 1;
        dependencies.onBreach?.(row.id);
      }
    }
    return alerted;
  };
}
