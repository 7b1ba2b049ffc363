// History import: accounts and past orders become history exactly as if placed live (accounts, channels,
// orders, invoices, payments, labels), in batches so that 100k orders load in seconds.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';
import type { ImportAccount, ImportOrder, ImportRecord } from './import.schema.ts';
import {
  ImportTooLargeError,
  parseImportEntry,
  splitLines,
  type ImportLine,
  type RejectedLine,
} from './import.parser.ts';
import { buildBatchRows, type BatchRows } from './import.rows.ts';
import { sealImportedOrders, type ImportedSessionRow } from './import.sealing.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import type { OpenSubject } from '../privacy/subject-store.ts';
import {
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountData,
  type ChannelSealedColumns,
} from '../privacy/account-data.ts';
import { sealAccountsNow } from '../privacy/account-data.seal.ts';
import { analyzeChangedTables } from '../storage/table-statistics.ts';

export interface ImportResult {
  imported: number;
  rejected: RejectedLine[];
  /** Set when IMPORT_LIMIT_BYTES stopped the import: lines up to `line` were read, nothing after. */
  stopped?: { reason: 'import_too_large'; line: number; limit_bytes: number };
}

export interface ImportProgress {
  readonly lines: number;
  readonly imported: number;
  readonly rejected: number;
}

export interface ImportDependencies {
  readonly database: Database;
  readonly engine: RiskEngine;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly invoiceDueDays: number;
  /** Seals each order's person under their subject, as checkout does (src/privacy/personal-data.ts). */
  readonly personalData: PersonalData;
  readonly batchSize?: number;
  /** At most this many rejections are listed; the count is always exact. */
  readonly maxListedRejections?: number;
  readonly maxLineBytes?: number;
  /** Pseudonyms and sealing of the accounts and channels an import creates. */
  readonly accounts: AccountData;
}

