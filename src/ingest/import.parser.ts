// Splits NDJSON into validated import records, reporting each bad line instead of failing the import.
import { importRecordSchema, type ImportRecord } from './import.schema.ts';

export interface RejectedLine {
  readonly line: number;
  readonly error: string;
}

export type ParsedLine = { ok: true; line: number; record: ImportRecord } | { ok: false; rejection: RejectedLine };

export function parseImportLine(text: string, line: number): ParsedLine | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, rejection: { line, error: 'invalid_json: the line is not valid JSON' } };
  }
  const parsed = importRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, line, record: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'type';
  return { ok: false, rejection: { line, error: `invalid_record: ${field}: ${issue?.message ?? 'invalid'}` } };
}

/** Yields lines of a stream of text chunks, numbered from 1. */
export async function* splitLines(
  chunks: AsyncIterable<string | Buffer> | Iterable<string>,
): AsyncGenerator<[string, number]> {
  let rest = '';
  let line = 0;
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline = rest.indexOf('\n');
    while (newline >= 0) {
      line += 1;
      yield [rest.slice(0, newline), line];
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  if (rest.length > 0) yield [rest, line + 1];
}
