// Case use cases for the ops console: list with filters, read with evidence and audit trail, assign, comment, resolve.
import type { z } from 'zod';
import type { caseDetailSchema } from './cases.routes.ts';
import { keysetSql, toPage } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { RiskEngine } from '../risk/engine.ts';
import * as repository from './protection.repository.ts';
import type { CaseResolution, CaseRow } from './protection.repository.ts';
import { presentSla } from './case.sla.ts';
import { resolveCase } from './case.resolution.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import { openCaseEvidence } from './case.evidence.ts';

export interface CaseFilter {
  readonly status?: 'open' | 'resolved' | undefined;
  readonly kind?: 'claim' | 'review_request' | undefined;
  readonly assignee?: string | undefined;
  readonly breached?: boolean | undefined;
  readonly limit: number;
  readonly after: readonly [number] | null;
}

export function makeCasesService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  /** Opens the evidence's sealed values (the order's input, the linked accounts) when a case is read or resolved. */
  personalData: PersonalData;
}) {
  const { database, clock, ids, engine } = dependencies;

  const summary = (row: CaseRow & { claim_kind?: string | null }, now: number) => ({
    id: row.id,
    kind: row.kind,
    claim_kind: row.claim_kind ?? null,
    status: row.status,
    order_id: row.order_id,
    account_id: row.account_id,
    assignee: row.assignee,
    resolution: row.resolution,
    opened_at: row.opened_at.toISOString(),
    resolved_at: row.resolved_at?.toISOString() ?? null,
    sla: presentSla(row, now),
  });

  async function list(filter: CaseFilter) {
    const now = clock.now();
    const keyset = keysetSql({ columns: ['c.seq'], direction: 'asc' }, filter, 6);
    const rows = await database.query<CaseRow & { claim_kind: string | null }>(
      `SELECT c.*, cl.kind AS claim_kind FROM cases c LEFT JOIN claims cl ON cl.id = c.claim_id
       WHERE ($1::text IS NULL OR c.status = $1) AND ($2::text IS NULL OR c.kind = $2)
         AND ($3::text IS NULL OR c.assignee = $3)
         AND ($4::boolean IS NULL OR $4 = (CASE WHEN c.first_responded_at IS NULL THEN $5 > c.first_response_due_at
                                              ELSE c.first_responded_at > c.first_response_due_at END))
         AND ${keyset.where} ${keyset.orderBy}`,
      [
        filter.status ?? null,
        filter.kind ?? null,
        filter.assignee ?? null,
        filter.breached ?? null,
        new Date(now),
        ...keyset.params,
      ],
    );
    return toPage(
      rows,
      filter.limit,
      (row) => [Number(row.seq)],
      (row) => summary(row, now),
    );
  }

  async function get(caseId: string): Promise<z.infer<typeof caseDetailSchema>> {
    const row = await repository.findCase(database, caseId);
    if (!row) throw notFound('case');
    const [claim] = row.claim_id
      ? await database.query<repository.ClaimRow>('SELECT * FROM claims WHERE id = $1', [row.claim_id])
      : [];
    const [invoice] = row.order_id
      ? await database.query<{ id: string; status: string; due_at: Date }>(
          'SELECT id, status, due_at FROM invoices WHERE order_id = $1',
          [row.order_id],
        )
      : [];
    const events = await repository.listCaseEvents(database, row.id);
    return {
      ...summary({ ...row, claim_kind: claim?.kind ?? null }, clock.now()),
      claim: claim
        ? { id: claim.id, kind: claim.kind, source: claim.source, message: claim.message, status: claim.status }
        : null,
      invoice: invoice ? { id: invoice.id, status: invoice.status, due_at: invoice.due_at.toISOString() } : null,
      resolution_note: row.resolution_note,
      evidence: await openCaseEvidence(database, dependencies.personalData, row.evidence),
      audit: events.map((event) => ({
        actor: event.actor,
        action: event.action,
        details: event.details,
        at: event.at.toISOString(),
      })),
    };
  }

  /** Runs one analyst action on an open case under its row lock, and records it in the audit trail. */
  async function act(
    caseId: string,
    actor: string,
    action: string,
    details: Record<string, unknown>,
    change: (tx: SqlExecutor, row: CaseRow, at: Date) => Promise<void>,
  ) {
    const at = new Date(clock.now());
    await database.transaction(async (tx) => {
      const row = await repository.findCase(tx, caseId, { forUpdate: true });
      if (!row) throw notFound('case');
      if (row.status !== 'open') throw new ApiError(409, 'case_resolved', 'this case is already resolved');
      await change(tx, row, at);
      // Any analyst action is the first response that stops the SLA clock.
      await tx.query('UPDATE cases SET first_responded_at = COALESCE(first_responded_at, $2) WHERE id = $1', [
        caseId,
        at,
      ]);
      await repository.insertCaseEvent(tx, { id: ids.next('aud'), case_id: caseId, actor, action, details, at });
    });
    return get(caseId);
  }

  const assign = (caseId: string, input: { assignee: string; actor: string }) =>
    act(caseId, input.actor, 'assigned', { assignee: input.assignee }, async (tx) => {
      await tx.query('UPDATE cases SET assignee = $2 WHERE id = $1', [caseId, input.assignee]);
    });

  const comment = (caseId: string, input: { text: string; actor: string }) =>
    act(caseId, input.actor, 'commented', { text: input.text }, async () => {});

  async function resolve(caseId: string, input: { outcome: CaseResolution; note: string; actor: string }) {
    const at = new Date(clock.now());
    const events = await database.transaction(async (tx) => {
      const row = await repository.findCase(tx, caseId, { forUpdate: true });
      if (!row) throw notFound('case');
      if (row.status !== 'open') throw new ApiError(409, 'case_resolved', 'this case is already resolved');
      return resolveCase(tx, ids, dependencies.personalData, row, { ...input, at });
    });
    // Labels reach the online state only once committed.
    for (const event of events) await engine.record(event);
    return get(caseId);
  }

  /** SLA-breach alerts, newest first, one keyset page. */
  async function alerts(page: { limit: number; after: readonly [number] | null }) {
    const keyset = keysetSql({ columns: ['seq'], direction: 'desc' }, page, 1);
    const rows = await database.query<{
      seq: number;
      id: string;
      kind: string;
      subject_id: string;
      message: string;
      created_at: Date;
    }>(
      `SELECT seq, id, kind, subject_id, message, created_at FROM protection_alerts WHERE ${keyset.where} ${keyset.orderBy}`,
      keyset.params,
    );
    return toPage(
      rows,
      page.limit,
      (row) => [Number(row.seq)],
      ({ seq: _seq, ...row }) => ({ ...row, created_at: row.created_at.toISOString() }),
    );
  }

  return { list, get, assign, comment, resolve, alerts };
}

export type CasesService = ReturnType<typeof makeCasesService>;
