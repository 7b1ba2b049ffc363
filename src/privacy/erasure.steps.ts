// The ordered erasure steps against today's tables: keep what the law requires, pseudonymise signals, delete the rest.
import { normaliseAddress } from '../risk/normalise/address.normaliser.ts';
import { normaliseListValue, type ListKind } from '../risk/policy/list.view.ts';
import type { SqlValue } from '../storage/database.ts';
import type { ErasureStep } from './erasure.step.ts';
import type { ErasureSubject } from './erasure.subject.ts';
import { sweepFreeFormCopies } from './erasure.sweep.ts';
import { publishingLock } from '../risk/state/state-snapshot.shared.ts';
import type { PseudonymKind } from './pseudonyms.ts';
import { restrictFraudIncidents, restrictInvoices } from './restricted.storage.ts';
import { makeSubjectKeys } from './subject-keys.ts';

/** A plain delete of the subject's rows in one table; children come before parents (foreign keys). */
function deleteRows(table: string, where: string, params: (subject: ErasureSubject) => SqlValue[]): ErasureStep {
  return {
    name: `delete_${table}`,
    async run(tx, erasure) {
      const rows = await tx.query(`DELETE FROM ${table} WHERE ${where} RETURNING 1`, params(erasure.subject));
      return { erased: rows.length };
    },
  };
}

/** The normalised values a list or flag may hold for the subject, per kind. */
function listValuesOf(subject: ErasureSubject): Array<[ListKind, string]> {
  const values: Array<[ListKind, string]> = [];
  const add = (kind: ListKind, raw: string) => {
    const value = normaliseListValue(kind, raw);
    if (value !== null) values.push([kind, value]);
  };
  for (const email of subject.values.emails) add('email', email);
  for (const phone of subject.values.phones) add('phone', phone);
  for (const device of subject.values.devices) add('device', device);
  for (const iban of subject.values.ibans) add('iban', iban);
  for (const address of subject.values.addresses) values.push(['address', normaliseAddress(address).key]);
  return values;
}

/**
 * Block/allow entries and protection flags about the subject keep working after the erasure: their value becomes its
 * pseudonym, which the lists also look up (a returning fraudster is still recognised; the value itself is gone).
 */
const pseudonymiseSignals: ErasureStep = {
  name: 'pseudonymise_fraud_signals',
  async run(tx, erasure) {
    let erased = 0;
    for (const [kind, value] of listValuesOf(erasure.subject)) {
      const pseudonym = erasure.pseudonyms.of(kind as PseudonymKind, value);
      const listed = await tx.query(
        `UPDATE list_entries SET value = $3 WHERE kind = $1 AND value = $2
           AND NOT EXISTS (SELECT 1 FROM list_entries same WHERE same.kind = $1 AND same.value = $3
                             AND same.list = list_entries.list AND same.removed_at IS NULL)
         RETURNING 1`,
        [kind, value, pseudonym],
      );
      const flagged = await tx.query(
        `UPDATE protection_flags SET entity_value = $3 WHERE entity_kind = $1 AND entity_value = $2 RETURNING 1`,
        [kind, value, pseudonym],
      );
      erased += listed.length + flagged.length;
    }
    // A listed value that already had a pseudonymous twin: the plain one goes (the twin keeps blocking).
    const values = listValuesOf(erasure.subject);
    const removed = await tx.query(
      `DELETE FROM list_entries WHERE (kind, value) IN (SELECT * FROM unnest($1::text[], $2::text[])) RETURNING 1`,
      [values.map(([kind]) => kind), values.map(([, value]) => value)],
    );
    const detached = await tx.query(
      'UPDATE protection_flags SET case_id = NULL, account_id = NULL WHERE case_id = ANY($1) OR account_id = ANY($2) RETURNING 1',
      [erasure.subject.caseIds, erasure.subject.accountIds],
    );
    return { erased: erased + removed.length + detached.length };
  },
};

const orders = (subject: ErasureSubject) => [subject.orderIds];
const accounts = (subject: ErasureSubject) => [subject.accountIds];

/** In order: restricted copies first, then signals, then rows from the leaves of the foreign keys to the accounts. */
/** The encrypted store: each subject's data key is shredded, so whatever is sealed under it is unreadable anywhere. */
const shredSubjectKeys: ErasureStep = {
  name: 'shred_subject_keys',
  async run(tx, erasure) {
    const keys = makeSubjectKeys(tx, () => erasure.now);
    let shredded = 0;
    for (const subjectId of erasure.subject.subjectIds) if (await keys.shred(subjectId)) shredded += 1;
    return { erased: shredded };
  },
};

/**
 * The online state's snapshots shared through the database (migration 199) hold the state's keys of everyone in them,
 * this person's too: all go with the erasure. Each process rebuilds its state without the person, and the next
 * snapshot published is written from such a state.
 */
