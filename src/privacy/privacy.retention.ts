// Retention of personal data past its period: abandoned checkouts, expired challenges, decision inputs, restricted
// records, messages sent.
import type { PrivacyConfig } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { daysAfter } from './erasure.step.ts';
import { purgeDueRestrictedRecords } from './restricted.storage.ts';

const batchSize = 500;
/** Messages are small rows deleted by one statement each batch: more of them at once. */
const messageBatchSize = 5_000;

/**
 * Checkout sessions that never became an order, with what hangs from them (decisions, challenges, proofs). Sessions
 * other records still point to (a bank-subject conflict, a case) stay: those records are evidence. Each batch is one
 * transaction whose rows are locked with SKIP LOCKED, so two nodes never delete the same session.
 */
async function purgeAbandonedSessions(database: Database, before: Date): Promise<number> {
  return database.transaction(async (tx) => {
    const sessions = (
      await tx.query<{ id: string }>(
        `SELECT s.id FROM sessions s WHERE s.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM bank_subject_conflicts b WHERE b.session_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM cases c JOIN decisions d ON d.id = c.decision_id WHERE d.session_id = s.id)
         LIMIT ${batchSize} FOR UPDATE OF s SKIP LOCKED`,
        [before],
      )
    ).map((row) => row.id);
    if (sessions.length === 0) return 0;
    const decisions = `SELECT id FROM decisions WHERE session_id = ANY($1)`;
    const challenges = `SELECT id FROM challenges WHERE session_id = ANY($1)`;
    await tx.query(`DELETE FROM model_shadow_scores WHERE decision_id IN (${decisions})`, [sessions]);
    await tx.query(`DELETE FROM ruleset_shadow_outcomes WHERE decision_id IN (${decisions})`, [sessions]);
    await deleteChallengeChildren(tx, challenges, [sessions]);
    await tx.query(`UPDATE verifications SET session_id = NULL WHERE session_id = ANY($1)`, [sessions]);
    await tx.query(`DELETE FROM challenges WHERE session_id = ANY($1)`, [sessions]);
    await tx.query(`DELETE FROM review_items WHERE session_id = ANY($1) OR resolution_decision_id IN (${decisions})`, [
      sessions,
    ]);
    await tx.query(`DELETE FROM decisions WHERE session_id = ANY($1)`, [sessions]);
    await tx.query(`DELETE FROM sessions WHERE id = ANY($1)`, [sessions]);
    return sessions.length;
  });
}

/** What points at a challenge: proof attempts and reports go with it; a verification keeps the fact, not the link. */
async function deleteChallengeChildren(tx: SqlExecutor, challenges: string, params: unknown[]): Promise<void> {
  const values = params as never[];
  await tx.query(`DELETE FROM proof_attempts WHERE challenge_id IN (${challenges})`, values);
  await tx.query(`DELETE FROM challenge_reports WHERE challenge_id IN (${challenges})`, values);
  await tx.query(`UPDATE verifications SET challenge_id = NULL WHERE challenge_id IN (${challenges})`, values);
}

/** Challenges past their expiry by the period (their one-time code hashes and proof details with them). */
async function purgeExpiredChallenges(database: Database, before: Date): Promise<number> {
  return database.transaction(async (tx) => {
    const ids = (
      await tx.query<{ id: string }>(
        `SELECT id FROM challenges WHERE expires_at < $1 LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`,
        [before],
      )
    ).map((row) => row.id);
    if (ids.length === 0) return 0;
    await deleteChallengeChildren(tx, 'SELECT unnest($1::text[])', [ids]);
    await tx.query('DELETE FROM challenges WHERE id = ANY($1)', [ids]);
    return ids.length;
  });
}

/** A decision keeps its outcome, reasons, features and score; the typed-in identity it was made on goes. */
async function purgeDecisionInputs(database: Database, before: Date): Promise<number> {
  const rows = await database.query(
    // A plain input (from before sealing) loses the typed identity; a person-free copy its pseudonyms and subject.
    `UPDATE decisions SET input = (input - 'customer' - 'billing_address' - 'shipping_address' - 'device'
        - 'merchant_account' - 'pseudonyms' - 'subject_id') || '{"personal_data_removed": true}'::jsonb
     WHERE id IN (SELECT id FROM decisions WHERE decided_at < $1
                    AND (input->'customer' IS NOT NULL OR input->'pseudonyms' IS NOT NULL)
                  LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
     RETURNING 1`,
    [before],
  );
  return rows.length;
}

/**
 * Messages that ended (delivered, or failed after their last attempt) by the period: a notice, a code (already
 * scrubbed once delivered), a webhook's payload, each with its recipient. Pending and held messages stay whatever
 * their age. A statement of its own per batch (no transaction), by the index outbox_finished (migration 102).
 */
export async function purgeFinishedMessages(database: Database, before: Date): Promise<number> {
  const rows = await database.query(
    // By the row versions just locked (a TID scan): `id IN (...)` was planned as a join that read the whole outbox.
    `DELETE FROM outbox WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM outbox WHERE status IN ('delivered', 'failed') AND coalesce(delivered_at, next_attempt_at) < $1
       LIMIT ${messageBatchSize} FOR UPDATE SKIP LOCKED))
     RETURNING 1`,
    [before],
  );
  return rows.length;
}

async function untilDone(purge: () => Promise<number>, size = batchSize): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await purge();
    total += count;
    if (count < size) return total;
  }
}

export async function purgePrivacyExpired(
  database: Database,
  now: Date,
  privacy: PrivacyConfig,
): Promise<Record<string, number>> {
  const ago = (days: number) => daysAfter(now, -days);
  return {
    abandoned_sessions: await untilDone(() =>
      purgeAbandonedSessions(database, ago(privacy.abandonedSessionRetentionDays)),
    ),
    expired_challenges: await untilDone(() =>
      purgeExpiredChallenges(database, ago(privacy.expiredChallengeRetentionDays)),
    ),
    decision_inputs: await untilDone(() => purgeDecisionInputs(database, ago(privacy.decisionInputRetentionDays))),
    restricted_records: await untilDone(() => purgeDueRestrictedRecords(database, now)),
    sent_messages: await untilDone(
      () => purgeFinishedMessages(database, ago(privacy.sentMessageRetentionDays)),
      messageBatchSize,
    ),
  };
}

export function makePrivacyRetentionTask(dependencies: { database: Database; clock: Clock; privacy: PrivacyConfig }) {
  return {
    name: 'privacy_retention',
    async run(): Promise<number> {
      const counts = await purgePrivacyExpired(
        dependencies.database,
        new Date(dependencies.clock.now()),
        dependencies.privacy,
      );
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
  };
}
