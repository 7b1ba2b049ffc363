// Erasure alerts for the desk: a request that failed, or one past its 24-hour limit, raised once per request.
import { enqueue } from '../outbox/outbox.ts';
import { opsAlertTopic } from '../protection/case.sla.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';

export type ErasureAlertKind = 'erasure_failed' | 'erasure_overdue';

/**
 * One alert per request and kind, whichever node raises it (the alerts' unique kind + subject): shown in the console
 * and fanned out to OPS_ALERT_TO through the outbox. The message names the request, the step and the times only:
 * never who the request is about, so an alert e-mail carries no personal data.
 */
export async function raiseErasureAlert(
  tx: SqlExecutor,
  ids: Ids,
  alert: { kind: ErasureAlertKind; requestId: string; message: string; at: Date },
): Promise<boolean> {
  const [raised] = await tx.query<{ id: string }>(
    `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, subject_id) DO NOTHING RETURNING id`,
    [ids.next('alr'), alert.kind, alert.requestId, alert.message, alert.at],
  );
  if (!raised) return false;
  await enqueue(tx, ids, {
    topic: opsAlertTopic,
    recipient: null,
    payload: { kind: alert.kind, erasure_request_id: alert.requestId, message: alert.message },
    at: alert.at,
  });
  return true;
}

export const overdueMessage = (requestId: string, limitAt: Date) =>
  `erasure request ${requestId} passed its 24-hour limit (${limitAt.toISOString()}) before it was finished`;

/** The scheduler's check: every request still pending past its limit alerts once. Returns how many were raised. */
export async function alertOverdueErasures(tx: SqlExecutor, ids: Ids, now: Date): Promise<number> {
  const overdue = await tx.query<{ id: string; limit_at: Date }>(
    `SELECT e.id, e.limit_at FROM erasure_requests e
      WHERE e.status = 'pending' AND e.limit_at <= $1
        AND NOT EXISTS (SELECT 1 FROM protection_alerts a WHERE a.kind = 'erasure_overdue' AND a.subject_id = e.id)
      ORDER BY e.limit_at LIMIT 100`,
    [now],
  );
  let raised = 0;
  for (const row of overdue)
    if (
      await raiseErasureAlert(tx, ids, {
        kind: 'erasure_overdue',
        requestId: row.id,
        message: overdueMessage(row.id, row.limit_at),
        at: now,
      })
    )
      raised += 1;
  return raised;
}
