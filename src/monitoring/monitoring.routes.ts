// The console's monitoring routes on /v1/ops: the live picture, alert rules, resolving alerts and emergency levers.
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import { decodeCursor, listEnvelope, listQuery } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { recordAudit } from '../staff/audit.ts';
import { monitoringSchema, type MonitoringService } from './monitoring.service.ts';
import { alertRuleSchema, createAlertRuleSchema, type AlertRules } from './alert-rules.service.ts';
import { leverSchema, pullLeverSchema, type EmergencyLevers } from './emergency-levers.service.ts';
import { monitoringStreamRoute, type makeMonitoringStreams } from './monitoring.stream.ts';

const seqCursor = z.tuple([z.number().int().min(0)]);
const before = (cursor: string | undefined) => (cursor === undefined ? null : decodeCursor(cursor, seqCursor)[0]);

const idParams = (prefix: string) => z.object({ id: z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{1,40}$`)) });

const resolvedAlertSchema = z.object({
  id: z.string(),
  kind: z.string(),
  message: z.string(),
  acknowledged_at: z.string().nullable(),
  resolved_at: z.string(),
  resolved_by: z.string(),
});

export function monitoringRoutes(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  monitoring: MonitoringService;
  alertRules: AlertRules;
  levers: EmergencyLevers;
  streams: ReturnType<typeof makeMonitoringStreams>;
}) {
  const { database, clock, ids, monitoring, alertRules, levers, streams } = dependencies;
  return [
    monitoringStreamRoute({ monitoring, streams }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/monitoring',
      summary: 'Live monitoring: decisions per minute against last week, scores and PSI, rules, step-ups, backlog',
      tags: ['ops'],
      query: z.object({
        minutes: z.coerce.number().int().min(5).max(180).default(60),
        merchant_id: z.string().min(1).max(100).optional(),
      }),
      responses: { 200: { description: 'The monitored series for the window', schema: monitoringSchema } },
      handler: async ({ query }) => {
        return {
          status: 200,
          body: await monitoring.snapshot({ minutes: query.minutes, merchantId: query.merchant_id ?? null }),
        };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/alert-rules',
      summary: 'Alert rules on the monitored series, newest first',
      tags: ['ops'],
      query: listQuery,
      responses: { 200: { description: 'A page of alert rules', schema: listEnvelope(alertRuleSchema) } },
      handler: async ({ query }) => {
        return { status: 200, body: await alertRules.list({ limit: query.limit, before: before(query.cursor) }) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/alert-rules',
      summary: 'Create a threshold or change rule on a monitored series (lead; audited)',
      tags: ['ops'],
      staffRole: 'lead',
      body: createAlertRuleSchema,
      responses: { 201: { description: 'The rule', schema: alertRuleSchema } },
      handler: async ({ staff: member, body }) => {
        return { status: 201, body: await alertRules.create(member, body) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/alert-rules/:id/enabled',
      summary: 'Switch an alert rule on or off (lead; audited)',
      tags: ['ops'],
      staffRole: 'lead',
      params: idParams('arl'),
      body: z.object({ enabled: z.boolean() }),
      responses: { 200: { description: 'The rule', schema: alertRuleSchema } },
      handler: async ({ staff: member, params, body }) => {
        return { status: 200, body: await alertRules.setEnabled(member, params.id, body.enabled) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/alert-rules/evaluate',
      summary: 'Evaluate every alert rule now instead of at the next scheduled round (lead)',
      tags: ['ops'],
      staffRole: 'lead',
      responses: {
        200: { description: 'How many alerts the round raised', schema: z.object({ raised: z.number().int() }) },
      },
      handler: async ({}) => {
        return { status: 200, body: { raised: await alertRules.evaluate() } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/alerts/:id/resolve',
      summary: 'Resolve an alert: the cause is dealt with (audited); a rule may raise again after this',
      tags: ['ops'],
      params: idParams('alr'),
      responses: { 200: { description: 'The resolved alert', schema: resolvedAlertSchema } },
      handler: async ({ staff: member, params }) => {
        const at = new Date(clock.now());
        const row = await database.transaction(async (tx) => {
          const [updated] = await tx.query<{
            id: string;
            kind: string;
            message: string;
            acknowledged_at: Date | null;
            resolved_at: Date;
            resolved_by: string;
          }>(
            `UPDATE protection_alerts SET resolved_at = $2, resolved_by = $3, acknowledged_at = COALESCE(acknowledged_at, $2)
             WHERE id = $1 AND resolved_at IS NULL RETURNING id, kind, message, acknowledged_at, resolved_at, resolved_by`,
            [params.id, at, member.name],
          );
          if (!updated) {
            const [exists] = await tx.query('SELECT id FROM protection_alerts WHERE id = $1', [params.id]);
            if (!exists) throw new ApiError(404, 'not_found', 'alert not found');
            throw new ApiError(409, 'alert_resolved', 'this alert is already resolved');
          }
          await recordAudit(tx, ids, {
            staffId: member.id,
            actor: member.name,
            action: 'alert.resolve',
            subject: params.id,
            before: { resolved_at: null },
            after: { resolved_at: at.toISOString() },
            at,
          });
          return updated;
        });
        return {
          status: 200,
          body: {
            id: row.id,
            kind: row.kind,
            message: row.message,
            acknowledged_at: row.acknowledged_at ? new Date(row.acknowledged_at).toISOString() : null,
            resolved_at: new Date(row.resolved_at).toISOString(),
            resolved_by: row.resolved_by,
          },
        };
      },
    }),
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/levers',
      summary: 'Emergency levers, newest first, with whether each is active, expired or released',
      tags: ['ops'],
      query: listQuery,
      responses: { 200: { description: 'A page of levers', schema: listEnvelope(leverSchema) } },
      handler: async ({ query }) => {
        return { status: 200, body: await levers.list({ limit: query.limit, before: before(query.cursor) }) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/levers',
      summary: "Pull a time-boxed emergency lever on a merchant's decisions, usually from an alert (audited)",
      tags: ['ops'],
      body: pullLeverSchema,
      responses: { 201: { description: 'The lever, active until expires_at', schema: leverSchema } },
      handler: async ({ staff: member, body }) => {
        return { status: 201, body: await levers.pull(member, body) };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/levers/:id/release',
      summary: 'Release a lever before its time is up (audited)',
      tags: ['ops'],
      params: idParams('lev'),
      responses: { 200: { description: 'The lever', schema: leverSchema } },
      handler: async ({ staff: member, params }) => {
        return { status: 200, body: await levers.release(member, params.id) };
      },
    }),
  ];
}
