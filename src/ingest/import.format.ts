// Which reader an import file needs: NDJSON as it is, or CSV through a column mapping; both yield the same lines.
import { extname } from 'node:path';
import { loadCsvMapping, type CsvMapping } from './csv.mapping.ts';
import { csvImportLines } from './csv.records.ts';
import { splitLines, type ImportLine } from './import.parser.ts';

export type ImportFileFormat = { readonly kind: 'ndjson' } | { readonly kind: 'csv'; readonly mapping: CsvMapping };

export const ndjsonFormat: ImportFileFormat = { kind: 'ndjson' };

export function importLinesOf(
  chunks: AsyncIterable<string | Buffer | Uint8Array>,
  format: ImportFileFormat,
  limits: { readonly maxTotalBytes?: number } = {},
): AsyncIterable<ImportLine> {
  return format.kind === 'csv' ? csvImportLines(chunks, format.mapping, limits) : splitLines(chunks, limits);
}

/** A mapping file makes the input CSV; a .csv file without one is a mistake said plainly, not parsed as NDJSON. */
export async function resolveImportFormat(
  file: string,
  mappingPath: string | null,
): Promise<{ ok: true; format: ImportFileFormat } | { ok: false; error: string }> {
  if (mappingPath === null) {
    if (extname(file).toLowerCase() === '.csv')
      return { ok: false, error: `${file} is CSV: name its column mapping with --mapping MAP.json (see the README)` };
    return { ok: true, format: ndjsonFormat };
  }
  const loaded = await loadCsvMapping(mappingPath);
  return loaded.ok ? { ok: true, format: { kind: 'csv', mapping: loaded.mapping } } : loaded;
}
