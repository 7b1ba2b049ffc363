// The desk's work queue: review items and open claims ranked together, locked to the analyst working them, a
// next-item flow, and bulk settlement of reviews (each item settled and audited on its own).
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import type { ReviewService } from '../review/review.service.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import { recordAudit } from '../staff/audit.ts';
import { expectedLoss, rankQueue } from './work-queue.ranking.ts';
import * as repository from './work-queue.repository.ts';

export const queueItemSchema = z.object({
  id: z.string(),
  kind: z.enum(repository.queueItemKinds),
  merchant: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  session_id: z.string().nullable(),
  decision_id: z.string().nullable(),
  order_id: z.string().nullable(),
  account_id: z.string().nullable(),
  claim_kind: z.string().nullable(),
  amount: z.object({ value: z.number(), currency: z.string() }),
  score: z.number().nullable(),
  /** score x amount, minor units. */
  expected_loss: z.number(),
  opened_at: z.string(),
  due_at: z.string(),
  /** The SLA clock: negative once overdue. */
  seconds_remaining: z.number(),
  lock: z.object({ staff_id: z.string(), by: z.string(), expires_at: z.string(), mine: z.boolean() }).nullable(),
});
export type QueueItemView = z.infer<typeof queueItemSchema>;

export const bulkResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      ok: z.boolean(),
      status: z.string().nullable(),
      order_id: z.string().nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});

export const reviewVerdicts = ['approve', 'decline'] as const;
export type ReviewVerdict = (typeof reviewVerdicts)[number];

const queueSize = 1000;

export function makeWorkQueue(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  reviews: ReviewService;
  lockMinutes: number;
}) {
  const { database, clock, ids, reviews } = dependencies;
  const now = () => new Date(clock.now());

  function present(row: repository.QueueRow, member: StaffMember): QueueItemView {
    const amount = Number(row.amount);
    const dueAt = row.due_at.getTime();
    return {
      id: row.id,
      kind: row.kind,
      merchant: { id: row.merchant_id, name: row.merchant_name },
      session_id: row.session_id,
      decision_id: row.decision_id,
      order_id: row.order_id,
      account_id: row.account_id,
      claim_kind: row.claim_kind,
      amount: { value: amount, currency: row.currency },
      score: row.score,
      expected_loss: expectedLoss({ score: row.score, amount, dueAt }),
      opened_at: row.opened_at.toISOString(),
      due_at: row.due_at.toISOString(),
      seconds_remaining: Math.round((dueAt - clock.now()) / 1000),
      lock:
        row.locked_by_id === null || row.lock_expires_at === null
          ? null
          : {
              staff_id: row.locked_by_id,
              by: row.locked_by ?? '',
              expires_at: row.lock_expires_at.toISOString(),
              mine: row.locked_by_id === member.id,
            },
    };
  }

  async function ranked(member: StaffMember): Promise<QueueItemView[]> {
    const rows = await repository.openItems(database, now(), queueSize);
    const items = rows.map((row) => ({
      row,
      dueAt: row.due_at.getTime(),
      score: row.score,
      amount: Number(row.amount),
    }));
    return rankQueue(items, clock.now()).map((item) => present(item.row, member));
  }

  /** The item and its decision's time, which the view does not show but a read of that decision is bounded by. */
  async function itemWithDecisionTime(member: StaffMember, itemId: string) {
    const row = await repository.findItem(database, itemId, now());
    if (!row) throw new ApiError(404, 'not_found', 'queue item not found (settled, resolved or unknown)');
    return { item: present(row, member), decisionDecidedAt: row.decision_decided_at };
  }

  async function item(member: StaffMember, itemId: string): Promise<QueueItemView> {
    return (await itemWithDecisionTime(member, itemId)).item;
  }

  const lockedByOther = (holder: repository.LockHolder) =>
    new ApiError(409, 'item_locked', `${holder.staff_name} is working this item`, undefined, {
      locked_by: holder.staff_name,
      expires_at: holder.expires_at.toISOString(),
    });

  /** Locks (or renews the lock on) an item; a lead or admin may take over a colleague's lock, which is audited. */
  async function lock(member: StaffMember, itemId: string, options: { steal: boolean }) {
    if (options.steal && member.role === 'analyst') {
      throw new ApiError(403, 'staff_role_required', 'taking over a colleague’s item needs the lead role');
    }
    await item(member, itemId);
    const at = now();
    const { holder, previous } = await repository.takeLock(database, {
      itemId,
      staffId: member.id,
      staffName: member.name,
      at,
      expiresAt: new Date(at.getTime() + dependencies.lockMinutes * 60_000),
      steal: options.steal,
    });
    if (holder.staff_id !== member.id) throw lockedByOther(holder);
    if (previous && previous.staff_id !== member.id) {
      await recordAudit(database, ids, {
        staffId: member.id,
        actor: member.name,
        action: 'queue.take_over',
        subject: itemId,
        before: { locked_by: previous.staff_name },
        after: { locked_by: member.name },
        at,
      });
    }
    return item(member, itemId);
  }

  async function release(member: StaffMember, itemId: string) {
    await repository.releaseLock(database, itemId, member.id);
  }

  /** The item to work next: the caller's own locked item, else the best-ranked item nobody else holds, now locked. */
  async function next(member: StaffMember): Promise<QueueItemView | null> {
    const items = await ranked(member);
    const candidates = [...items.filter((entry) => entry.lock?.mine), ...items.filter((entry) => !entry.lock)];
    for (const candidate of candidates) {
      try {
        return await lock(member, candidate.id, { steal: false });
      } catch (error) {
        // A colleague took it between the read and the lock (or it was settled): try the next one.
        if (!(error instanceof ApiError && (error.code === 'item_locked' || error.code === 'not_found'))) throw error;
      }
    }
    return null;
  }

  /** Refuses when a colleague holds the item; settling an unlocked item is allowed (it is quick and audited). */
  async function assertWorkable(member: StaffMember, itemId: string) {
    const holder = await repository.lockHolder(database, itemId, now());
    if (holder && holder.staff_id !== member.id) throw lockedByOther(holder);
  }

  async function settleReview(member: StaffMember, itemId: string, verdict: ReviewVerdict, note?: string) {
    await assertWorkable(member, itemId);
    const before = await reviews.get(itemId);
    const after = await reviews[verdict](itemId, { actor: member.name, note });
    await recordAudit(database, ids, {
      staffId: member.id,
      actor: member.name,
      action: `review.${verdict}`,
      subject: itemId,
      before: { status: before.status },
      after: after.resolution,
      at: now(),
    });
    await repository.releaseLock(database, itemId, member.id);
    return after;
  }

  /** Each item on its own: one already settled or held by a colleague does not stop the rest. */
  async function bulk(
    member: StaffMember,
    request: { verdict: ReviewVerdict; ids: readonly string[]; note?: string | undefined },
  ): Promise<z.infer<typeof bulkResultSchema>> {
    const results: z.infer<typeof bulkResultSchema>['results'] = [];
    for (const itemId of new Set(request.ids)) {
      try {
        const settled = await settleReview(member, itemId, request.verdict, request.note);
        results.push({
          id: itemId,
          ok: true,
          status: settled.status,
          order_id: settled.resolution?.order_id ?? null,
          error: null,
        });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        results.push({
          id: itemId,
          ok: false,
          status: null,
          order_id: null,
          error: { code: error.code, message: error.message },
        });
      }
    }
    return { results };
  }

  return { ranked, item, itemWithDecisionTime, lock, release, next, assertWorkable, settleReview, bulk };
}

export type WorkQueue = ReturnType<typeof makeWorkQueue>;
