// Four eyes: an action that needs a second person is stored as a pending approval until another staff member confirms it.
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { recordAudit } from './audit.ts';
import type { StaffMember } from './staff-auth.service.ts';

export const approvalActions = ['case.confirm_fraud', 'ruleset.activate', 'model.promote'] as const;
export type ApprovalAction = (typeof approvalActions)[number];

interface ApprovalRow {
  seq: string | number;
  id: string;
  action: ApprovalAction;
  subject: string;
  payload: Record<string, unknown>;
  status: 'pending' | 'confirmed' | 'rejected';
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
}

/** What each action does once a second person confirms it; returns the state after, for the audit trail. */
export type ApprovalExecutors = Record<
  ApprovalAction,
  (
    approval: { subject: string; payload: Record<string, unknown> },
    confirmer: StaffMember,
    requester: string,
  ) => Promise<unknown>
>;

/** A four-eyes request as every /v1/ops/approvals route answers it; present() is typed by it. */
export const approvalViewSchema = z.object({
  id: z.string(),
  action: z.string(),
  subject: z.string(),
  payload: z.record(z.string(), z.unknown()),
  status: z.string(),
  requested_by: z.string(),
  requested_at: z.string(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
});

export function makeApprovalsService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  executors: ApprovalExecutors;
}) {
  const { database, clock, ids } = dependencies;
  const select = `SELECT seq, id, action, subject, payload, status, requested_by, requested_at, decided_by, decided_at FROM staff_approvals`;

  function present(row: ApprovalRow): z.infer<typeof approvalViewSchema> {
    return {
      id: row.id,
      action: row.action,
      subject: row.subject,
      payload: row.payload,
      status: row.status,
      requested_by: row.requested_by,
      requested_at: row.requested_at.toISOString(),
      decided_by: row.decided_by,
      decided_at: row.decided_at?.toISOString() ?? null,
    };
  }

  async function find(id: string): Promise<ApprovalRow> {
    const [row] = await database.query<ApprovalRow>(`${select} WHERE id = $1`, [id]);
    if (!row) throw notFound('approval');
    return row;
  }

  async function request(
    member: StaffMember,
    action: ApprovalAction,
    subject: string,
    payload: Record<string, unknown>,
  ) {
    const at = new Date(clock.now());
    const id = ids.next('apr');
    await database.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO staff_approvals (id, action, subject, payload, status, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
        [id, action, subject, JSON.stringify(payload), member.id, at],
      );
      if (inserted.length === 0) {
        throw new ApiError(409, 'approval_pending', 'this action already waits for a second person');
      }
      await recordAudit(tx, ids, {
        staffId: member.id,
        actor: member.name,
        action: `approval.request:${action}`,
        subject,
        before: null,
        after: { approval_id: id, ...payload },
        at,
      });
    });
    return present(await find(id));
  }

  async function confirm(member: StaffMember, approvalId: string) {
    const row = await find(approvalId);
    if (row.requested_by === member.id) {
      throw new ApiError(403, 'four_eyes_required', 'a second staff member must confirm this');
    }
    const at = new Date(clock.now());
    const claimed = await database.query(
      `UPDATE staff_approvals SET status = 'confirmed', decided_by = $2, decided_at = $3
       WHERE id = $1 AND status = 'pending' AND requested_by <> $2 RETURNING id`,
      [approvalId, member.id, at],
    );
    if (claimed.length === 0) throw new ApiError(409, 'approval_not_pending', 'this approval is already decided');
    let after: unknown;
    try {
      after = await dependencies.executors[row.action](
        { subject: row.subject, payload: row.payload },
        member,
        row.requested_by,
      );
    } catch (error) {
      // The action did not happen: the request stays open for another try rather than claiming it did.
      await database.query(
        `UPDATE staff_approvals SET status = 'pending', decided_by = NULL, decided_at = NULL WHERE id = $1`,
        [approvalId],
      );
      throw error;
    }
    await recordAudit(database, ids, {
      staffId: member.id,
      actor: member.name,
      action: `approval.confirm:${row.action}`,
      subject: row.subject,
      before: { approval_id: row.id, requested_by: row.requested_by },
      after,
      at,
    });
    return { approval: present(await find(approvalId)), result: after };
  }

  async function reject(member: StaffMember, approvalId: string) {
    const row = await find(approvalId);
    const at = new Date(clock.now());
    const updated = await database.query(
      `UPDATE staff_approvals SET status = 'rejected', decided_by = $2, decided_at = $3 WHERE id = $1 AND status = 'pending' RETURNING id`,
      [approvalId, member.id, at],
    );
    if (updated.length === 0) throw new ApiError(409, 'approval_not_pending', 'this approval is already decided');
    await recordAudit(database, ids, {
      staffId: member.id,
      actor: member.name,
      action: `approval.reject:${row.action}`,
      subject: row.subject,
      before: { approval_id: row.id },
      after: null,
      at,
    });
    return present(await find(approvalId));
  }

  async function list(query: {
    status?: 'pending' | 'confirmed' | 'rejected' | undefined;
    after?: number | undefined;
    limit: number;
  }) {
    const rows = await database.query<ApprovalRow>(
      `${select} WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`,
      [query.status ?? null, query.after ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const hasMore = rows.length > query.limit;
    return { data: page.map(present), next_cursor: hasMore ? String(page.at(-1)!.seq) : null, has_more: hasMore };
  }

  return { request, confirm, reject, list };
}

export type ApprovalsService = ReturnType<typeof makeApprovalsService>;
