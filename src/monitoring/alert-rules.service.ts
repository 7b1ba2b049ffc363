// Alert rules over the monitored series, and the evaluator that raises their alerts (once per cluster, once per
// breach): an alert stays the rule's only open alert until someone resolves it, so the desk is told once.
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import { toPage } from '../http/list-envelope.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { enqueue } from '../outbox/outbox.ts';
import { opsAlertTopic } from '../protection/case.sla.ts';
import { recordAudit } from '../staff/audit.ts';
import { measure, type Measurement } from './monitoring.series.ts';
import { seriesNames, type SeriesName } from './series-names.ts';
import type { StaffActor } from './emergency-levers.service.ts';

const week = 7 * 24 * 60 * 60 * 1000;
/** One evaluator per cluster: the others find this transaction-scoped advisory lock taken and skip the round. */
const evaluatorLock = 111_001;

export const createAlertRuleSchema = z.object({
  name: z.string().trim().min(1).max(200),
  series: z.enum(seriesNames),
  merchant_id: z.string().min(1).max(100).nullable().default(null),
  new_address_only: z.boolean().default(false),
  kind: z.enum(['threshold', 'change']),
  /** threshold: raise when the figure is at least this; change: when it is at least this many times last week's. */
  threshold: z.number().min(0).max(1_000_000),
  minimum_count: z.number().int().min(1).max(1_000_000).default(1),
  window_minutes: z.number().int().min(1).max(1440),
});

export const alertRuleSchema = createAlertRuleSchema.extend({
  id: z.string(),
  enabled: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  last_evaluated_at: z.string().nullable(),
});

interface AlertRuleRow {
  seq: string | number;
  id: string;
  name: string;
  series: SeriesName;
  merchant_id: string | null;
  new_address_only: boolean;
  kind: 'threshold' | 'change';
  threshold: number;
  minimum_count: number;
  window_minutes: number;
  enabled: boolean;
  created_by: string;
  created_at: Date;
  last_evaluated_at: Date | null;
}

const present = (row: AlertRuleRow): z.infer<typeof alertRuleSchema> => ({
  id: row.id,
  name: row.name,
  series: row.series,
  merchant_id: row.merchant_id,
  new_address_only: row.new_address_only,
  kind: row.kind,
  threshold: Number(row.threshold),
  minimum_count: Number(row.minimum_count),
  window_minutes: Number(row.window_minutes),
  enabled: row.enabled,
  created_by: row.created_by,
  created_at: new Date(row.created_at).toISOString(),
  last_evaluated_at: row.last_evaluated_at ? new Date(row.last_evaluated_at).toISOString() : null,
});

/** Whether a rule is breached, and the words the desk reads. Pure, so the conditions are tested on their own. */
export function judge(
  rule: Pick<AlertRuleRow, 'name' | 'series' | 'kind' | 'threshold' | 'minimum_count' | 'window_minutes'>,
  now: Measurement,
  lastWeek: Measurement | null,
): { breached: boolean; message: string } {
  const figure = (value: number | null) => (value === null ? 'n/a' : String(Math.round(value * 1000) / 1000));
  const enough = now.value !== null && now.count >= rule.minimum_count;
  if (rule.kind === 'threshold') {
    return {
      breached: enough && now.value! >= rule.threshold,
      message: `${rule.name}: ${rule.series} was ${figure(now.value)} in the last ${rule.window_minutes} min (threshold ${rule.threshold})`,
    };
  }
  const baseline = lastWeek?.value ?? null;
  // Against no traffic last week any traffic is a rise; minimum_count keeps one order from being "a doubling".
  const breached =
    enough && (baseline === null || baseline === 0 ? now.value! > 0 : now.value! >= rule.threshold * baseline);
  return {
    breached,
    message: `${rule.name}: ${rule.series} was ${figure(now.value)} in the last ${rule.window_minutes} min against ${figure(baseline)} a week ago (alert at ${rule.threshold}x)`,
  };
}

