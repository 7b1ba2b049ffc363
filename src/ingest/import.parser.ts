// Splits NDJSON into validated import records, reporting each bad line instead of failing the import.
import { findUnsafeInput, unsafeInputMessages } from '../http/input-safety.ts';
import { importRecordSchema, type ImportRecord } from './import.schema.ts';

export interface RejectedLine {
  readonly line: number;
  readonly error: string;
}

export type ParsedLine = { ok: true; line: number; record: ImportRecord } | { ok: false; rejection: RejectedLine };

/** No record needs more: a generous cap that keeps one hostile line from stalling the event loop on JSON.parse. */
export const defaultMaxLineBytes = 256 * 1024;

/** One line of the input: its text, or why it could not be read (too long, not UTF-8). */
export type ImportLine = { line: number; text: string } | { line: number; error: string };

export function parseImportLine(text: string, line: number): ParsedLine | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, rejection: { line, error: 'invalid_json: the line is not valid JSON' } };
  }
  // The same check the HTTP edge makes: PostgreSQL cannot store NUL, and a lone surrogate would silently change.
  const unsafe = findUnsafeInput(value, '');
  if (unsafe) {
    const code = unsafe.reason === 'too_deep' ? 'nesting_too_deep' : 'invalid_characters';
    const field = unsafe.field === '' ? 'line' : unsafe.field;
    return { ok: false, rejection: { line, error: `${code}: ${field}: ${unsafeInputMessages[unsafe.reason]}` } };
  }
  const parsed = importRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, line, record: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'type';
  return { ok: false, rejection: { line, error: `invalid_record: ${field}: ${issue?.message ?? 'invalid'}` } };
}

export function parseImportEntry(entry: ImportLine): ParsedLine | null {
  if ('error' in entry) return { ok: false, rejection: { line: entry.line, error: entry.error } };
  return parseImportLine(entry.text, entry.line);
}

export class ImportTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the import is larger than ${limitBytes} bytes (IMPORT_LIMIT_BYTES)`);
    this.name = 'ImportTooLargeError';
  }
}

export interface SplitOptions {
  /** A longer line is reported as line_too_long and skipped, without ever being held whole in memory. */
  readonly maxLineBytes?: number;
  /** Reading stops with ImportTooLargeError once more bytes than this arrive. */
  readonly maxTotalBytes?: number;
}

const newline = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Yields the lines of a byte (or text) stream, numbered from 1. Works on bytes, so a character split across two
 * chunks stays whole, each byte is scanned once, and a line is decoded only when it is complete and within the cap.
 */
export async function* splitLines(
  chunks: AsyncIterable<string | Buffer | Uint8Array> | Iterable<string>,
  options: SplitOptions = {},
): AsyncGenerator<ImportLine> {
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let total = 0;
  let line = 0;
  const finish = (): ImportLine => {
    line += 1;
    const entry: ImportLine = tooLong
      ? { line, error: `line_too_long: the line is longer than ${maxLineBytes} bytes` }
      : decodeLine(Buffer.concat(parts, length), line);
    parts = [];
    length = 0;
    tooLong = false;
    return entry;
  };
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    total += bytes.length;
    if (total > maxTotalBytes) throw new ImportTooLargeError(maxTotalBytes);
    let start = 0;
    while (start <= bytes.length) {
      const end = bytes.indexOf(newline, start);
      const piece = bytes.subarray(start, end < 0 ? bytes.length : end);
      if (!tooLong) {
        if (length + piece.length > maxLineBytes) {
          tooLong = true;
          parts = [];
        } else if (piece.length > 0) {
          parts.push(piece);
        }
        length += piece.length;
      }
      if (end < 0) break;
      yield finish();
      start = end + 1;
    }
  }
  if (length > 0 || tooLong) yield finish();
}

function decodeLine(bytes: Buffer, line: number): ImportLine {
  try {
    return { line, text: utf8.decode(bytes) };
  } catch {
    return { line, error: 'invalid_characters: line: is not valid UTF-8' };
  }
}
