// Erasure requests: accepted durably, worked through the ordered steps by whichever node locks them first.
import type { PrivacyConfig } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { latestFinishedErasure, legalBases, type ErasureStep, type KeptRecords } from './erasure.step.ts';
import { resolveSubject, type ErasureIdentifiers, type SealedReader } from './erasure.subject.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import { alertOverdueErasures, overdueMessage, raiseErasureAlert } from './erasure.alerts.ts';
import { erased as erasedValue } from './subject-store.ts';

const hour = 3_600_000;
/** The goal is one hour; the limit, after which the request counts as late, is a day. */
const goalMilliseconds = hour;
const limitMilliseconds = 24 * hour;
/** A failed request waits 1, 2, 4 … minutes before the next attempt, at most an hour: retried until it succeeds. */
const retryDelayMilliseconds = (attempts: number) => Math.min(2 ** Math.max(0, attempts - 1) * 60_000, hour);

/** A step's failure, named by the step (what the desk's alert says; its message may hold anything). */
export class ErasureStepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ErasureStepError';
  }
}

interface RequestRow {
  id: string;
  source: 'portal' | 'admin';
  account_id: string | null;
  identifiers: ErasureIdentifiers | null;
  reference: string | null;
  status: 'pending' | 'done' | 'failed';
  requested_at: Date;
  due_at: Date;
  limit_at: Date;
  attempts: number;
  last_error: string | null;
  finished_at: Date | null;
  result: ErasureResult | null;
}

export interface ErasureResult {
  readonly erased: ReadonlyArray<{ store: string; count: number }>;
  readonly kept: ReadonlyArray<{ kind: string; count: number; legal_basis: string; keep_until: string }>;
}

export interface ErasureServiceDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly privacy: PrivacyConfig;
  readonly pseudonyms: Pseudonyms;
  /** Opens a session's sealed input (the encrypted store), so its values are found and swept before the key goes. */
  readonly openInput?: SealedReader['openInput'];
  readonly steps: readonly ErasureStep[];
  /** After a commit: drop the erased person from in-memory state and caches (the online risk state). */
  readonly afterErasure: () => Promise<void>;
}

const columns = `id, source, account_id, identifiers, reference, status, requested_at, due_at, limit_at, attempts,
  last_error, finished_at, result`;

/** The answer: what happens when, and once done what was erased and what was kept, why and until when. */
export function presentRequest(row: RequestRow) {
  return {
    id: row.id,
    status: row.status,
    requested_at: row.requested_at.toISOString(),
    due_at: row.due_at.toISOString(),
    limit_at: row.limit_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    erased: row.result?.erased ?? [],
    kept: row.result?.kept ?? [],
  };
}
export type ErasureRequestView = ReturnType<typeof presentRequest>;