export function makeAlertRules(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  /** Runs in the evaluator's transaction: records levers whose time is up. */
  onEvaluate?: (tx: SqlExecutor) => Promise<number>;
}) {
  const { database, clock, ids } = dependencies;

  async function create(actor: StaffActor, input: z.infer<typeof createAlertRuleSchema>) {
    if (input.merchant_id !== null) {
      const [merchant] = await database.query('SELECT id FROM merchants WHERE id = $1', [input.merchant_id]);
      if (!merchant) throw new ApiError(404, 'merchant_not_found', 'no merchant with this id', 'merchant_id');
    }
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      const [row] = await tx.query<AlertRuleRow>(
        `INSERT INTO alert_rules (id, name, series, merchant_id, new_address_only, kind, threshold, minimum_count,
           window_minutes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          ids.next('arl'),
          input.name,
          input.series,
          input.merchant_id,
          input.new_address_only,
          input.kind,
          input.threshold,
          input.minimum_count,
          input.window_minutes,
          actor.name,
          at,
        ],
      );
      const view = present(row!);
      await recordAudit(tx, ids, {
        staffId: actor.id,
        actor: actor.name,
        action: 'alert_rule.create',
        subject: view.id,
        before: null,
        after: view,
        at,
      });
      return view;
    });
  }

  async function setEnabled(actor: StaffActor, id: string, enabled: boolean) {
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      const [row] = await tx.query<AlertRuleRow>(`UPDATE alert_rules SET enabled = $2 WHERE id = $1 RETURNING *`, [
        id,
        enabled,
      ]);
      if (!row) throw new ApiError(404, 'not_found', 'alert rule not found');
      await recordAudit(tx, ids, {
        staffId: actor.id,
        actor: actor.name,
        action: enabled ? 'alert_rule.enable' : 'alert_rule.disable',
        subject: id,
        before: { enabled: !enabled },
        after: { enabled },
        at,
      });
      return present(row);
    });
  }

  async function list(options: { limit: number; before: number | null }) {
    const rows = await database.query<AlertRuleRow>(
      `SELECT * FROM alert_rules WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`,
      [options.before, options.limit + 1],
    );
    return toPage(rows, options.limit, (row) => [Number(row.seq)], present);
  }

  /** One evaluation round; returns how many alerts it raised (0 when another process holds the round). */
  async function evaluate(): Promise<number> {
    return database.transaction(async (tx) => {
      const [lock] = await tx.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS taken', [
        evaluatorLock,
      ]);
      if (!lock?.taken) return 0;
      await dependencies.onEvaluate?.(tx);
      const at = new Date(clock.now());
      const rules = await tx.query<AlertRuleRow>(
        `SELECT r.* FROM alert_rules r WHERE r.enabled
           AND NOT EXISTS (SELECT 1 FROM protection_alerts a WHERE a.rule_id = r.id AND a.resolved_at IS NULL)
         ORDER BY r.seq`,
      );
      let raised = 0;
      for (const rule of rules) {
        // The window ends just after now: a decision taken this very millisecond counts (windows end exclusive).
        const to = new Date(at.getTime() + 1);
        const scope = {
          from: new Date(to.getTime() - rule.window_minutes * 60_000),
          to,
          merchantId: rule.merchant_id,
          newAddressOnly: rule.new_address_only,
        };
        const now = await measure(tx, rule.series, scope);
        const lastWeek =
          rule.kind === 'change'
            ? await measure(tx, rule.series, {
                ...scope,
                from: new Date(scope.from.getTime() - week),
                to: new Date(to.getTime() - week),
              })
            : null;
        const verdict = judge(rule, now, lastWeek);
        await tx.query('UPDATE alert_rules SET last_evaluated_at = $2 WHERE id = $1', [rule.id, at]);
        if (!verdict.breached) continue;
        const alertId = ids.next('alr');
        await tx.query(
          `INSERT INTO protection_alerts (id, kind, subject_id, message, created_at, rule_id)
           VALUES ($1, 'alert_rule', $2, $3, $4, $5)`,
          [alertId, `${rule.id}@${alertId}`, verdict.message, at, rule.id],
        );
        // Through the same fan-out as every desk alert: one message per OPS_ALERT_TO address.
        await enqueue(tx, ids, {
          topic: opsAlertTopic,
          recipient: null,
          payload: { kind: 'alert_rule', rule_id: rule.id, alert_id: alertId, message: verdict.message },
          at,
        });
        raised += 1;
      }
      return raised;
    });
  }

  return { create, setEnabled, list, evaluate };
}

export type AlertRules = ReturnType<typeof makeAlertRules>;
