// Imported orders sealed like live ones: the person's input goes once into a session under their subject's key.
import type { SessionInput } from '../checkout/session.schema.ts';
import { isKeptInput, type PersonalData } from '../privacy/personal-data.ts';
import type { OpenSubject } from '../privacy/subject-store.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { ImportedOrderRow } from './import.rows.ts';

/** A session row an imported order refers to, as the batch insert takes it (bytea as hex text). */
export interface ImportedSessionRow {
  readonly id: string;
  readonly status: 'imported';
  readonly input: unknown;
  readonly subject_id: string;
  readonly sealed_input: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/**
 * The claim a subject is found by, as checkout finds it: the typed e-mail's pseudonym. An order without an e-mail
 * gets one of its own account, so people without an e-mail never share one subject (and one erasure).
 */
function claimOf(personalData: PersonalData, order: ImportedOrderRow, input: SessionInput): string {
  const email = input.customer.email;
  return email
    ? personalData.emailPseudonym(email)
    : personalData.pseudonyms.of('email', `import-account:${order.account_id}`);
}

/**
 * Seals each order's input in a new session row and leaves the order only the person-free copy. Subjects already
 * opened in this import come from `known` (one key unwrap per person, not per order); the ones opened here are
 * returned so the caller can remember them once the batch is committed (a rolled-back batch's new subjects are gone).
 */
export async function sealImportedOrders(
  tx: SqlExecutor,
  orders: ImportedOrderRow[],
  dependencies: { personalData: PersonalData; ids: Ids; known: ReadonlyMap<string, OpenSubject> },
): Promise<{ sessions: ImportedSessionRow[]; opened: Map<string, OpenSubject> }> {
  const { personalData, ids, known } = dependencies;
  // Rows come from buildBatchRows, which always sets the whole input; a kept copy here would be a second sealing.
  const inputs = orders.map((order) => {
    if (isKeptInput(order.input)) throw new Error(`order ${order.id} is sealed already`);
    return order.input;
  });
  const claims = orders.map((order, index) => claimOf(personalData, order, inputs[index]!));
  const opened = await personalData.subjects.subjectsFor(
    tx,
    claims.filter((claim) => !known.has(claim)),
  );
  const sessions = orders.map((order, index): ImportedSessionRow => {
    const subject = known.get(claims[index]!) ?? opened.get(claims[index]!)!;
    const input = inputs[index]!;
    const sessionId = ids.next('ses');
    const sealed = personalData.subjects.seal(subject, input);
    order.input = personalData.keep(input, subject.id);
    order.session_id = sessionId;
    return {
      id: sessionId,
      status: 'imported',
      input: order.input,
      subject_id: subject.id,
      sealed_input: `\\x${sealed.toString('hex')}`,
      created_at: order.placed_at,
      updated_at: order.placed_at,
    };
  });
  return { sessions, opened };
}
