// The desk's read-and-acknowledge routes on /v1/ops: open cases and the alerts raised by protection and review.
import { z } from 'zod';
import { defineStaffRoute } from './staff.route.ts';
import { decodeCursor, listEnvelope, listQuery } from '../http/list-envelope.ts';
import { caseSummarySchema } from '../protection/cases.routes.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { CasesService } from '../protection/cases.service.ts';
import { recordAudit } from './audit.ts';

const seqCursor = z.tuple([z.number().int().min(0)]);

const page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.coerce.number().int().min(0).optional(),
});

interface AlertRow {
  seq: string | number;
  id: string;
  kind: string;
  subject_id: string;
  message: string;
  created_at: Date;
  acknowledged_at: Date | null;
  rule_id: string | null;
  resolved_at: Date | null;
}

const alertView = z.object({
  id: z.string(),
  kind: z.string(),
  subject_id: z.string(),
  message: z.string(),
  created_at: z.string(),
  acknowledged_at: z.string().nullable(),
  /** The alert rule that raised it (live monitoring), if any. */
  rule_id: z.string().nullable(),
  resolved_at: z.string().nullable(),
});

const presentAlert = (row: AlertRow): z.infer<typeof alertView> => ({
  id: row.id,
  kind: row.kind,
  subject_id: row.subject_id,
  message: row.message,
  created_at: row.created_at.toISOString(),
  acknowledged_at: row.acknowledged_at?.toISOString() ?? null,
  rule_id: row.rule_id,
  resolved_at: row.resolved_at?.toISOString() ?? null,
});

export function opsDeskRoutes(dependencies: { database: Database; clock: Clock; ids: Ids; cases: CasesService }) {
  const { database, cases } = dependencies;
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/cases',
      summary: 'Cases (filter: status), oldest first',
      tags: ['ops'],
      query: listQuery.extend({ status: z.enum(['open', 'resolved']).optional() }),
      responses: { 200: { description: 'A page of cases, oldest first', schema: listEnvelope(caseSummarySchema) } },
      handler: async ({ query }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor, seqCursor);
        return { status: 200, body: await cases.list({ status: query.status, after, limit: query.limit }) };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/alerts',
      summary: 'Alerts (case SLA breaches, review deadlines), newest first; filter unacknowledged',
      tags: ['ops'],
      query: page.extend({
        open: z
          .enum(['true', 'false'])
          .transform((value) => value === 'true')
          .optional(),
      }),
      responses: { 200: { description: 'A page of alerts, newest first', schema: listEnvelope(alertView) } },
      handler: async ({ query }) => {
        const rows = await database.query<AlertRow>(
          `SELECT seq, id, kind, subject_id, message, created_at, acknowledged_at, rule_id, resolved_at FROM protection_alerts
           WHERE ($1::boolean IS NULL OR $1 = (acknowledged_at IS NULL)) AND ($2::bigint IS NULL OR seq < $2)
           ORDER BY seq DESC LIMIT $3`,
          [query.open ?? null, query.cursor ?? null, query.limit + 1],
        );
        const data = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        return {
          status: 200,
          body: {
            data: data.map(presentAlert),
            next_cursor: hasMore ? String(data.at(-1)!.seq) : null,
            has_more: hasMore,
          },
        };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/alerts/:id/acknowledge',
      summary: 'Acknowledge an alert (audited)',
      tags: ['ops'],
      params: z.object({ id: z.string().regex(/^alr_[0-9a-z]{1,40}$/) }),
      responses: { 200: { description: 'The alert', schema: alertView } },
      handler: async ({ staff: member, params }) => {
        const at = new Date(dependencies.clock.now());
        const [row] = await database.query<AlertRow>(
          `UPDATE protection_alerts SET acknowledged_at = $2 WHERE id = $1 AND acknowledged_at IS NULL
           RETURNING seq, id, kind, subject_id, message, created_at, acknowledged_at, rule_id, resolved_at`,
          [params.id, at],
        );
        if (!row) {
          const [exists] = await database.query('SELECT id FROM protection_alerts WHERE id = $1', [params.id]);
          if (!exists) throw new ApiError(404, 'not_found', 'alert not found');
          throw new ApiError(409, 'alert_acknowledged', 'this alert is already acknowledged');
        }
        await recordAudit(database, dependencies.ids, {
          staffId: member.id,
          actor: member.name,
          action: 'alert.acknowledge',
          subject: row.id,
          before: { acknowledged_at: null },
          after: { acknowledged_at: at.toISOString() },
          at,
        });
        return { status: 200, body: presentAlert(row) };
      },
    }),
  ];
}