export function makeImportService(dependencies: ImportDependencies) {
  const { database, engine } = dependencies;
  const batchSize = dependencies.batchSize ?? 2000;
  const maxListed = dependencies.maxListedRejections ?? 1000;

  async function knownExternalIds(tx: SqlExecutor, table: 'accounts' | 'orders', externalIds: string[]) {
    if (externalIds.length === 0) return new Map<string, string>();
    const rows = await tx.query<{ id: string; external_id: string }>(
      `SELECT id, external_id FROM ${table} WHERE external_id = ANY($1::text[])`,
      [externalIds],
    );
    return new Map(rows.map((row) => [row.external_id, row.id]));
  }

  async function writeBatch(
    batch: { line: number; record: ImportRecord }[],
    subjects: Map<string, OpenSubject>,
    written: WrittenRows,
  ): Promise<{ events: HistoryEvent[]; rejected: RejectedLine[]; verifyByHistory: string[] }> {
    const committed = await database.transaction(async (tx) => {
      const accounts = batch.filter(
        (item): item is { line: number; record: ImportAccount } => item.record.type === 'account',
      );
      const orders = batch.filter(
        (item): item is { line: number; record: ImportOrder } => item.record.type === 'order',
      );
      const accountKeys = new Set<string>(accounts.map((item) => item.record.id));
      for (const item of orders) {
        if (item.record.account_id) accountKeys.add(item.record.account_id);
        const email = item.record.customer?.email;
        if (!item.record.account_id && email) accountKeys.add(guestKey(email));
      }
      const knownAccounts = await knownExternalIds(tx, 'accounts', [...accountKeys]);
      const knownOrders = await knownExternalIds(
        tx,
        'orders',
        orders.flatMap((item) => (item.record.id ? [item.record.id] : [])),
      );
      const rows: BatchRows = buildBatchRows(batch, {
        knownAccounts,
        knownOrders,
        ids: dependencies.ids,
        invoiceDueDays: dependencies.invoiceDueDays,
      });
      const sealing = await sealImportedOrders(tx, rows.orders, {
        personalData: dependencies.personalData,
        ids: dependencies.ids,
        known: subjects,
      });
      // Channels are unique per account by the pseudonym of their normalised value; accounts and channels are written
      // as built and sealed in this same transaction, so what commits holds no personal value in plain.
      const channels = rows.channels.map((channel) => {
        const { kind, value } = channel as { kind: 'email' | 'phone'; value: string };
        return { ...channel, value_pseudonym: dependencies.accounts.channelPseudonym(kind, value) };
      });
      await insertRows(tx, { ...rows, channels }, sealing.sessions);
      const created = rows.accounts.map((account) => (account as { id: string }).id);
      await sealAccountsNow(tx, dependencies.accounts, created);
      return {
        opened: sealing.opened,
        written: writtenRowsOf(rows, sealing),
        result: { events: rows.events, rejected: rows.rejected, verifyByHistory: rows.verifyByHistory },
      };
    });
    // Committed: the subjects made or opened for this batch exist, so the next batches reuse their keys.
    for (const [claim, subject] of committed.opened) subjects.set(claim, subject);
    for (const [table, rows] of committed.written) written.set(table, (written.get(table) ?? 0) + rows);
    return committed.result;
  }

  /** A batch that fails to write as a whole (a value the database refuses) is retried line by line. */
  async function writeBatchOrLines(
    batch: { line: number; record: ImportRecord }[],
    subjects: Map<string, OpenSubject>,
    written: WrittenRows,
  ): Promise<{ events: HistoryEvent[]; rejected: RejectedLine[]; verifyByHistory: string[] }> {
    try {
      return await writeBatch(batch, subjects, written);
    } catch (error) {
      // Only a value the database refuses (SQLSTATE class 22 data, 23 integrity) is the line's fault.
      if (!isDataError(error)) throw error;
      if (batch.length === 1) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : 'refused';
        return {
          events: [],
          rejected: [{ line: batch[0]!.line, error: `invalid_record: the database refused it (${reason})` }],
          verifyByHistory: [],
        };
      }
      const events: HistoryEvent[] = [];
      const rejected: RejectedLine[] = [];
      const verifyByHistory: string[] = [];
      for (const item of batch) {
        const result = await writeBatchOrLines([item], subjects, written);
        events.push(...result.events);
        rejected.push(...result.rejected);
        verifyByHistory.push(...result.verifyByHistory);
      }
      return { events, rejected, verifyByHistory };
    }
  }

  async function importLines(
    lines: AsyncIterable<ImportLine>,
    onProgress?: (progress: ImportProgress) => void,
  ): Promise<ImportResult> {
    let imported = 0;
    let rejectedCount = 0;
    let lineCount = 0;
    const rejected: RejectedLine[] = [];
    const reject = (rejection: RejectedLine) => {
      rejectedCount += 1;
      if (rejected.length < maxListed) rejected.push(rejection);
    };
    let batch: { line: number; record: ImportRecord }[] = [];
    const verifyLater: string[] = [];
    // Subject keys opened during this import, by claim: a person with many orders costs one key unwrap, not one each.
    const subjects = new Map<string, OpenSubject>();
    const written: WrittenRows = new Map();
    const flush = async () => {
      if (batch.length === 0) return;
      const result = await writeBatchOrLines(batch, subjects, written);
      verifyLater.push(...result.verifyByHistory);
      result.rejected.forEach(reject);
      imported += batch.length - result.rejected.length;
      // The batch is committed: now, and only now, the online state learns of it (in time order).
      const events = [...result.events].sort((a, b) => a.at - b.at);
      for (const event of events) await engine.record(event);
      batch = [];
      onProgress?.({ lines: lineCount, imported, rejected: rejectedCount });
    };
    let stopped: ImportResult['stopped'];
    try {
      for await (const entry of lines) {
        lineCount = entry.line;
        const parsed = parseImportEntry(entry);
        if (parsed === null) continue;
        if (!parsed.ok) reject(parsed.rejection);
        else batch.push({ line: parsed.line, record: parsed.record });
        if (batch.length >= batchSize) await flush();
      }
    } catch (error) {
      if (!(error instanceof ImportTooLargeError)) throw error;
      // The complete lines read so far are imported; the rest of the input is not read at all.
      stopped = { reason: 'import_too_large', line: lineCount, limit_bytes: error.limitBytes };
    }
    await flush();
    for (let start = 0; start < verifyLater.length; start += verifyChunk) {
      const events = await verifyByPaidHistory(
        database,
        dependencies.accounts,
        verifyLater.slice(start, start + verifyChunk),
      );
      written.set('channels', (written.get('channels') ?? 0) + events.length);
      for (const event of events) await engine.record(event);
    }
    await refreshStatistics(written);
    return { imported, rejected: rejected.sort((a, b) => a.line - b.line), ...(stopped ? { stopped } : {}) };
  }

  /**
   * A bulk import can change most of a table at once, and the planner keeps working from the statistics taken before
   * it until autovacuum comes by (up to a minute later; never where it is off): after a first import it took an
   * account for a hundred channels, and every approval's account read scanned all channels by hash join. The import
   * is committed by now, so a failure here costs only plans until autovacuum: it does not fail the import.
   */
  async function refreshStatistics(written: WrittenRows): Promise<void> {
    await analyzeChangedTables(database, written).catch(() => {});
  }

  const lineOptions = dependencies.maxLineBytes === undefined ? {} : { maxLineBytes: dependencies.maxLineBytes };
  return {
    /** Lines already split (NDJSON or mapped CSV, see import.format.ts); a size limit is the source's to apply. */
    importEntries: (lines: AsyncIterable<ImportLine>, onProgress?: (progress: ImportProgress) => void) =>
      importLines(lines, onProgress),
    importText: (text: string, onProgress?: (progress: ImportProgress) => void) =>
      importLines(splitLines([text], lineOptions), onProgress),
    /** `maxTotalBytes` (IMPORT_LIMIT_BYTES over HTTP) stops reading; the complete lines before it are imported. */
    importStream: (
      chunks: AsyncIterable<string | Buffer>,
      onProgress?: (progress: ImportProgress) => void,
      limits: { maxTotalBytes?: number } = {},
    ) => importLines(splitLines(chunks, { ...lineOptions, ...limits }), onProgress),
  };
}

