// Emergency levers: time-boxed overrides pulled by an analyst (usually from an alert), applied on the decision path.
// Expiry is checked at decision time, so a lever stops acting the moment its time is up without any job; the
// scheduled evaluator only records that it ended (and audits it).
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import { toPage } from '../http/list-envelope.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { makeTableCache, tableChanged } from '../storage/table-cache.ts';
import type { Rule } from '../risk/rules/rule.schema.ts';
import { recordAudit } from '../staff/audit.ts';
import { leverActions, leverRule, type Lever } from './lever.rules.ts';

interface LeverRow {
  id: string;
  alert_id: string | null;
  merchant_id: string;
  action: (typeof leverActions)[number];
  new_address_only: boolean;
  minimum_amount: string | number | null;
  pulled_by: string;
  pulled_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  end_reason: string | null;
}

export const pullLeverSchema = z.object({
  merchant_id: z.string().min(1).max(100),
  action: z.enum(leverActions),
  new_address_only: z.boolean().default(false),
  minimum_amount: z.number().int().min(0).max(100_000_000).nullable().default(null),
  /** A lever is an emergency measure: at most a day, after which a ruleset change is the way. */
  minutes: z.number().int().min(1).max(1440),
  alert_id: z.string().max(100).nullable().default(null),
});

export const leverSchema = z.object({
  id: z.string(),
  alert_id: z.string().nullable(),
  merchant_id: z.string(),
  action: z.enum(leverActions),
  new_address_only: z.boolean(),
  minimum_amount: z.number().int().nullable(),
  pulled_by: z.string(),
  pulled_at: z.string(),
  expires_at: z.string(),
  status: z.enum(['active', 'expired', 'released']),
  ended_at: z.string().nullable(),
  ended_by: z.string().nullable(),
});

const toLever = (row: LeverRow): Lever => ({
  id: row.id,
  merchantId: row.merchant_id,
  action: row.action,
  newAddressOnly: row.new_address_only,
  minimumAmount: row.minimum_amount === null ? null : Number(row.minimum_amount),
  pulledAt: new Date(row.pulled_at).getTime(),
  expiresAt: new Date(row.expires_at).getTime(),
});

const columns = `id, alert_id, merchant_id, action, new_address_only, minimum_amount, pulled_by, pulled_at, expires_at,
  ended_at, ended_by, end_reason`;

export interface StaffActor {
  readonly id: string;
  readonly name: string;
}

