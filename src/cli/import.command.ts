// `rearguard import FILE`: offline history import straight into the database, with a progress bar.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { Config } from '../config.ts';
import { makeApplication } from '../app.ts';

export async function runImport(config: Config, file: string): Promise<number> {
  const size = (await stat(file)).size;
  const application = await makeApplication({ ...config, logLevel: 'warn' });
  const bar = new SingleBar(
    {
      format:
        'import [{bar}] {percentage}% | {value}/{total} MB | {imported} imported, {rejected} rejected | {duration}s',
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
  bar.start(megabytes(size), 0, { imported: 0, rejected: 0 });
  const stream = createReadStream(file);
  const started = Date.now();
  const result = await application.importer.importStream(stream, (progress) =>
    bar.update(megabytes(stream.bytesRead), { imported: progress.imported, rejected: progress.rejected }),
  );
  bar.update(megabytes(size));
  bar.stop();
  await application.close();
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ imported: result.imported, rejected: result.rejected.length, seconds })}\n`);
  for (const rejection of result.rejected.slice(0, 20))
    process.stderr.write(`line ${rejection.line}: ${rejection.error}\n`);
  return 0;
}