const verifyChunk = 5000;

/** Rows an import wrote, by table: what decides which tables' statistics it brings up to date. */
type WrittenRows = Map<string, number>;

function writtenRowsOf(
  rows: BatchRows,
  sealing: { sessions: readonly unknown[]; opened: ReadonlyMap<string, unknown> },
): WrittenRows {
  return new Map([
    // Rows new to the table: the sealing update of the same rows, a moment later, changes nothing the planner counts.
    ['accounts', rows.accounts.length],
    ['channels', rows.channels.length],
    // At most one subject per order's person and one per new account (sealAccountsNow makes those it lacks).
    ['subjects', sealing.opened.size + rows.accounts.length],
    ['sessions', sealing.sessions.length],
    ['orders', rows.orders.length],
    ['invoices', rows.invoices.length],
    ['payments', rows.payments.length],
    ['labels', rows.labels.length],
  ]);
}

/**
 * A channel the import line said nothing about is verified from the account's first paid invoice, and never on an
 * account with an order confirmed as third-party fraud: a historical ghost account's channels belong to its attacker.
 */
async function verifyByPaidHistory(
  database: Database,
  accounts: AccountData,
  channelIds: readonly string[],
): Promise<HistoryEvent[]> {
  const verified = await database.query<{ id: string }>(
    `UPDATE channels c SET verified_at = paid.first_paid_at
     FROM (SELECT i.account_id, min(p.paid_at) AS first_paid_at
           FROM payments p JOIN invoices i ON i.id = p.invoice_id
           WHERE p.outcome IN ('paid_on_time', 'paid_late')
             AND i.account_id IN (SELECT account_id FROM channels WHERE id = ANY($1::text[]))
           GROUP BY i.account_id) paid
     WHERE c.id = ANY($1::text[]) AND c.verified_at IS NULL AND paid.account_id = c.account_id
       AND NOT EXISTS (SELECT 1 FROM labels l JOIN orders o ON o.id = l.order_id
                       WHERE o.account_id = c.account_id AND l.label = 'fraud_third_party')
     RETURNING c.id`,
    [channelIds],
  );
  if (verified.length === 0) return [];
  // The online state needs the channel's value: opened from the sealed one.
  const rows = await database.query<
    {
      id: string;
      account_id: string;
      kind: 'email' | 'phone';
      verified_at: Date;
      created_at: Date;
    } & ChannelSealedColumns
  >(
    `SELECT c.id, c.account_id, c.kind, c.verified_at, c.created_at, ${channelSealedSql('c')}
       FROM channels c ${channelSubjectJoinSql('c')} WHERE c.id = ANY($1::text[])`,
    [verified.map((row) => row.id)],
  );
  return rows.flatMap((row): HistoryEvent[] => {
    const value = accounts.channelValue(row);
    if (value === null) return [];
    return [
      {
        kind: 'channel',
        accountId: row.account_id,
        channelId: row.id,
        channel: row.kind,
        value,
        verifiedAt: row.verified_at.getTime(),
        at: row.created_at.getTime(),
      },
    ];
  });
}

