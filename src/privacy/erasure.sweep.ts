// The erasure step for free-form copies: messages, stored replies, audit trails and counters that quote a person.
import type { SqlExecutor } from '../storage/database.ts';
import type { ErasureStep } from './erasure.step.ts';
import type { ErasureSubject } from './erasure.subject.ts';

export const erasedMark = '[erased]';

/**
 * Columns that hold copies of what someone typed or was sent, with no account to find them by. `delete`: the row is
 * only about the person (a message to them, a stored reply, a counter keyed by their address); `redact`: the row is
 * someone else's record (staff audit, an alert) and stays with the person's values replaced.
 */
const freeFormColumns = [
  { table: 'outbox', column: 'recipient', type: 'text', action: 'delete' },
  { table: 'outbox', column: 'payload', type: 'jsonb', action: 'redact' },
  { table: 'idempotency_keys', column: 'response', type: 'jsonb', action: 'delete' },
  { table: 'rate_limit_counters', column: 'key', type: 'text', action: 'delete' },
  { table: 'webhook_deliveries', column: 'error', type: 'text', action: 'redact' },
  { table: 'staff_audit', column: 'subject', type: 'text', action: 'redact' },
  { table: 'staff_audit', column: 'before', type: 'jsonb', action: 'redact' },
  { table: 'staff_audit', column: 'after', type: 'jsonb', action: 'redact' },
  { table: 'staff_approvals', column: 'subject', type: 'text', action: 'redact' },
  { table: 'staff_approvals', column: 'payload', type: 'jsonb', action: 'redact' },
  { table: 'protection_alerts', column: 'message', type: 'text', action: 'redact' },
  { table: 'protection_alerts', column: 'subject_id', type: 'text', action: 'redact' },
  { table: 'protection_flags', column: 'reason', type: 'text', action: 'redact' },
  { table: 'list_entries', column: 'reason', type: 'text', action: 'redact' },
] as const;

const likeEscaped = (value: string) => `%${value.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
const regexEscaped = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The values that make a row the subject's: identifiers only a few people share (and the account ids). */
function identifyingValues(subject: ErasureSubject): string[] {
  const { emails, phones, ibans, names } = subject.values;
  return [...emails, ...phones, ...ibans, ...names, ...subject.accountIds].filter((value) => value.length >= 4);
}

/** Everything replaced inside a row that was found: the identifiers plus date of birth, street, device. */
function replacedValues(subject: ErasureSubject): string[] {
  const { datesOfBirth, devices, addresses } = subject.values;
  const streets = addresses.flatMap((address) => [`${address.street} ${address.house_number}`, address.street]);
  return [...identifyingValues(subject), ...datesOfBirth, ...devices, ...streets]
    .filter((value) => value.length >= 3)
    .sort((left, right) => right.length - left.length);
}

/** Replaces each value (in the text's own escaping: JSON text quotes a value as JSON does) with the erased mark. */
export function redactText(text: string, values: readonly string[], json: boolean): string {
  let result = text;
  for (const value of values) {
    const written = json ? JSON.stringify(value).slice(1, -1) : value;
    result = result.replace(new RegExp(regexEscaped(written), 'gi'), erasedMark);
  }
  return result;
}

export const sweepFreeFormCopies: ErasureStep = {
  name: 'sweep_free_form_copies',
  async run(tx: SqlExecutor, erasure) {
    const identifying = identifyingValues(erasure.subject);
    if (identifying.length === 0) return { erased: 0 };
    const patterns = identifying.map(likeEscaped);
    const replaced = replacedValues(erasure.subject);
    let erased = 0;
    for (const { table, column, type, action } of freeFormColumns) {
      const rows = await tx.query<{ row: string; text: string }>(
        `SELECT ctid::text AS row, "${column}"::text AS text FROM ${table}
         WHERE "${column}"::text ILIKE ANY($1::text[]) FOR UPDATE`,
        [patterns],
      );
      for (const row of rows) {
        if (action === 'delete') await tx.query(`DELETE FROM ${table} WHERE ctid = $1::tid`, [row.row]);
        else
          await tx.query(`UPDATE ${table} SET "${column}" = $2::${type} WHERE ctid = $1::tid`, [
            row.row,
            redactText(row.text, replaced, type === 'jsonb'),
          ]);
      }
      erased += rows.length;
    }
    return { erased };
  },
};