export function makeEmergencyLevers(dependencies: { database: Database; clock: Clock; ids: Ids }) {
  const { database, clock, ids } = dependencies;
  // Levers not yet recorded as ended, per process, dropped whenever any process changes the table.
  const open = makeTableCache('emergency_levers', async (db: SqlExecutor) => {
    const rows = await db.query<LeverRow>(`SELECT ${columns} FROM emergency_levers WHERE ended_at IS NULL`);
    return rows.map((row) => ({ lever: toLever(row), rule: leverRule(toLever(row)) }));
  });

  const present = (row: LeverRow): z.infer<typeof leverSchema> => {
    const now = clock.now();
    const status =
      row.end_reason === 'released'
        ? 'released'
        : row.ended_at !== null || new Date(row.expires_at).getTime() <= now
          ? 'expired'
          : 'active';
    return {
      id: row.id,
      alert_id: row.alert_id,
      merchant_id: row.merchant_id,
      action: row.action,
      new_address_only: row.new_address_only,
      minimum_amount: row.minimum_amount === null ? null : Number(row.minimum_amount),
      pulled_by: row.pulled_by,
      pulled_at: new Date(row.pulled_at).toISOString(),
      expires_at: new Date(row.expires_at).toISOString(),
      status,
      ended_at: row.ended_at ? new Date(row.ended_at).toISOString() : null,
      ended_by: row.ended_by,
    };
  };

  /** The rules of the levers acting on this merchant's decision at `at` (epoch ms); usually none. */
  async function rulesFor(merchantId: string, at: number): Promise<readonly Rule[]> {
    const levers = await open.get(database, 'open');
    if (levers.length === 0) return [];
    return levers
      .filter(({ lever }) => lever.merchantId === merchantId && lever.pulledAt <= at && at < lever.expiresAt)
      .map(({ rule }) => rule);
  }

  async function pull(actor: StaffActor, input: z.infer<typeof pullLeverSchema>) {
    const at = new Date(clock.now());
    const [merchant] = await database.query('SELECT id FROM merchants WHERE id = $1', [input.merchant_id]);
    if (!merchant) throw new ApiError(404, 'merchant_not_found', 'no merchant with this id', 'merchant_id');
    if (input.alert_id !== null) {
      const [alert] = await database.query('SELECT id FROM protection_alerts WHERE id = $1', [input.alert_id]);
      if (!alert) throw new ApiError(404, 'alert_not_found', 'no alert with this id', 'alert_id');
    }
    const row = await database.transaction(async (tx) => {
      const [inserted] = await tx.query<LeverRow>(
        `INSERT INTO emergency_levers (id, alert_id, merchant_id, action, new_address_only, minimum_amount, pulled_by,
           pulled_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${columns}`,
        [
          ids.next('lev'),
          input.alert_id,
          input.merchant_id,
          input.action,
          input.new_address_only,
          input.minimum_amount,
          actor.name,
          at,
          new Date(at.getTime() + input.minutes * 60_000),
        ],
      );
      await recordAudit(tx, ids, {
        staffId: actor.id,
        actor: actor.name,
        action: 'lever.pull',
        subject: inserted!.id,
        before: null,
        after: present(inserted!),
        at,
      });
      return inserted!;
    });
    tableChanged('emergency_levers');
    return present(row);
  }

  async function release(actor: StaffActor, id: string) {
    const at = new Date(clock.now());
    const row = await database.transaction(async (tx) => {
      const [updated] = await tx.query<LeverRow>(
        `UPDATE emergency_levers SET ended_at = $2, ended_by = $3, end_reason = 'released'
         WHERE id = $1 AND ended_at IS NULL AND expires_at > $2 RETURNING ${columns}`,
        [id, at, actor.name],
      );
      if (!updated) {
        const [exists] = await tx.query('SELECT id FROM emergency_levers WHERE id = $1', [id]);
        if (!exists) throw new ApiError(404, 'not_found', 'lever not found');
        throw new ApiError(409, 'lever_ended', 'this lever has already ended');
      }
      await recordAudit(tx, ids, {
        staffId: actor.id,
        actor: actor.name,
        action: 'lever.release',
        subject: id,
        before: { status: 'active' },
        after: { status: 'released', ended_at: at.toISOString() },
        at,
      });
      return updated;
    });
    tableChanged('emergency_levers');
    return present(row);
  }

  /** Scheduled: records the end of every lever whose time is up (it already stopped acting then). */
  async function recordExpiries(tx: SqlExecutor): Promise<number> {
    const at = new Date(clock.now());
    const ended = await tx.query<LeverRow>(
      `UPDATE emergency_levers SET ended_at = expires_at, ended_by = 'clock', end_reason = 'expired'
       WHERE ended_at IS NULL AND expires_at <= $1 RETURNING ${columns}`,
      [at],
    );
    for (const row of ended) {
      await recordAudit(tx, ids, {
        staffId: null,
        actor: 'clock',
        action: 'lever.expire',
        subject: row.id,
        before: { status: 'active' },
        after: { status: 'expired', ended_at: new Date(row.expires_at).toISOString(), pulled_by: row.pulled_by },
        at,
      });
    }
    if (ended.length > 0) tableChanged('emergency_levers');
    return ended.length;
  }

  async function list(options: { limit: number; before: number | null }) {
    const rows = await database.query<LeverRow & { seq: string | number }>(
      `SELECT seq, ${columns} FROM emergency_levers WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`,
      [options.before, options.limit + 1],
    );
    return toPage(rows, options.limit, (row) => [Number(row.seq)], present);
  }

  return { rulesFor, pull, release, recordExpiries, list };
}

export type EmergencyLevers = ReturnType<typeof makeEmergencyLevers>;
