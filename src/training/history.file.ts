// Reads an import NDJSON file as HistoryEvents in time order without a database, reusing the import's own mapping.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { importLinesOf, ndjsonFormat, type ImportFileFormat } from '../ingest/import.format.ts';
import { parseImportEntry } from '../ingest/import.parser.ts';
import { buildBatchRows } from '../ingest/import.rows.ts';
import type { ImportRecord } from '../ingest/import.schema.ts';
import type { HistoryEvent } from '../risk/engine.ts';
import type { IdPrefix, Ids } from '../shared/ids.ts';
import { makeEventQueue } from './event.queue.ts';

export interface FileHistory {
  readonly events: AsyncIterable<HistoryEvent>;
  /** Typology of each fraud order by internal order id, filled before the order's label event is yielded. */
  readonly typologies: Map<string, string>;
  /** Lines the import would reject (bad JSON, unknown account, duplicates), counted as they are met. */
  readonly rejected: { count: number; first: string[] };
}

export interface FileHistoryOptions {
  /** Called with bytes read so far and the file size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly invoiceDueDays?: number;
  readonly batchSize?: number;
  /** NDJSON unless a CSV column mapping is given. */
  readonly format?: ImportFileFormat;
  /** Reading stops with ImportTooLargeError past this many bytes. */
  readonly maxTotalBytes?: number;
}

/** Sequential ids: replay needs no unguessable ids, and sequential ones make runs repeatable. */
function makeSequentialIds(): Ids {
  let counter = 0;
  return { next: (prefix: IdPrefix) => `${prefix}_${(counter++).toString(36)}` };
}

export function recordTime(record: ImportRecord): number {
  return Date.parse(record.type === 'account' ? record.created_at : record.placed_at);
}

const timeField = /"(?:placed_at|created_at)"\s*:\s*"([^"]+)"/;

/** A cheap first pass: is the file in time order? Exports often are, and then the file streams in constant memory. */
export async function isInTimeOrder(path: string, format: ImportFileFormat = ndjsonFormat): Promise<boolean> {
  let latest = Number.NEGATIVE_INFINITY;
  for await (const entry of importLinesOf(createReadStream(path, { highWaterMark: 1 << 20 }), format)) {
    const match = 'text' in entry ? timeField.exec(entry.text) : null;
    if (!match) continue;
    const at = Date.parse(match[1]!);
    if (at < latest) return false;
    latest = at;
  }
  return true;
}

interface ReadingOptions {
  readonly format: ImportFileFormat;
  readonly maxTotalBytes?: number;
  readonly onBytes: (bytes: number) => void;
}

async function* parsedRecords(
  path: string,
  rejected: FileHistory['rejected'],
  reading: ReadingOptions,
): AsyncGenerator<{ line: number; record: ImportRecord }> {
  let bytes = 0;
  async function* chunks() {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      bytes += (chunk as Buffer).length;
      reading.onBytes(bytes);
      yield chunk as Buffer;
    }
  }
  const limits = reading.maxTotalBytes === undefined ? {} : { maxTotalBytes: reading.maxTotalBytes };
  for await (const entry of importLinesOf(chunks(), reading.format, limits)) {
    const parsed = parseImportEntry(entry);
    if (parsed === null) continue;
    if (parsed.ok) yield { line: parsed.line, record: parsed.record };
    else noteRejection(rejected, parsed.rejection);
  }
}

function noteRejection(rejected: FileHistory['rejected'], rejection: { line: number; error: string }): void {
  rejected.count += 1;
  if (rejected.first.length < 5) rejected.first.push(`line ${rejection.line}: ${rejection.error}`);
}

/** Records in time order: streamed when the file is sorted, otherwise loaded and sorted (accounts first at equal times). */
async function* recordsInTimeOrder(
  path: string,
  rejected: FileHistory['rejected'],
  reading: ReadingOptions,
): AsyncGenerator<{ line: number; record: ImportRecord }> {
  if (await isInTimeOrder(path, reading.format)) {
    yield* parsedRecords(path, rejected, reading);
    return;
  }
  const all: { line: number; record: ImportRecord; at: number }[] = [];
  for await (const entry of parsedRecords(path, rejected, reading))
    all.push({ ...entry, at: recordTime(entry.record) });
  const rank = (record: ImportRecord) => (record.type === 'account' ? 0 : 1);
  all.sort(
    (first, second) => first.at - second.at || rank(first.record) - rank(second.record) || first.line - second.line,
  );
  for (const entry of all) yield entry;
}

export async function readHistoryFile(path: string, options: FileHistoryOptions = {}): Promise<FileHistory> {
  const totalBytes = (await stat(path)).size;
  const typologies = new Map<string, string>();
  const rejected: FileHistory['rejected'] = { count: 0, first: [] };
  const context = {
    knownAccounts: new Map<string, string>(),
    knownOrders: new Map<string, string>(),
    ids: makeSequentialIds(),
    invoiceDueDays: options.invoiceDueDays ?? 14,
  };
  const batchSize = options.batchSize ?? 512;
  const reading: ReadingOptions = {
    format: options.format ?? ndjsonFormat,
    ...(options.maxTotalBytes === undefined ? {} : { maxTotalBytes: options.maxTotalBytes }),
    onBytes: (bytes: number) => options.onProgress?.(bytes, totalBytes),
  };

  async function* events(): AsyncGenerator<HistoryEvent> {
    // Payments and labels lie in the future of the record that implies them; the queue holds them until their time.
    const queue = makeEventQueue();
    let batch: { line: number; record: ImportRecord }[] = [];
    const flush = function* (until: number): Generator<HistoryEvent> {
      const rows = buildBatchRows(batch, context);
      batch = [];
      for (const rejection of rows.rejected) noteRejection(rejected, rejection);
      for (const label of rows.labels as { order_id: string; typology: string | null }[]) {
        if (label.typology !== null) typologies.set(label.order_id, label.typology);
      }
      for (const event of rows.events) queue.push(event);
      yield* queue.popBefore(until);
    };
    for await (const entry of recordsInTimeOrder(path, rejected, reading)) {
      batch.push(entry);
      if (batch.length >= batchSize) yield* flush(recordTime(entry.record));
    }
    yield* flush(Number.POSITIVE_INFINITY);
    yield* queue.popBefore(Number.POSITIVE_INFINITY, true);
  }

  return { events: events(), typologies, rejected };
}