function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

export const guestKey = (email: string) => `guest:${email.trim().toLowerCase()}`;

async function insertRows(tx: SqlExecutor, rows: BatchRows, sessions: readonly ImportedSessionRow[]): Promise<void> {
  const insert = async (table: string, columns: string, types: string, items: readonly object[]) => {
    if (items.length === 0) return;
    await tx.query(
      `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_to_recordset($1::jsonb) AS r(${types})`,
      [JSON.stringify(items)],
    );
  };
  await insert(
    'accounts',
    'id, external_id, name, email, phone, date_of_birth, address, created_at',
    'id text, external_id text, name text, email text, phone text, date_of_birth date, address jsonb, created_at timestamptz',
    rows.accounts,
  );
  if (rows.channels.length > 0) {
    await tx.query(
      `INSERT INTO channels (id, account_id, kind, value, value_pseudonym, verified_at, created_at)
       SELECT id, account_id, kind, value, value_pseudonym, verified_at, created_at FROM jsonb_to_recordset($1::jsonb)
         AS r(id text, account_id text, kind text, value text, value_pseudonym text, verified_at timestamptz,
              created_at timestamptz)
       ON CONFLICT (account_id, kind, value_pseudonym) DO NOTHING`,
      [JSON.stringify(rows.channels)],
    );
  }
  await insert(
    'sessions',
    'id, status, input, subject_id, sealed_input, created_at, updated_at',
    'id text, status text, input jsonb, subject_id text, sealed_input bytea, created_at timestamptz, updated_at timestamptz',
    sessions,
  );
  await insert(
    'orders',
    'id, session_id, merchant_name, account_id, external_id, merchant_reference, amount, currency, input, source, status, placed_at',
    'id text, session_id text, merchant_name text, account_id text, external_id text, merchant_reference text, amount bigint, currency text, input jsonb, source text, status text, placed_at timestamptz',
    rows.orders,
  );
  await insert(
    'invoices',
    'id, order_id, account_id, amount, currency, status, paid_amount, due_at, created_at',
    'id text, order_id text, account_id text, amount bigint, currency text, status text, paid_amount bigint, due_at timestamptz, created_at timestamptz',
    rows.invoices,
  );
  await insert(
    'payments',
    'id, invoice_id, amount, outcome, paid_at',
    'id text, invoice_id text, amount bigint, outcome text, paid_at timestamptz',
    rows.payments,
  );
  await insert(
    'labels',
    'id, order_id, label, typology, known_at',
    'id text, order_id text, label text, typology text, known_at timestamptz',
    rows.labels,
  );
}
