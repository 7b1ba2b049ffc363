// The staff audit trail: who did what to which subject, when, with the state before and after. Append-only.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';

export interface AuditEntry {
  readonly staffId: string | null;
  /** The staff member's name, or `admin-key` for machine calls. */
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly at: Date;
}

export async function recordAudit(db: SqlExecutor, ids: Ids, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO staff_audit (id, staff_id, actor, action, subject, before, after, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      ids.next('aud'),
      entry.staffId,
      entry.actor,
      entry.action,
      entry.subject,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.at,
    ],
  );
}

/** What staff route handlers call: the member's action on a subject, stamped with the clock's now. */
export function makeStaffAudit(dependencies: { database: SqlExecutor; ids: Ids; clock: Clock }) {
  return (member: { id: string; name: string }, action: string, subject: string, before: unknown, after: unknown) =>
    recordAudit(dependencies.database, dependencies.ids, {
      staffId: member.id,
      actor: member.name,
      action,
      subject,
      before,
      after,
      at: new Date(dependencies.clock.now()),
    });
}

export async function listAudit(
  db: SqlExecutor,
  options: { subject: string | undefined; after: number | undefined; limit: number },
) {
  const rows = await db.query<{
    seq: string | number;
    id: string;
    staff_id: string | null;
    actor: string;
    action: string;
    subject: string;
    before: unknown;
    after: unknown;
    at: Date;
  }>(
    `SELECT seq, id, staff_id, actor, action, subject, before, after, at FROM staff_audit
     WHERE ($1::text IS NULL OR subject = $1) AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`,
    [options.subject ?? null, options.after ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const hasMore = rows.length > options.limit;
  return {
    data: page.map(({ seq: _seq, at, ...rest }) => ({ ...rest, at: at.toISOString() })),
    next_cursor: hasMore ? String(page.at(-1)!.seq) : null,
    has_more: hasMore,
  };
}