const deleteSharedStateSnapshots: ErasureStep = {
  name: 'delete_shared_state_snapshots',
  async run(tx) {
    // The lock a publish holds: one publishing now commits first and goes here, or sees this erasure and gives up.
    await tx.query(`SELECT pg_advisory_xact_lock(${publishingLock})`);
    const rows = await tx.query('DELETE FROM state_snapshots RETURNING 1');
    return { erased: rows.length };
  },
};

export const erasureSteps: readonly ErasureStep[] = [
  restrictInvoices,
  restrictFraudIncidents,
  pseudonymiseSignals,
  // Free-form copies are found by the ids and values gathered above, so this runs before those rows go.
  sweepFreeFormCopies,
  deleteRows('carrier_events', 'shipment_id IN (SELECT id FROM shipments WHERE order_id = ANY($1))', orders),
  deleteRows('shipments', 'order_id = ANY($1)', orders),
  deleteRows('order_captures', 'order_id = ANY($1)', orders),
  deleteRows('order_refunds', 'order_id = ANY($1)', orders),
  deleteRows('order_events', 'order_id = ANY($1)', orders),
  deleteRows('payout_entries', 'order_id = ANY($1)', orders),
  deleteRows('invoice_schedule_steps', 'invoice_id = ANY($1)', (subject) => [subject.invoiceIds]),
  deleteRows('invoice_payments', 'invoice_id = ANY($1)', (subject) => [subject.invoiceIds]),
  deleteRows('payments', 'invoice_id = ANY($1)', (subject) => [subject.invoiceIds]),
  deleteRows('invoices', 'id = ANY($1)', (subject) => [subject.invoiceIds]),
  deleteRows('desk_contacts', 'account_id = ANY($1) OR order_id = ANY($2)', (subject) => [
    subject.accountIds,
    subject.orderIds,
  ]),
  deleteRows('labels', 'order_id = ANY($1)', orders),
  deleteRows('order_notices', 'order_id = ANY($1) OR account_id = ANY($2)', (subject) => [
    subject.orderIds,
    subject.accountIds,
  ]),
  deleteRows('identity_letters', 'order_id = ANY($1) OR account_id = ANY($2)', (subject) => [
    subject.orderIds,
    subject.accountIds,
  ]),
  deleteRows('case_events', 'case_id = ANY($1)', (subject) => [subject.caseIds]),
  deleteRows('cases', 'id = ANY($1)', (subject) => [subject.caseIds]),
  deleteRows('claims', 'id = ANY($1)', (subject) => [subject.claimIds]),
  // A shadow ruleset's would-be outcome refers to the decision it judged: it goes first.
  deleteRows('ruleset_shadow_outcomes', 'decision_id = ANY($1)', (subject) => [subject.decisionIds]),
  deleteRows('model_shadow_scores', 'decision_id = ANY($1)', (subject) => [subject.decisionIds]),
  deleteRows('proof_attempts', 'challenge_id = ANY($1)', (subject) => [subject.challengeIds]),
  deleteRows('challenge_reports', 'challenge_id = ANY($1)', (subject) => [subject.challengeIds]),
  deleteRows('verifications', 'account_id = ANY($1) OR session_id = ANY($2) OR challenge_id = ANY($3)', (subject) => [
    subject.accountIds,
    subject.sessionIds,
    subject.challengeIds,
  ]),
  deleteRows('challenges', 'id = ANY($1)', (subject) => [subject.challengeIds]),
  deleteRows('bank_subject_conflicts', 'account_id = ANY($1) OR session_id = ANY($2)', (subject) => [
    subject.accountIds,
    subject.sessionIds,
  ]),
  deleteRows('account_bank_subjects', 'account_id = ANY($1)', accounts),
  deleteRows('review_items', 'session_id = ANY($1) OR decision_id = ANY($2) OR order_id = ANY($3)', (subject) => [
    subject.sessionIds,
    subject.decisionIds,
    subject.orderIds,
  ]),
  deleteRows('orders', 'id = ANY($1)', orders),
  deleteRows('decisions', 'id = ANY($1)', (subject) => [subject.decisionIds]),
  deleteRows('sessions', 'id = ANY($1)', (subject) => [subject.sessionIds]),
  deleteRows('sign_ins', 'account_id = ANY($1) OR channel_id = ANY($2)', (subject) => [
    subject.accountIds,
    subject.channelIds,
  ]),
  deleteRows('consumer_sessions', 'account_id = ANY($1)', accounts),
  deleteRows('security_reports', 'account_id = ANY($1)', accounts),
  deleteRows('passkeys', 'account_id = ANY($1)', accounts),
  deleteRows('webauthn_ceremonies', 'account_id = ANY($1)', accounts),
  deleteRows('channel_confirmations', 'account_id = ANY($1) OR channel_id = ANY($2)', (subject) => [
    subject.accountIds,
    subject.channelIds,
  ]),
  deleteRows('account_disowned_entities', 'account_id = ANY($1)', accounts),
  deleteRows('channels', 'account_id = ANY($1)', accounts),
  deleteRows('accounts', 'id = ANY($1)', accounts),
  shredSubjectKeys,
  deleteSharedStateSnapshots,
];
