// `rearguard import FILE`: offline history import straight into the database, with a progress bar.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { Config } from '../config.ts';
import { makeApplication } from '../app.ts';
import { importLinesOf, type ImportFileFormat } from '../ingest/import.format.ts';
import type { CliIo } from './cli.ts';

export async function runImport(
  config: Config,
  file: string,
  format: ImportFileFormat,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<number> {
  const size = (await stat(file)).size;
  const application = await makeApplication({ ...config, logLevel: 'warn' });
  const bar = new SingleBar(
    {
      format:
        'import [{bar}] {percentage}% | {value}/{total} MB | {imported} imported, {rejected} rejected | {duration}s',
      stream: io.stderr,
    },
    Presets.shades_classic,
  );
  const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
  bar.start(megabytes(size), 0, { imported: 0, rejected: 0 });
  const stream = createReadStream(file);
  const started = Date.now();
  // CSV is held to IMPORT_LIMIT_BYTES as an upload is; NDJSON from the command line keeps streaming files of any size.
  const limits = format.kind === 'csv' ? { maxTotalBytes: config.importLimitBytes } : {};
  try {
    const result = await application.importer.importEntries(importLinesOf(stream, format, limits), (progress) =>
      bar.update(megabytes(stream.bytesRead), { imported: progress.imported, rejected: progress.rejected }),
    );
    bar.update(megabytes(size));
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    const summary = { imported: result.imported, rejected: result.rejected.length, seconds };
    io.stdout.write(`${JSON.stringify(result.stopped ? { ...summary, stopped: result.stopped } : summary)}\n`);
    for (const rejection of result.rejected.slice(0, 20))
      io.stderr.write(`line ${rejection.line}: ${rejection.error}\n`);
    if (result.stopped)
      io.stderr.write(
        `import stopped after line ${result.stopped.line}: the file is larger than ${result.stopped.limit_bytes} bytes (IMPORT_LIMIT_BYTES)\n`,
      );
    return 0;
  } finally {
    bar.stop();
    await application.close();
  }
}