export function makeErasureService(dependencies: ErasureServiceDependencies) {
  const { database, clock, ids, privacy, pseudonyms, steps, afterErasure } = dependencies;

  async function insert(source: 'portal' | 'admin', identifiers: ErasureIdentifiers, reference: string | null) {
    const now = clock.now();
    const [row] = await database.query<RequestRow>(
      `INSERT INTO erasure_requests (id, source, account_id, identifiers, reference, status, requested_at, due_at, limit_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8) ON CONFLICT (reference) DO NOTHING RETURNING ${columns}`,
      [
        ids.next('era'),
        source,
        identifiers.accountId ?? null,
        identifiers,
        reference,
        new Date(now),
        new Date(now + goalMilliseconds),
        new Date(now + limitMilliseconds),
      ],
    );
    return row;
  }

  async function find(sql: string, value: string): Promise<RequestRow | undefined> {
    const [row] = await database.query<RequestRow>(`SELECT ${columns} FROM erasure_requests WHERE ${sql}`, [value]);
    return row;
  }

  /** Works one request in one transaction: a crash before the commit leaves it pending for the next worker. */
  async function erase(row: RequestRow, tx: Parameters<Parameters<Database['transaction']>[0]>[0]) {
    const now = new Date(clock.now());
    const subject = await resolveSubject(
      tx,
      row.identifiers ?? { accountId: row.account_id ?? undefined },
      // Accounts and channels are found by pseudonym whether or not sealed values can be opened here.
      { pseudonyms, openInput: dependencies.openInput ?? (() => erasedValue) },
    );
    const erasure = { requestId: row.id, subject, now, ids, privacy, pseudonyms };
    const erased: Array<{ store: string; count: number }> = [];
    const kept: KeptRecords[] = [];
    for (const step of steps) {
      const outcome = await step.run(tx, erasure).catch((error: unknown) => {
        throw new ErasureStepError(step.name, error);
      });
      if (outcome.erased > 0) erased.push({ store: step.name, count: outcome.erased });
      kept.push(...(outcome.kept ?? []));
    }
    const result: ErasureResult = {
      erased,
      kept: kept.map((record) => ({
        kind: record.kind,
        count: record.count,
        legal_basis: legalBases[record.kind],
        keep_until: record.keepUntil.toISOString(),
      })),
    };
    // The identifiers go with the rest: the finished request holds counts and legal bases only.
    await tx.query(
      `UPDATE erasure_requests SET status = 'done', identifiers = NULL, account_id = NULL, finished_at = $2, result = $3,
         finished_seq = nextval('erasure_finished_seq'), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
      [row.id, now, result],
    );
    // Finished, but late: the desk hears of it (once), as of a request still pending past its limit.
    if (now.getTime() > row.limit_at.getTime())
      await raiseErasureAlert(tx, ids, {
        kind: 'erasure_overdue',
        requestId: row.id,
        message: overdueMessage(row.id, row.limit_at),
        at: now,
      });
  }

  /**
   * Rolled back: the request stays pending and is tried again after a pause; the first failure alerts the desk (the
   * step that failed, not the error's text, which might quote a value).
   */
  async function recordFailure(row: RequestRow, error: unknown) {
    const now = new Date(clock.now());
    const attempts = row.attempts + 1;
    const next = new Date(now.getTime() + retryDelayMilliseconds(attempts));
    const step = error instanceof ErasureStepError ? `step ${error.step}` : 'finding who it is about';
    await database.transaction(async (tx) => {
      await tx.query(`UPDATE erasure_requests SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`, [
        row.id,
        attempts,
        String(error).slice(0, 500),
        next,
      ]);
      await raiseErasureAlert(tx, ids, {
        kind: 'erasure_failed',
        requestId: row.id,
        message: `erasure request ${row.id} failed at ${step} (attempt ${attempts}); it is retried from ${next.toISOString()}, due ${row.due_at.toISOString()}, limit ${row.limit_at.toISOString()}`,
        at: now,
      });
    });
  }

  /**
   * Takes the oldest pending request no other node holds and that is not waiting for its retry; false when there is
   * none. A request that failed is recorded (retry time, alert) and answered as `{ failure }`; an error before any
   * request was claimed (the database is down) is thrown.
   */
  async function workOne(onlyId?: string): Promise<boolean | { failure: unknown }> {
    let claimed: RequestRow | undefined;
    try {
      const worked = await database.transaction(async (tx) => {
        const [row] = await tx.query<RequestRow>(
          `SELECT ${columns} FROM erasure_requests WHERE status = 'pending' AND ($1::text IS NULL OR id = $1)
             AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
           ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [onlyId ?? null, new Date(clock.now())],
        );
        if (row === undefined) return false;
        claimed = row;
        await erase(row, tx);
        return true;
      });
      return worked;
    } catch (error) {
      if (claimed === undefined) throw error;
      await recordFailure(claimed, error);
      return { failure: error };
    }
  }

  return {
    /** Portal: the signed-in person, after a fresh proof; a second request while one is pending returns that one. */
    async requestForAccount(accountId: string, sessionId: string): Promise<ErasureRequestView> {
      const since = new Date(clock.now() - privacy.erasureFreshProofMinutes * 60_000);
      const [fresh] = await database.query(
        `SELECT 1 FROM consumer_sessions WHERE id = $1 AND created_at >= $2
         UNION ALL SELECT 1 FROM verifications WHERE account_id = $3 AND verified_at >= $2 LIMIT 1`,
        [sessionId, since, accountId],
      );
      if (fresh === undefined)
        throw new ApiError(
          403,
          'fresh_proof_required',
          `sign in again (or verify) within ${privacy.erasureFreshProofMinutes} minutes before asking for erasure`,
        );
      const pending = await find(`account_id = $1 AND status = 'pending'`, accountId);
      const row = pending ?? (await insert('portal', { accountId }, null))!;
      return presentRequest(row);
    },
    /** Admin (a request by letter or e-mail): idempotent by the mailbox reference. */
    async requestByIdentifiers(
      reference: string,
      identifiers: ErasureIdentifiers,
    ): Promise<{ created: boolean; request: ErasureRequestView }> {
      const inserted = await insert('admin', identifiers, reference);
      if (inserted !== undefined) return { created: true, request: presentRequest(inserted) };
      const existing = await find('reference = $1', reference);
      if (existing === undefined) throw notFound('erasure request');
      return { created: false, request: presentRequest(existing) };
    },
    async get(id: string): Promise<ErasureRequestView> {
      const row = await find('id = $1', id);
      if (row === undefined) throw notFound('erasure request');
      return presentRequest(row);
    },
    /** Works this request now if no other node has it; the answer is then final. Failures leave it to the worker. */
    async workNow(id: string): Promise<ErasureRequestView> {
      if ((await workOne(id).catch(() => false)) === true) await afterErasure();
      const row = await find('id = $1', id);
      if (row === undefined) throw notFound('erasure request');
      return presentRequest(row);
    },
    /** The worker's round: every pending request, oldest first; returns how many were finished. */
    async workPending(): Promise<number> {
      let finished = 0;
      let firstFailure: unknown;
      try {
        // A failed request waits for its retry time, so the next call takes the next one: one failure holds no one up.
        for (;;) {
          const worked = await workOne();
          if (worked === false) break;
          if (worked === true) finished += 1;
          else firstFailure ??= worked.failure;
        }
      } finally {
        // One purge of the in-memory state for the whole round, also when a request failed.
        if (finished > 0) await afterErasure();
      }
      if (firstFailure !== undefined) throw firstFailure;
      return finished;
    },
    /** The scheduler's check: requests still pending past their 24-hour limit alert the desk, once each. */
    alertOverdue: () => database.transaction((tx) => alertOverdueErasures(tx, ids, new Date(clock.now()))),
    /** The number of the latest finished erasure, any node's (latestFinishedErasure). */
    latestFinished: (): Promise<number> => latestFinishedErasure(database),
  };
}

export type ErasureService = ReturnType<typeof makeErasureService>;
